"""Append-only audit log, each entry hash-chained to the previous one.

Every write that changes what partners see goes through :func:`record`. The head row is
locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has a single writer) so concurrent
transactions append in one order. :func:`verify` walks the chain and names the first entry
that was modified, inserted or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.core.models import GENESIS_HASH, AuditEntry, AuditHead, AuditProblem


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _entry_hash(
    *,
    seq: int,
    ts: dt.datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    material = canonical_json(
        [
            seq,
            ts.astimezone(dt.UTC).isoformat(),
            actor,
            action,
            entity_type,
            entity_id,
            detail,
            prev_hash,
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def record(
    *,
    db_session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it commits or rolls back with the write."""
    head = db_session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, entry_hash=GENESIS_HASH)
        db_session.add(head)
    # Microseconds are dropped so the hash input survives every backend's timestamp precision.
    ts = utcnow().replace(microsecond=0)
    seq = head.seq + 1
    detail_json = canonical_json(detail or {})
    entry = AuditEntry(
        seq=seq,
        ts=ts,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail_json,
        prev_hash=head.entry_hash,
        entry_hash=_entry_hash(
            seq=seq,
            ts=ts,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            detail=detail_json,
            prev_hash=head.entry_hash,
        ),
    )
    db_session.add(entry)
    head.seq = seq
    head.entry_hash = entry.entry_hash
    db_session.flush()
    return entry


def list_entries(*, db_session: Session, limit: int = 100) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    return list(db_session.execute(stmt).scalars())


def verify(*, db_session: Session) -> AuditProblem | None:
    """None when the chain is intact, else the first modified, inserted or deleted entry.

    Sequence numbers are contiguous and the head row records the last one, so a deleted entry
    leaves a gap (or a head past the end), an inserted entry sits past the head or breaks the
    chain, and a modified entry no longer matches its own hash (or, if its hash was recomputed,
    the next entry no longer chains to it).
    """
    head = db_session.get(AuditHead, 1)
    stmt = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    entries = db_session.execute(stmt).scalars()
    try:
        return _first_problem(entries, head)
    finally:
        entries.close()  # a server-side cursor on PostgreSQL when we stop early


def _first_problem(entries: Iterable[AuditEntry], head: AuditHead | None) -> AuditProblem | None:
    head_seq = head.seq if head is not None else 0
    expected_seq = 1
    expected_prev = GENESIS_HASH
    for entry in entries:
        if entry.seq > head_seq:
            return AuditProblem(
                seq=entry.seq, kind="inserted", explanation="entry lies past the log's head"
            )
        if entry.seq > expected_seq:
            return AuditProblem(
                seq=expected_seq,
                kind="deleted",
                explanation=f"entries {expected_seq}..{entry.seq - 1} are missing",
            )
        recomputed = _entry_hash(
            seq=entry.seq,
            ts=entry.ts,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            detail=entry.detail,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.entry_hash:
            return AuditProblem(
                seq=entry.seq, kind="modified", explanation="entry hash does not match its content"
            )
        if entry.prev_hash != expected_prev:
            return AuditProblem(
                seq=entry.seq - 1,
                kind="modified",
                explanation=f"entry {entry.seq} does not chain to it: it was rewritten",
            )
        expected_prev = entry.entry_hash
        expected_seq = entry.seq + 1
    if head_seq > expected_seq - 1:
        return AuditProblem(
            seq=expected_seq,
            kind="deleted",
            explanation=f"the head says {head_seq} entries, the log ends at {expected_seq - 1}",
        )
    if head is not None and head.entry_hash != expected_prev:
        return AuditProblem(
            seq=head_seq, kind="modified", explanation="the last entry does not match the head"
        )
    return None
