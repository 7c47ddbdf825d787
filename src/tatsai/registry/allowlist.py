"""The allow-list: official values seeded from :mod:`tatsai.indicators.reference`.

An allow-listed value answers ``allow`` and is never blocked automatically; evidence against it
raises a review flag (likely spoofing or a lookalike). A human with the right to act may still
action it (a compromised official number), which the lookup then reports as ``block``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.errors import InvalidInput
from tatsai.indicators.reference import OfficialEntry, official_entries
from tatsai.registry import kinds
from tatsai.registry.changes import append_change
from tatsai.registry.models import IndicatorRecord
from tatsai.registry.service import get_or_create_record


@dataclass
class SeedReport:
    """What seeding did: ``added`` new allow-listed values, ``updated`` existing ones, and the
    entries ``skipped`` with the reason (a value its type does not accept, e.g. a short code)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[OfficialEntry, str]] = field(default_factory=list)


def seed(
    *,
    db_session: Session,
    entries: Iterable[OfficialEntry] | None = None,
    actor: str = "system:allowlist",
) -> SeedReport:
    """Allow-list every official entry (idempotent)."""
    entries = list(official_entries() if entries is None else entries)
    audit.record(
        db_session=db_session,
        actor=actor,
        action="allowlist.seed",
        entity_type="registry",
        entity_id="allowlist",
        detail={"entries": len(entries)},
    )
    report = SeedReport()
    for entry in entries:
        try:
            type_name = kinds.check_type(entry.type)
            value = kinds.clean(type_name, entry.value)
        except InvalidInput as exc:
            report.skipped.append((entry, exc.detail))
            continue
        record, created = get_or_create_record(
            db_session=db_session, type_name=type_name, value=value
        )
        wanted = (True, entry.org, entry.category)
        if (record.allow_listed, record.allow_org, record.allow_category) == wanted and not created:
            report.unchanged += 1
            continue
        record.allow_listed, record.allow_org, record.allow_category = wanted
        append_change(db_session=db_session, record=record)
        if created:
            report.added += 1
        else:
            report.updated += 1
    return report


def count(*, db_session: Session) -> int:
    stmt = select(func.count()).select_from(IndicatorRecord).where(IndicatorRecord.allow_listed)
    return int(db_session.execute(stmt).scalar_one())
