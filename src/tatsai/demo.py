"""``make demo``: the main job end to end on the embedded default.

Each context that has something to show contributes one stage (``<context>/demo.py`` with a
``run(ctx)`` function); :data:`STAGES` lists them in the order the story is told.
"""

from __future__ import annotations

import importlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule
from sqlalchemy import Engine

from tatsai.core import migrate
from tatsai.core.db import get_engine
from tatsai.core.settings import get_settings

# (module, title) — later issues add their stage here.
STAGES: list[tuple[str, str]] = [
    ("tatsai.orgs.demo", "Foundation: store, organizations, indicator extraction"),
    ("tatsai.registry.demo", "Registry: allow-list, evidence from several orgs, verdicts, exports"),
    ("tatsai.sim.demo", "Simulator: a small seeded world of calls, SMS, reports and transfers"),
    ("tatsai.screening.demo", "Screening: Thai/English scam verdicts, lookalike links"),
    ("tatsai.reports.demo", "Report center 1185: every channel, the queue, what happened"),
    ("tatsai.analytics.telco.demo", "Telco analytics: scam SIMs, SIM boxes, border cells"),
]


@dataclass
class DemoContext:
    """What stages share: where to write, the database, and what earlier stages left."""

    console: Console
    data_dir: Path
    engine: Engine
    seed: int = 7
    shared: dict[str, Any] = field(default_factory=dict)


def run_demo() -> None:
    console = Console()
    settings = get_settings()
    # The demo keeps to its own folder inside the data dir and never touches the real store.
    data_dir = settings.data_dir / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)  # the same story every run
    data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.database_url or f"sqlite:///{data_dir / 'tatsai.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    ctx = DemoContext(console=console, data_dir=data_dir, engine=engine)
    shown = engine.url.render_as_string(hide_password=True)
    console.print(f"tatsai demo — files in {data_dir}, database {shown}")
    for number, (module, title) in enumerate(STAGES, start=1):
        console.print(Rule(f"stage {number}: {title}"))
        started = time.perf_counter()
        importlib.import_module(module).run(ctx)
        console.print(f"[dim]stage {number} took {time.perf_counter() - started:.1f} s[/dim]")
    console.print(Rule("done"))
