from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from tatsai.core import migrate
from tatsai.core.db import Base, UTCDateTime, make_engine, session_scope


def test_migrations_reach_every_head(engine: Engine) -> None:
    assert migrate.is_up_to_date(engine)


def test_migrations_match_the_tables(engine: Engine) -> None:
    """The migrated schema is exactly what the models declare (no drift either way)."""
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata
        )
    assert diff == []


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x' / 'tatsai.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_utc_datetime_refuses_naive_times() -> None:
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(dt.datetime(2026, 1, 1), None)


def test_utc_datetime_converts_zones(engine: Engine) -> None:
    bangkok = dt.timezone(dt.timedelta(hours=7))
    stored = UTCDateTime().process_bind_param(
        dt.datetime(2026, 1, 1, 7, 0, tzinfo=bangkok), engine.dialect
    )
    assert stored is not None
    assert stored.hour == 0


def _import_then_fail(engine: Engine, scratch: Any) -> None:
    with session_scope(engine) as db_session:
        with db_session.begin_nested():  # the first statement of the transaction
            db_session.execute(scratch.insert().values(n=1))
        db_session.execute(scratch.insert().values(n=2))
        raise RuntimeError("the import fails after its first row")


def test_a_rollback_undoes_a_released_savepoint(engine: Engine) -> None:
    """A unit of work that opens a savepoint before anything else and then fails leaves
    nothing behind: releasing the savepoint must not commit the rows on any backend."""
    from sqlalchemy import Column, Integer, MetaData, Table

    scratch = Table("scratch_savepoint", MetaData(), Column("n", Integer))
    scratch.create(engine, checkfirst=True)
    try:
        with pytest.raises(RuntimeError, match="fails after"):
            _import_then_fail(engine, scratch)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM scratch_savepoint")).scalar() == 0
        # And a unit of work that succeeds commits its savepoint's rows.
        with session_scope(engine) as db_session, db_session.begin_nested():
            db_session.execute(scratch.insert().values(n=3))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM scratch_savepoint")).scalars().all() == [3]
    finally:
        scratch.drop(engine)
