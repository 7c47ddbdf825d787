"""``tatsai simulate``: write a seeded world of calls, SMS, reports and transfers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tatsai.core.errors import InvalidInput
from tatsai.sim.config import DEFAULT_START, ScaleName
from tatsai.sim.generate import Summary, simulate


def summary_table(summary: Summary):  # type: ignore[no-untyped-def]
    """A rich table of rows written per table and the world's headline counts."""
    from rich.table import Table

    table = Table("table", "rows", title=f"world in {summary.out}")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    for name, value in summary.counts.items():
        table.add_row(f"[dim]{name}[/dim]", f"[dim]{value:,}[/dim]")
    return table


def simulate_command(
    out: Path = typer.Option(
        ..., "--out", help="Folder for the world (an earlier world is replaced)."
    ),
    scale: ScaleName = typer.Option(ScaleName.small, "--scale", help="World size."),
    days: int | None = typer.Option(None, "--days", min=1, max=366, help="Simulated days."),
    seed: int = typer.Option(7, "--seed", min=0, help="Random seed; same seed, same bytes."),
    fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
    start: str | None = typer.Option(
        None, "--start", help="First local day in Bangkok, YYYY-MM-DD (default 2026-03-02)."
    ),
) -> None:
    """Simulate a Thai scam ecosystem with ground truth (see docs/simulator.md)."""
    if scale == ScaleName.large:
        # 60 million subscribers do not fit one process on one machine (docs/simulator.md).
        raise InvalidInput(
            "the large scale is a parameter set for a Spark cluster; run small or medium here",
            field="scale",
        )
    first = DEFAULT_START
    if start is not None:
        try:
            first = datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError as exc:
            raise InvalidInput("start must be a date YYYY-MM-DD", field="start") from exc
    bar = Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("simulating", total=None)

    def tick(stage: str, done: int, total: int) -> None:
        # Shown from the first stage on: a refused input (checked before it) stays one line.
        if not bar.live.is_started:
            bar.start()
        bar.update(task, description=stage, completed=done, total=total)

    try:
        summary = simulate(
            out, scale=scale.value, days=days, seed=seed, fmt=fmt, start=first, progress=tick
        )
    finally:
        if bar.live.is_started:
            bar.stop()
    Console().print(summary_table(summary))
