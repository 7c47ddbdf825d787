"""Transparent rules over the hourly features, and the regulator's rules over SIMs and holders.

Each scoring rule is a named test on one (SIM, hour) row with a weight; the rule score of a row
is the sum of the weights of the rules that fire, capped at 1. The reasons a SIM is flagged
are the texts of the rules that fired on its deciding row, with the numbers that made them
fire. Thresholds are stated here once, so an analyst can read exactly why a SIM was flagged.

Regulator rules (Thailand):

* more than :data:`REGULATOR_CALLS_PER_DAY` calls in one (Bangkok) day → the owner is
  re-verified, unless the SIM is a registered business line;
* an ID holder with more than :data:`MAX_SIMS_PER_HOLDER` SIMs across operators must justify
  them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

REGULATOR_CALLS_PER_DAY = 100
MAX_SIMS_PER_HOLDER = 6

Columns = dict[str, npt.NDArray[np.float64]]


@dataclass(frozen=True)
class Rule:
    """One transparent test: ``fires`` over feature columns, ``reason`` for one row."""

    name: str
    weight: float
    fires: Callable[[Columns], npt.NDArray[np.bool_]]
    reason: Callable[[dict[str, float]], str]


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


RULES: tuple[Rule, ...] = (
    Rule(
        "call_burst",
        0.35,
        lambda c: (c["calls_w"] >= 40) & (c["novelty_w"] >= 0.7) & (c["answer_ratio_w"] < 0.5),
        lambda r: (
            f"{r['calls_w']:.0f} calls in the window, {_pct(r['novelty_w'])} to new numbers,"
            f" {_pct(r['answer_ratio_w'])} answered"
        ),
    ),
    Rule(
        "hourly_burst",
        0.25,
        lambda c: (c["calls_1h"] >= 15) & (c["novelty_w"] >= 0.8),
        lambda r: f"{r['calls_1h']:.0f} calls in one hour to mostly new numbers",
    ),
    Rule(
        "sms_blast",
        0.5,
        lambda c: (c["sms_1h"] >= 30) | ((c["sms_w"] >= 100) & (c["novelty_w"] >= 0.7)),
        lambda r: f"{r['sms_1h']:.0f} SMS in one hour, {r['sms_w']:.0f} in the window",
    ),
    Rule(
        "sim_box",
        0.4,
        lambda c: c["sims_on_handset"] >= 5,
        lambda r: f"handset carried {r['sims_on_handset']:.0f} SIMs (SIM box)",
    ),
    Rule(
        "young_sim",
        0.15,
        lambda c: c["sim_age_h"] < 72,
        lambda r: f"SIM activated {r['sim_age_h']:.0f} h before",
    ),
    Rule(
        "no_callbacks",
        0.15,
        lambda c: (c["calls_w"] >= 20) & (c["callback_ratio_w"] < 0.02),
        lambda r: f"{_pct(r['callback_ratio_w'])} of callees called back",
    ),
    Rule(
        "short_calls",
        0.1,
        lambda c: (c["calls_w"] >= 20) & (c["short_share_w"] >= 0.5),
        lambda r: f"{_pct(r['short_share_w'])} of answered calls under 30 s",
    ),
    Rule(
        "border_cells",
        0.2,
        lambda c: c["border_share_w"] >= 0.5,
        lambda r: f"{_pct(r['border_share_w'])} of traffic on border cells",
    ),
    Rule(
        "reported",
        0.15,
        lambda c: c["reports_total"] >= 1,
        lambda r: f"named in {r['reports_total']:.0f} report(s) to 1185",
    ),
)

RULE_THRESHOLD = 0.5


def fired_matrix(columns: Columns) -> npt.NDArray[np.bool_]:
    """Rows × rules: which rule fires on which row."""
    if not RULES:  # pragma: no cover - the tuple above is never empty
        return np.zeros((0, 0), bool)
    return np.column_stack([rule.fires(columns) for rule in RULES])


def rule_scores(fired: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """The rule score of each row in [0, 1]: summed weights of the fired rules, capped."""
    weights = np.array([rule.weight for rule in RULES])
    scores: npt.NDArray[np.float64] = np.minimum(fired.astype(float) @ weights, 1.0)
    return scores


def reasons_for(row: dict[str, float], fired: npt.NDArray[np.bool_]) -> list[str]:
    """The texts of the rules that fired on ``row`` (in rule order)."""
    return [
        f"{rule.name}: {rule.reason(row)}" for rule, hit in zip(RULES, fired, strict=True) if hit
    ]


def needs_reverification(max_calls_day: int, business_line: bool) -> bool:
    """The regulator's rule: more than 100 calls in a day and not a registered business line."""
    return max_calls_day > REGULATOR_CALLS_PER_DAY and not business_line


HOLDERS_SQL = f"""
SELECT holder_id, COUNT(*) AS sims, COUNT(DISTINCT operator) AS operators
FROM subscribers
WHERE holder_id IS NOT NULL
GROUP BY holder_id
HAVING COUNT(*) > {MAX_SIMS_PER_HOLDER}
ORDER BY sims DESC, holder_id
"""
"""Holders with more than six SIMs across operators (columns ``holder_id, sims, operators``)."""
