"""Imports every context's table module so ``Base.metadata`` knows the whole schema.

Wiring, like cli.py and api.py: core must not import the contexts above it. Used by the
migrations and by the schema-drift test; add a context's ``models`` module here when it
gains tables.
"""

from __future__ import annotations

import importlib

TABLE_MODULES = (
    "tatsai.core.models",
    "tatsai.orgs.models",
    "tatsai.registry.models",
    "tatsai.reports.models",
)


def import_all_tables() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)
