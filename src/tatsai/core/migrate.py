"""Alembic migrations, driven from code so no ``alembic.ini`` is needed at run time.

Each bounded context owns a branch of migrations in ``core/migrations/versions`` (files named
``<context>_NNNN_*.py`` with ``branch_labels = ("<context>",)``), rooted at core's first
revision; ``upgrade`` brings every branch to its head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from tatsai.core.db import get_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine | None = None, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (default: every context's head)."""
    command.upgrade(alembic_config(engine or get_engine()), revision)


def current_heads(engine: Engine | None = None) -> set[str]:
    with (engine or get_engine()).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def expected_heads(engine: Engine | None = None) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine or get_engine())).get_heads())


def is_up_to_date(engine: Engine | None = None) -> bool:
    return current_heads(engine) == expected_heads(engine)
