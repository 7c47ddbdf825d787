"""The scan: hourly features → rules and model → one verdict per SIM, with reasons.

A SIM's score is the highest hourly score it reached (the model's probability, or the rule
score when no model is used); it is a suspect when that reaches the threshold, and
``first_flag_ts`` is the end of the first hour at or above it: when an hourly scan would have
flagged it. Every SIM that made a call or sent an SMS gets a row, gated out or not.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.telco import rules
from tatsai.analytics.telco.features import (
    FEATURES,
    FeatureParams,
    hourly_features_sql,
    sim_summary_sql,
)
from tatsai.analytics.telco.model import ScamSimModel, feature_matrix

SCAN_COLUMNS = ("msisdn", "imsi", "score", "is_suspect", "reasons")


@dataclass(frozen=True)
class SimVerdict:
    """The scan's finding about one SIM. ``score`` in [0, 1]; times are UTC."""

    imsi: str
    msisdn: str
    score: float
    is_suspect: bool
    reasons: tuple[str, ...]
    first_flag_ts: dt.datetime | None
    reverify_owner: bool
    max_calls_day: int
    calls: int
    sms: int
    business_line: bool
    holder_id: str | None
    operator: str | None


@dataclass
class ScanResult:
    verdicts: list[SimVerdict]
    features: pa.Table
    threshold: float
    scored_by: str  # "model" or "rules"

    def suspects(self) -> list[SimVerdict]:
        """Suspects, highest score first."""
        return sorted((v for v in self.verdicts if v.is_suspect), key=lambda v: -v.score)

    def by_msisdn(self) -> dict[str, SimVerdict]:
        return {v.msisdn: v for v in self.verdicts}


def hour_end(hour: int) -> dt.datetime:
    """The end of UTC hour index ``hour`` (hours since the epoch)."""
    return dt.datetime.fromtimestamp((hour + 1) * 3600, tz=dt.UTC)


def _columns(features: pa.Table) -> rules.Columns:
    return {
        name: features.column(name).to_numpy(zero_copy_only=False).astype(float)
        for name in FEATURES
    }


def compute(
    engine: AnalyticsEngine, params: FeatureParams | None = None
) -> tuple[pa.Table, list[dict[str, object]]]:
    """The gated hourly features and the per-SIM summary of the world on ``engine``."""
    params = params or FeatureParams()
    features = engine.query(hourly_features_sql(params))
    summary = engine.query(sim_summary_sql(params)).to_pylist()
    return features, summary


def scan(
    engine: AnalyticsEngine,
    *,
    params: FeatureParams | None = None,
    model: ScamSimModel | None = None,
) -> ScanResult:
    """Score every SIM in the world registered on ``engine`` (see :mod:`.load`)."""
    features, summary = compute(engine, params)
    return score(features, summary, model=model)


def score(
    features: pa.Table, summary: list[dict[str, object]], *, model: ScamSimModel | None = None
) -> ScanResult:
    """Verdicts from computed features: the model's when given, else the rules'."""
    columns = _columns(features)
    fired = (
        rules.fired_matrix(columns) if features.num_rows else np.zeros((0, len(rules.RULES)), bool)
    )
    if model is not None:
        scores = model.predict(feature_matrix(features))
        threshold, scored_by = model.threshold, "model"
    else:
        scores = rules.rule_scores(fired)
        threshold, scored_by = rules.RULE_THRESHOLD, "rules"
    deciding = _deciding_rows(features, scores, threshold)
    contributions = _explain(model, features, deciding, scores, threshold)
    verdicts: list[SimVerdict] = []
    for sim in summary:
        imsi = str(sim["imsi"])
        row = deciding.get(imsi)
        score = float(scores[row]) if row is not None else 0.0
        suspect = score >= threshold
        reasons: list[str] = []
        if row is not None and (suspect or fired[row].any()):
            values = {name: float(columns[name][row]) for name in FEATURES}
            reasons = rules.reasons_for(values, fired[row])
            reasons += contributions.get(row, [])
        max_day = int(str(sim["max_calls_day"] or 0))
        business = bool(sim["business_line"])
        reverify = rules.needs_reverification(max_day, business)
        if reverify:
            reasons.append(
                f"regulator: {max_day} calls in one day > {rules.REGULATOR_CALLS_PER_DAY}"
                " → owner re-verification"
            )
        first_hour = int(features.column("hour")[row].as_py()) if row is not None else None
        verdicts.append(
            SimVerdict(
                imsi=imsi,
                msisdn=str(sim["msisdn"]),
                score=round(score, 4),
                is_suspect=suspect,
                reasons=tuple(reasons),
                first_flag_ts=hour_end(first_hour) if suspect and first_hour is not None else None,
                reverify_owner=reverify,
                max_calls_day=max_day,
                calls=int(str(sim["calls"] or 0)),
                sms=int(str(sim["sms"] or 0)),
                business_line=business,
                holder_id=None if sim["holder_id"] is None else str(sim["holder_id"]),
                operator=None if sim["operator"] is None else str(sim["operator"]),
            )
        )
    verdicts.sort(key=lambda v: (-v.score, v.imsi))
    return ScanResult(verdicts, features, threshold, scored_by)


def _deciding_rows(
    features: pa.Table, scores: npt.NDArray[np.float64], threshold: float
) -> dict[str, int]:
    """For each SIM the row that decides it: its first row at or above the threshold, or its
    highest-scoring row when none reaches it. (Rows come ordered by SIM and hour.)"""
    imsi = features.column("imsi").to_pylist()
    deciding: dict[str, int] = {}
    flagged: set[str] = set()
    for i, sim in enumerate(imsi):
        if sim in flagged:
            continue
        if scores[i] >= threshold:
            deciding[sim] = i
            flagged.add(sim)
        elif sim not in deciding or scores[i] > scores[deciding[sim]]:
            deciding[sim] = i
    return deciding


def _explain(
    model: ScamSimModel | None,
    features: pa.Table,
    deciding: dict[str, int],
    scores: npt.NDArray[np.float64],
    threshold: float,
) -> dict[int, list[str]]:
    """The model's three strongest pushes toward "scam" on each suspect's deciding row."""
    if model is None:
        return {}
    rows = sorted(i for i in deciding.values() if scores[i] >= threshold)
    if not rows:
        return {}
    matrix = feature_matrix(features.take(pa.array(rows)))
    contrib = model.contributions(matrix)
    out: dict[int, list[str]] = {}
    for k, row in enumerate(rows):
        pushes = sorted(
            ((contrib[k, j], FEATURES[j], matrix[k, j]) for j in range(len(FEATURES))),
            reverse=True,
        )[:3]
        out[row] = [
            f"model: {name}={value:.3g} (+{weight:.2f})"
            for weight, name, value in pushes
            if weight > 0
        ]
    return out


def write_scan_csv(result: ScanResult, path: Path) -> int:
    """Write ``msisdn,imsi,score,is_suspect,reasons`` (reasons joined by ``; ``), ranked by
    score; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*SCAN_COLUMNS, "first_flag_ts", "reverify_owner"])
        for v in result.verdicts:
            writer.writerow(
                [
                    v.msisdn,
                    v.imsi,
                    f"{v.score:.4f}",
                    "true" if v.is_suspect else "false",
                    "; ".join(v.reasons),
                    v.first_flag_ts.isoformat().replace("+00:00", "Z") if v.first_flag_ts else "",
                    "true" if v.reverify_owner else "false",
                ]
            )
    return len(result.verdicts)
