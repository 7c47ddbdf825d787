"""Demo stage: scan the simulated world for scam SIMs, show suspects, border cells and quality."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco.border import rank_border_cells
from tatsai.analytics.telco.evaluate import first_scam_times, quality
from tatsai.analytics.telco.linkage import link_reports
from tatsai.analytics.telco.load import load_world, table_path
from tatsai.analytics.telco.model import load_shipped
from tatsai.analytics.telco.scan import scan

if TYPE_CHECKING:
    from tatsai.demo import DemoContext


def run(ctx: DemoContext) -> None:
    world = ctx.shared.get("world")
    if world is None or not Path(world).is_dir():
        ctx.console.print("no simulated world from an earlier stage: nothing to scan")
        return
    world = Path(world)
    model = load_shipped()
    with open_engine("duckdb") as engine:
        # The simulator pseudonymizes a world's reporters under its seed's key.
        load_world(engine, world, reporter_secret=f"tatsai-sim-{ctx.seed}")
        result = scan(engine, model=model)
        cells = rank_border_cells(engine, result)
        links = link_reports(engine, result)
    suspects = result.suspects()
    ctx.shared["telco_suspects"] = [v.msisdn for v in suspects]
    ctx.console.print(
        f"scanned {len(result.verdicts):,} SIMs that called or texted "
        f"(scored by {result.scored_by}): {len(suspects)} suspects, "
        f"{sum(v.reverify_owner for v in result.verdicts)} for owner re-verification"
    )
    table = Table("number", "score", "flagged at (UTC)", "why", title="top suspects")
    for v in suspects[:8]:
        flagged = v.first_flag_ts.strftime("%m-%d %H:%M") if v.first_flag_ts else ""
        table.add_row(v.msisdn, f"{v.score:.2f}", flagged, "\n".join(v.reasons[:4]))
    ctx.console.print(table)
    border = Table("cell", "km to border", "suspect share", "legit affected", "recommendation")
    for c in cells[:5]:
        border.add_row(
            c.cell_id,
            f"{c.border_km:.1f}",
            f"{100 * c.suspect_share:.0f}%",
            str(c.legit_subscribers_affected),
            c.recommendation,
        )
    ctx.console.print(border)
    verdicts = {link.verdict for link in links}
    counts = ", ".join(
        f"{sum(link.verdict == v for link in links)} {v.replace('_', ' ')}"
        for v in sorted(verdicts)
    )
    ctx.console.print(f"1185 reports naming a number: {counts or 'none'}")
    if table_path(world, "truth_scam_sims") is not None:
        caught = {v.imsi: v.first_flag_ts for v in suspects}
        q = quality("scan", caught, first_scam_times(world), {})
        median = f"{q.median_detection_h:.1f} h" if q.median_detection_h is not None else "–"
        ctx.console.print(
            f"against the simulator's truth: precision {q.precision:.2f}, recall {q.recall:.2f}, "
            f"median detection {median} after the first scam call"
        )
