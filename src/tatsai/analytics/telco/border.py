"""Border cells: which cells near a land border carry scam traffic, and what lowering their
power would cost.

For every cell within ``radius_km`` of the border, over the scanned period:

* ``suspect_share`` — share of the cell's originated calls and SMS made by suspect SIMs;
* ``legit_subscribers_affected`` — distinct non-suspect SIMs that originated traffic on the
  cell: an upper bound on the legitimate subscribers a power cut would reach;
* ``recommendation`` — ``lower power`` when at least half of the traffic is the suspects' and
  few people are affected, ``review`` when a fifth is, else ``keep``; with the numbers.

Cells are ranked by suspect events, then by share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.telco.scan import ScanResult
from tatsai.core.errors import InvalidInput

BORDER_COLUMNS = (
    "cell_id",
    "border_km",
    "suspect_share",
    "legit_subscribers_affected",
    "recommendation",
)
LOWER_POWER_SHARE = 0.5
REVIEW_SHARE = 0.2
MAX_AFFECTED_FOR_CUT = 200


@dataclass(frozen=True)
class BorderCell:
    cell_id: str
    border_km: float
    border_country: str
    events: int
    suspect_events: int
    suspect_sims: int
    suspect_share: float
    legit_subscribers_affected: int
    recommendation: str

    def as_row(self) -> dict[str, object]:
        return {
            "cell_id": self.cell_id,
            "border_km": round(self.border_km, 2),
            "suspect_share": round(self.suspect_share, 4),
            "legit_subscribers_affected": self.legit_subscribers_affected,
            "recommendation": self.recommendation,
        }


def border_sql(radius_km: float) -> str:
    return f"""
SELECT l.cell_id, l.border_km, l.border_country,
    COUNT(*) AS events,
    CAST(SUM(CASE WHEN s.imsi IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS suspect_events,
    COUNT(DISTINCT s.imsi) AS suspect_sims,
    COUNT(DISTINCT CASE WHEN s.imsi IS NULL THEN c.a_imsi END) AS legit_sims
FROM cdr c
JOIN cells l ON l.cell_id = c.cell_id
LEFT JOIN scan_suspects s ON s.imsi = c.a_imsi
WHERE c.direction = 'mo' AND c.a_imsi IS NOT NULL AND l.border_km <= {float(radius_km)}
GROUP BY l.cell_id, l.border_km, l.border_country
"""


def _recommend(share: float, suspects: int, affected: int) -> str:
    if share >= LOWER_POWER_SHARE and affected <= MAX_AFFECTED_FOR_CUT:
        return (
            f"lower power: {100 * share:.0f}% of traffic from {suspects} suspect SIMs; "
            f"{affected} legitimate subscribers affected"
        )
    if share >= REVIEW_SHARE or (share >= LOWER_POWER_SHARE and affected > MAX_AFFECTED_FOR_CUT):
        return (
            f"review: {100 * share:.0f}% of traffic from {suspects} suspect SIMs; "
            f"{affected} legitimate subscribers would be affected"
        )
    return f"keep: {100 * share:.1f}% suspect traffic"


def rank_border_cells(
    engine: AnalyticsEngine, result: ScanResult, *, radius_km: float = 20.0
) -> list[BorderCell]:
    """Border cells ranked by suspect traffic (see the module docstring).

    ``radius_km`` is a finite distance ≥ 0 (it is written into the query as a number).
    """
    if not (math.isfinite(radius_km) and radius_km >= 0):
        raise InvalidInput(
            f"radius {radius_km} km: give a distance of 0 or more", field="radius_km"
        )
    suspects = pa.table({"imsi": pa.array([v.imsi for v in result.suspects()], pa.string())})
    engine.register("scan_suspects", suspects)
    cells = []
    for row in engine.query(border_sql(radius_km)).to_pylist():
        events, bad = int(row["events"]), int(row["suspect_events"])
        share = bad / events if events else 0.0
        affected = int(row["legit_sims"])
        cells.append(
            BorderCell(
                cell_id=str(row["cell_id"]),
                border_km=float(row["border_km"]),
                border_country=str(row["border_country"]),
                events=events,
                suspect_events=bad,
                suspect_sims=int(row["suspect_sims"]),
                suspect_share=share,
                legit_subscribers_affected=affected,
                recommendation=_recommend(share, int(row["suspect_sims"]), affected),
            )
        )
    cells.sort(key=lambda c: (-c.suspect_events, -c.suspect_share, c.cell_id))
    return cells
