"""The scan: hourly features → rules and model → one verdict per SIM, with reasons.

A SIM's score is the highest hourly score it reached (the model's probability, or the rule
score when no model is used); it is a suspect when that reaches the threshold, and
``first_flag_ts`` is the end of the first hour at or above it: when an hourly scan would have
flagged it. Every SIM that made a call or sent an SMS gets a row, gated out or not.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

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
    """The verdicts, and ``features``: each scored SIM's deciding hourly row (see
    :func:`score`), one row per SIM that has hourly features, in the hourly table's columns."""

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


BATCH_ROWS = 500_000


def scan(
    engine: AnalyticsEngine,
    *,
    params: FeatureParams | None = None,
    model: ScamSimModel | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScanResult:
    """Score every SIM in the world registered on ``engine`` (see :mod:`.load`).

    The hourly features are scored as they arrive, ``batch_rows`` at a time, keeping only
    each SIM's deciding row: memory does not grow with the number of SIM-hours."""
    return scan_each(engine, params=params, models=[model], batch_rows=batch_rows)[0]


def scan_each(
    engine: AnalyticsEngine,
    *,
    params: FeatureParams | None = None,
    models: Sequence[ScamSimModel | None],
    batch_rows: int = BATCH_ROWS,
) -> list[ScanResult]:
    """One :func:`scan` per scorer in ``models`` (``None``: the rules), in that order, from a
    single streamed pass over the hourly features: each batch is scored by every scorer
    before the next is read, so the features are computed once and never held whole."""
    params = params or FeatureParams()
    # Kept as Arrow (compact) and turned into Python rows only while the verdicts are made.
    summary = engine.query(sim_summary_sql(params))
    batches = engine.query_batches(hourly_features_sql(params), batch_rows)
    return _score_batches(batches, lambda: _pyrows(summary), models)


def _pyrows(table: pa.Table, batch_rows: int = 65_536) -> Iterator[dict[str, object]]:
    for batch in table.to_batches(max_chunksize=batch_rows):
        yield from batch.to_pylist()


def score(
    features: pa.Table,
    summary: list[dict[str, object]],
    *,
    model: ScamSimModel | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScanResult:
    """Verdicts from computed features: the model's when given, else the rules'. A SIM's
    deciding row is its first row at or above the threshold, or its first highest-scoring
    row when none reaches it."""
    batches = features.to_batches(max_chunksize=batch_rows)
    return _score_batches(batches, lambda: summary, [model])[0]


def _threshold(model: ScamSimModel | None) -> tuple[float, str]:
    if model is not None:
        return model.threshold, "model"
    return rules.RULE_THRESHOLD, "rules"


def _score_batches(
    batches: Iterable[pa.RecordBatch],
    summary: Callable[[], Iterable[dict[str, object]]],
    models: Sequence[ScamSimModel | None],
) -> list[ScanResult]:
    """Fold hourly feature batches (ordered by SIM and hour) into the deciding row of each
    SIM for each scorer in ``models``, then turn those rows and the summary (``summary()``
    is called once per scorer) into verdicts."""
    kept: list[list[tuple[pa.Table, npt.NDArray[np.float64]]]] = [[] for _ in models]
    schema: pa.Schema | None = None

    def decide(rows: pa.Table) -> None:
        for model, decided in zip(models, kept, strict=True):
            decided.append(_decide(rows, model, _threshold(model)[0]))

    carry: pa.Table | None = None
    for batch in batches:
        schema = batch.schema
        chunk = pa.Table.from_batches([batch])
        if carry is not None:
            chunk = pa.concat_tables([carry, chunk])
        # The last SIM of a batch may go on in the next one: hold its rows back.
        split = chunk.num_rows - _last_run_length(chunk.column("imsi"))
        carry = chunk.slice(split)
        if split:
            decide(chunk.slice(0, split))
    if carry is not None and carry.num_rows:
        decide(carry)
    results = []
    for model, decided in zip(models, kept, strict=True):
        if decided:
            features = pa.concat_tables([t for t, _ in decided]).combine_chunks()
            scores = np.concatenate([s for _, s in decided])
        else:
            empty = (
                schema.empty_table()
                if schema is not None
                else pa.table({"imsi": pa.array([], pa.string()), "hour": pa.array([], pa.int64())})
            )
            features, scores = empty, np.zeros(0)
        decided.clear()  # the deciding rows now live in ``features`` only
        threshold, scored_by = _threshold(model)
        results.append(_verdicts(features, scores, summary(), model, threshold, scored_by))
    return results


def _last_run_length(imsi: pa.ChunkedArray) -> int:
    """How many rows at the end of ``imsi`` belong to its last SIM."""
    if len(imsi) == 0:
        return 0
    last = imsi[-1]
    same = pc.is_null(imsi) if not last.is_valid else pc.equal(imsi, last)
    return int(pc.sum(same.fill_null(False)).as_py() or 0)


def _scores(
    features: pa.Table, model: ScamSimModel | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    fired = (
        rules.fired_matrix(_columns(features))
        if features.num_rows
        else np.zeros((0, len(rules.RULES)), bool)
    )
    if model is not None:
        return model.predict(feature_matrix(features)), fired
    return rules.rule_scores(fired), fired


def _decide(
    rows: pa.Table, model: ScamSimModel | None, threshold: float
) -> tuple[pa.Table, npt.NDArray[np.float64]]:
    """Each SIM's deciding row among ``rows`` (all of each SIM's rows, ordered by SIM and
    hour) with its score: its first row at or above the threshold, or its first
    highest-scoring row when none reaches it."""
    scores, _ = _scores(rows, model)
    imsi = rows.column("imsi")
    n = rows.num_rows
    head, tail = imsi.slice(0, n - 1), imsi.slice(1)
    changed = pc.or_(
        pc.not_equal(tail, head).fill_null(False),
        pc.xor(pc.is_null(tail), pc.is_null(head)),
    )
    new_sim = np.concatenate(([True], changed.to_numpy(zero_copy_only=False).astype(bool)))
    starts = np.flatnonzero(new_sim)
    group = np.cumsum(new_sim) - 1
    index = np.arange(n)
    first_hit = np.minimum.reduceat(np.where(scores >= threshold, index, n), starts)
    best = np.maximum.reduceat(scores, starts)
    first_best = np.minimum.reduceat(np.where(scores == best[group], index, n), starts)
    deciding = np.where(first_hit < n, first_hit, first_best)
    return rows.take(pa.array(deciding)), scores[deciding]


def _verdicts(
    features: pa.Table,
    scores: npt.NDArray[np.float64],
    summary: Iterable[dict[str, object]],
    model: ScamSimModel | None,
    threshold: float,
    scored_by: str,
) -> ScanResult:
    """Verdicts from each SIM's deciding row (``features``, one row per SIM) and its score."""
    columns = _columns(features) if features.num_rows else {}
    fired = rules.fired_matrix(columns) if columns else np.zeros((0, len(rules.RULES)), bool)
    deciding = {sim: i for i, sim in enumerate(features.column("imsi").to_pylist())}
    hours = features.column("hour").to_pylist()
    contributions = _explain(model, features, scores, threshold)
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
        first_hour = int(hours[row]) if row is not None else None
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


def _explain(
    model: ScamSimModel | None,
    features: pa.Table,
    scores: npt.NDArray[np.float64],
    threshold: float,
) -> dict[int, list[str]]:
    """The model's three strongest pushes toward "scam" on each suspect's deciding row."""
    if model is None:
        return {}
    rows = np.flatnonzero(scores >= threshold).tolist()
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
