"""The registry's demo stage runs on a fresh store and writes every export."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from tatsai.demo import DemoContext
from tatsai.registry import demo


def test_demo_stage(clean_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "FLOOD_REPORTS", 60)
    console = Console(record=True, width=160)
    ctx = DemoContext(console=console, data_dir=tmp_path, engine=clean_engine)
    demo.run(ctx)
    shown = console.export_text()
    assert "02-888-8888 after 60 reports from 50 new numbers: allow" in shown
    assert "+697*" in (tmp_path / "registry-export.e164").read_text()
    for fmt in ("stix", "misp", "ftm", "senders", "rpz"):
        assert (tmp_path / f"registry-export.{fmt}").stat().st_size > 0
