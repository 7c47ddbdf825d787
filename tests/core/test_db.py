from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from tatsai.core import migrate
from tatsai.core.db import Base, UTCDateTime, make_engine


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
