"""Telco fixtures: the hand-made world of ``world.py`` written once per session as Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.analytics.telco.world import build_world, write_world


@pytest.fixture(scope="session")
def world_tables() -> dict[str, pa.Table]:
    return build_world(seed=1)


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory, world_tables: dict[str, pa.Table]) -> Path:
    return write_world(tmp_path_factory.mktemp("telco_world"), world_tables)
