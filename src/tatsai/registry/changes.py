"""The change sequence that lookup indexes and the partners' feed follow.

Every write that changes what a lookup answers appends one row. ``seq`` comes from a single
head row locked ``FOR UPDATE`` in the writing transaction, so on PostgreSQL a transaction with a
higher ``seq`` cannot commit before one with a lower ``seq``: a follower that reads ``seq >
cursor`` never skips a row that commits later (an auto-increment id would allow that). SQLite
has one writer at a time, which gives the same guarantee.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.registry.lifecycle import verdict_for
from tatsai.registry.models import (
    IndicatorChange,
    IndicatorChangeHead,
    IndicatorRecord,
    State,
    Verdict,
)


def lookup_categories(record: IndicatorRecord) -> list[str]:
    """What a lookup shows: the official category for allow-listed values, else the evidence's."""
    if record.allow_listed and record.state != State.ACTIONED.value:
        return [f"official_{record.allow_category or 'entity'}"]
    categories: list[str] = json.loads(record.categories)
    return categories


def record_verdict(record: IndicatorRecord) -> tuple[Verdict, str]:
    return verdict_for(State(record.state), allow_listed=record.allow_listed, score=record.score)


def append_change(*, db_session: Session, record: IndicatorRecord) -> IndicatorChange:
    """Append the record's current lookup state to the sequence (in the caller's transaction)."""
    return append_changes(db_session=db_session, records=[record])[0]


def append_changes(*, db_session: Session, records: list[IndicatorRecord]) -> list[IndicatorChange]:
    """One change per record, in order, under one lock of the head (a batch's publication)."""
    if not records:
        return []
    db_session.flush()
    head = db_session.execute(
        select(IndicatorChangeHead).where(IndicatorChangeHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = IndicatorChangeHead(id=1, seq=0)
        db_session.add(head)
    changed_at = utcnow()
    changes = []
    for record in records:
        head.seq += 1
        verdict, _ = record_verdict(record)
        changes.append(
            IndicatorChange(
                seq=head.seq,
                record_id=record.id,
                type=record.type,
                value=record.value,
                verdict=verdict.value,
                state=record.state,
                score=record.score,
                categories=json.dumps(lookup_categories(record), ensure_ascii=False),
                allow_listed=record.allow_listed,
                first_seen=record.first_seen,
                last_seen=record.last_seen,
                changed_at=changed_at,
            )
        )
    db_session.add_all(changes)
    return changes


def changes_since(*, db_session: Session, cursor: int, limit: int = 1000) -> list[IndicatorChange]:
    """Changes with ``seq > cursor`` in order, at most ``limit``."""
    stmt = (
        select(IndicatorChange)
        .where(IndicatorChange.seq > cursor)
        .order_by(IndicatorChange.seq)
        .limit(limit)
    )
    return list(db_session.execute(stmt).scalars())


def head_seq(*, db_session: Session) -> int:
    """The last committed change's ``seq`` (0 when none)."""
    value = db_session.execute(select(func.max(IndicatorChange.seq))).scalar_one_or_none()
    return int(value or 0)
