"""Exchange formats: STIX 2.1, MISP event JSON, FollowTheMoney entities, network blocklists
(E.164 numbers, SMS sender IDs, a DNS RPZ zone); imports of STIX, MISP and plain CSV.

Exports carry what a lookup tells a member org (verdict, state, score, categories, first and
last seen), never evidence: evidence stays behind the access policy.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.registry.changes import lookup_categories, record_verdict
from tatsai.registry.models import IndicatorRecord, State, Verdict

EXPORT_FORMATS = ("stix", "misp", "ftm", "e164", "senders", "rpz")
IMPORT_FORMATS = ("csv", "stix", "misp")


@dataclass(frozen=True)
class ExportRow:
    """One record as the exports see it."""

    id: int
    type: str
    value: str
    verdict: Verdict
    state: State
    score: float
    categories: list[str]
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None


def exportable(
    *, db_session: Session, verdicts: Iterable[Verdict] = (Verdict.BLOCK, Verdict.WARN)
) -> list[ExportRow]:
    """Records whose verdict is one of ``verdicts``, in id order."""
    wanted = set(verdicts)
    rows: list[ExportRow] = []
    stmt = select(IndicatorRecord).order_by(IndicatorRecord.id)
    for record in db_session.execute(stmt.execution_options(yield_per=5000)).scalars():
        verdict, _ = record_verdict(record)
        if verdict not in wanted:
            continue
        rows.append(
            ExportRow(
                id=record.id,
                type=record.type,
                value=record.value,
                verdict=verdict,
                state=State(record.state),
                score=round(record.score, 1),
                categories=lookup_categories(record) or json.loads(record.categories),
                first_seen=record.first_seen,
                last_seen=record.last_seen,
            )
        )
    return rows
