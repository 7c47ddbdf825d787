from __future__ import annotations

from pathlib import Path

from rich.console import Console

from tatsai.analytics.money import demo
from tatsai.demo import DemoContext


def test_demo_stage_without_a_world_says_so(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    ctx = DemoContext(console=console, data_dir=tmp_path, engine=None)  # type: ignore[arg-type]
    demo.run(ctx)
    assert "nothing to trace" in console.export_text()
