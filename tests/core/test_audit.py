from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.models import AuditEntry


def _write(db_session: Session, n: int) -> None:
    for i in range(n):
        audit.record(
            db_session=db_session,
            actor="test",
            action="thing.create",
            entity_type="thing",
            entity_id=str(i),
            detail={"i": i, "ชื่อ": "ทดสอบ"},
        )
    db_session.commit()


def test_an_untouched_chain_verifies(db_session: Session) -> None:
    assert audit.verify(db_session=db_session) is None
    _write(db_session, 5)
    assert audit.verify(db_session=db_session) is None
    seqs = [e.seq for e in db_session.execute(select(AuditEntry)).scalars()]
    assert sorted(seqs) == [1, 2, 3, 4, 5]


def test_a_modified_entry_is_named(db_session: Session) -> None:
    _write(db_session, 5)
    db_session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="mallory"))
    db_session.commit()
    problem = audit.verify(db_session=db_session)
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "modified")


def test_a_rewritten_entry_with_recomputed_hash_is_named(db_session: Session) -> None:
    _write(db_session, 5)
    entry = db_session.get(AuditEntry, 2)
    assert entry is not None
    entry.detail = '{"i":99}'
    entry.entry_hash = audit._entry_hash(
        seq=entry.seq,
        ts=entry.ts,
        actor=entry.actor,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )
    db_session.commit()
    problem = audit.verify(db_session=db_session)
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, "modified")


def test_a_deleted_entry_is_named(db_session: Session) -> None:
    _write(db_session, 5)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    db_session.commit()
    problem = audit.verify(db_session=db_session)
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, "deleted")


def test_a_truncated_tail_is_named(db_session: Session) -> None:
    _write(db_session, 5)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    db_session.commit()
    problem = audit.verify(db_session=db_session)
    assert problem is not None
    assert (problem.seq, problem.kind) == (4, "deleted")


def test_an_inserted_entry_is_named(db_session: Session) -> None:
    _write(db_session, 3)
    last = db_session.get(AuditEntry, 3)
    assert last is not None
    db_session.execute(
        insert(AuditEntry).values(
            seq=4,
            ts=last.ts,
            actor="mallory",
            action="x",
            entity_type="x",
            entity_id="x",
            detail="{}",
            prev_hash=last.entry_hash,
            entry_hash="f" * 64,
        )
    )
    db_session.commit()
    problem = audit.verify(db_session=db_session)
    assert problem is not None
    assert (problem.seq, problem.kind) == (4, "inserted")


def test_a_rolled_back_write_leaves_no_entry(db_session: Session) -> None:
    _write(db_session, 2)
    audit.record(db_session=db_session, actor="t", action="a", entity_type="t", entity_id="1")
    db_session.rollback()
    assert audit.verify(db_session=db_session) is None
    assert len(audit.list_entries(db_session=db_session)) == 2
