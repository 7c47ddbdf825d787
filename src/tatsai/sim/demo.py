"""Demo stage: simulate a small world that later stages analyse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tatsai.sim.cli import summary_table
from tatsai.sim.generate import simulate

if TYPE_CHECKING:
    from tatsai.demo import DemoContext


def run(ctx: DemoContext) -> None:
    world = ctx.data_dir / "world"
    summary = simulate(world, scale="small", seed=ctx.seed)
    ctx.shared["world"] = world
    ctx.console.print(summary_table(summary))
