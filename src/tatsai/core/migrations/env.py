"""Alembic environment: runs with the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from tatsai.core.db import Base
from tatsai.tables import import_all_tables

import_all_tables()
target_metadata = Base.metadata
engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
