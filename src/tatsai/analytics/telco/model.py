"""The scam-SIM model: gradient-boosted trees (LightGBM) over the hourly features.

Saved as two files in a folder, never a pickle: ``scam_sim.lgb.txt`` (LightGBM's own text
model) and ``scam_sim.json`` (feature order, decision threshold, training facts). The shipped
model lives in ``tatsai/analytics/telco/model/``; ``tatsai telco train`` writes a new one.

Labels for training come from a world's truth: a row is positive when its SIM is a confirmed
scam SIM and its hour is at or after the SIM's first scam call; rows of other SIMs are
negative; rows of scam SIMs before their first scam call are left out.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tatsai.analytics.boosters import booster_from_text, model_sha256
from tatsai.analytics.telco.features import FEATURES
from tatsai.core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    # Imported where used: LightGBM pulls in scikit-learn and SciPy, seconds of start-up
    # that every other `tatsai` command would otherwise pay.
    import lightgbm as lgb

MODEL_FILE = "scam_sim.lgb.txt"
META_FILE = "scam_sim.json"
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    # Small, well-populated leaves and a strong L2 penalty: with 15 leaves of 20 rows the
    # model was certain (0.999+) about a few heavy legitimate callers out of fold; these
    # settings were chosen on the training world's out-of-fold scores (docs/evaluation.md).
    "num_leaves": 7,
    "min_data_in_leaf": 200,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "num_threads": 2,
    "verbose": -1,
    "deterministic": True,
    "seed": 7,
}
ROUNDS = 200
MAX_NEGATIVE_ROWS = 400_000
HEAVY_WEIGHT = 1.0  # weight of heavy legitimate callers' rows in training (see train)
HEAVY_CONFIDENCE = 0.9  # the heavy-caller limit must hold with this confidence (see train)


def feature_matrix(features: pa.Table) -> npt.NDArray[np.float64]:
    """The FEATURES columns of an hourly feature table as a float matrix (rows × features)."""
    if features.num_rows == 0:
        return np.zeros((0, len(FEATURES)))
    return np.column_stack(
        [features.column(name).to_numpy(zero_copy_only=False).astype(float) for name in FEATURES]
    )


@dataclass
class ScamSimModel:
    """A trained booster with its decision threshold (on the hourly probability)."""

    booster: lgb.Booster
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def predict(self, matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Probability in [0, 1] that each row is a scam SIM's hour."""
        if matrix.shape[0] == 0:
            return np.zeros(0)
        out: npt.NDArray[np.float64] = np.asarray(self.booster.predict(matrix), dtype=float)
        return out

    def contributions(self, matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per-feature contributions (SHAP values, log-odds) of each row; last column is bias."""
        out: npt.NDArray[np.float64] = np.asarray(
            self.booster.predict(matrix, pred_contrib=True), dtype=float
        )
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        text = self.booster.model_to_string()
        (folder / MODEL_FILE).write_text(text, encoding="utf-8")
        meta = {
            **self.meta,
            "features": list(FEATURES),
            "threshold": self.threshold,
            "model_sha256": model_sha256(text),
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> ScamSimModel:
        """Read a model folder; fails when its features differ from this version's."""
        model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
        if not model_path.exists() or not meta_path.exists():
            raise NotFound(f"{folder}: no {MODEL_FILE} and {META_FILE}", field="model")
        unreadable = f"{folder}: not a model written by `tatsai telco train`"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            ours = meta.get("features") == list(FEATURES)
            threshold = float(meta["threshold"]) if ours else 0.0
            text = model_path.read_text(encoding="utf-8")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # not JSON, not UTF-8
            raise InvalidInput(unreadable, field="model") from exc
        if not ours:
            raise InvalidInput(
                f"{folder}: model was trained on other features; retrain it", field="model"
            )
        sha256 = meta.get("model_sha256")
        booster = booster_from_text(text, unreadable, sha256=str(sha256) if sha256 else None)
        return cls(booster=booster, threshold=threshold, meta=meta)


def shipped_model_dir() -> Path:
    return Path(str(resources.files("tatsai.analytics.telco") / "model"))


def load_shipped() -> ScamSimModel | None:
    """The model shipped with the package, or ``None`` when none is shipped."""
    folder = shipped_model_dir()
    if not (folder / MODEL_FILE).exists():
        return None
    return ScamSimModel.load(folder)


def labels_for(
    features: pa.Table, first_scam_hour: dict[str, int]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Labels (1.0 scam hour, 0.0 other) and the mask of rows to keep (see module docstring)."""
    imsi = features.column("imsi").to_pylist()
    hour = features.column("hour").to_numpy()
    first = np.array([first_scam_hour.get(s, -1) for s in imsi], dtype=np.int64)
    scam_sim = first >= 0
    label = (scam_sim & (hour >= first)).astype(float)
    keep = ~scam_sim | (hour >= first)
    return label, keep


def _fit(
    matrix: npt.NDArray[np.float64],
    label: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
    *,
    rounds: int,
    seed: int,
    emphasis: npt.NDArray[np.float64] | None = None,
) -> lgb.Booster:
    import lightgbm as lgb

    rng = np.random.default_rng(seed)
    negatives = rows[label[rows] == 0]
    positives = rows[label[rows] == 1]
    total_negatives = len(negatives)
    if len(negatives) > MAX_NEGATIVE_ROWS:
        negatives = rng.choice(negatives, MAX_NEGATIVE_ROWS, replace=False)
    chosen = np.sort(np.concatenate([positives, negatives]))
    # Negatives were sampled: weight them back so probabilities keep their meaning.
    weight = np.where(label[chosen] == 1, 1.0, total_negatives / max(len(negatives), 1))
    if emphasis is not None:
        weight = weight * emphasis[chosen]
    data = lgb.Dataset(
        matrix[chosen], label=label[chosen], weight=weight, feature_name=list(FEATURES)
    )
    # PARAMS' leaf size is for a medium world (about 400,000 rows): scaled down for small ones.
    leaf = min(int(PARAMS["min_data_in_leaf"]), max(20, len(chosen) // 2000))
    return lgb.train(
        {**PARAMS, "min_data_in_leaf": leaf, "seed": seed}, data, num_boost_round=rounds
    )


def train(
    features: pa.Table,
    first_scam_hour: dict[str, int],
    *,
    rounds: int = ROUNDS,
    seed: int = 7,
    folds: int = 3,
    target_precision: float = 0.98,
    heavy: Collection[str] = (),
    max_heavy_share: float = 0.001,
    heavy_weight: float = 1.0,
    row_weight: npt.NDArray[np.float64] | None = None,
    heavy_confidence: float | None = HEAVY_CONFIDENCE,
) -> ScamSimModel:
    """Fit on a world's hourly features and truth.

    The decision threshold is chosen on out-of-fold scores of this (training) world (SIMs
    split into ``folds`` groups, each scored by a model that never saw it): the lowest hourly
    probability at which the SIM-level precision (a SIM is flagged when any of its rows reaches
    it) is at least ``target_precision`` and at most ``max_heavy_share`` of the legitimate
    heavy callers ``heavy`` (IMSIs: call centres, riders, sales) are flagged, with
    ``heavy_confidence`` (see :func:`heavy_allowance`; ``None``: the point count). The model
    is then fitted on every row. ``heavy_weight`` multiplies the weight of the heavy callers'
    rows in every fit (they are few, and the costly mistakes).
    """
    label, keep = labels_for(features, first_scam_hour)
    matrix = feature_matrix(features)
    if not (keep & (label == 1)).any() or not (keep & (label == 0)).any():
        raise InvalidInput("training needs both scam and ordinary SIMs", field="truth")
    imsi = features.column("imsi").to_pylist()
    heavy_set = frozenset(heavy)
    emphasis = np.array([heavy_weight if s in heavy_set else 1.0 for s in imsi])
    sampled = np.ones(len(imsi)) if row_weight is None else np.asarray(row_weight, dtype=float)
    emphasis = emphasis * sampled
    group = np.array([zlib.crc32(s.encode()) % folds for s in imsi])
    out_of_fold = np.zeros(len(imsi))
    for fold in range(folds):
        train_rows = np.flatnonzero(keep & (group != fold))
        booster = _fit(
            matrix, label, train_rows, rounds=rounds, seed=seed + fold, emphasis=emphasis
        )
        held = np.flatnonzero(group == fold)
        out_of_fold[held] = booster.predict(matrix[held])
    booster = _fit(matrix, label, np.flatnonzero(keep), rounds=rounds, seed=seed, emphasis=emphasis)
    threshold, curve = _pick_threshold(
        features,
        out_of_fold,
        first_scam_hour,
        target_precision,
        heavy_set,
        max_heavy_share,
        sim_weight=sampled,
        heavy_confidence=heavy_confidence,
    )
    shown = {0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, threshold}
    chosen = next(c for c in curve if c[0] == threshold)
    return ScamSimModel(
        booster=booster,
        threshold=threshold,
        meta={
            "rows": int(keep.sum()),
            "positive_rows": int((keep & (label == 1)).sum()),
            "scam_sims": len(first_scam_hour),
            "rounds": rounds,
            "folds": folds,
            "params": PARAMS,
            "target_precision": target_precision,
            "max_heavy_share": max_heavy_share,
            "heavy_confidence": heavy_confidence,
            "heavy_weight": heavy_weight,
            "heavy_callers": len(heavy_set),
            "out_of_fold_at_threshold": {
                "precision": round(chosen[1], 4),
                "recall": round(chosen[2], 4),
                "heavy_flagged": chosen[3],
            },
            "out_of_fold_sim_curve": [
                {
                    "threshold": t,
                    "precision": round(p, 4),
                    "recall": round(r, 4),
                    "heavy_flagged": h,
                }
                for t, p, r, h in curve
                if round(t, 3) in shown
            ],
        },
    )


def sim_level_curve(
    features: pa.Table,
    scores: npt.NDArray[np.float64],
    first_scam_hour: dict[str, int],
    thresholds: npt.NDArray[np.float64],
    heavy: frozenset[str] = frozenset(),
    sim_weight: npt.NDArray[np.float64] | None = None,
) -> list[tuple[float, float, float, int]]:
    """(threshold, precision, recall, heavy callers flagged) with a SIM flagged when any of
    its rows reaches it. ``sim_weight`` (per row, constant within a SIM) is how many SIMs each
    SIM stands for when ordinary SIMs were sampled: flagged ones count that many times in the
    precision."""
    imsi = np.array(features.column("imsi").to_pylist(), dtype=object)
    order = np.argsort(imsi, kind="stable")
    sims, starts = np.unique(imsi[order], return_index=True)
    best = np.maximum.reduceat(scores[order], starts) if len(scores) else np.zeros(0)
    weight = (
        np.ones(len(sims))
        if sim_weight is None or not len(scores)
        else np.asarray(sim_weight, dtype=float)[order][starts]
    )
    truth = np.array([s in first_scam_hour for s in sims], dtype=bool)
    is_heavy = np.array([s in heavy for s in sims], dtype=bool)
    positives = max(int(truth.sum()), 1)
    curve = []
    for threshold in thresholds:
        flagged = best >= threshold
        hits = int((flagged & truth).sum())
        precision = hits / float(weight[flagged].sum()) if flagged.any() else 1.0
        heavy_hits = int((flagged & is_heavy).sum())
        curve.append((float(threshold), precision, hits / positives, heavy_hits))
    return curve


def _pick_threshold(
    features: pa.Table,
    scores: npt.NDArray[np.float64],
    first_scam_hour: dict[str, int],
    target_precision: float,
    heavy: frozenset[str],
    max_heavy_share: float,
    *,
    sim_weight: npt.NDArray[np.float64] | None = None,
    heavy_confidence: float | None = None,
) -> tuple[float, list[tuple[float, float, float, int]]]:
    """The lowest threshold meeting ``target_precision`` and flagging at most
    :func:`heavy_allowance` of ``heavy``; failing that, the best F0.5 among those within the
    heavy limit (or all, when none is)."""
    grid = np.round(
        np.concatenate([np.arange(0.05, 0.95, 0.01), np.arange(0.95, 0.9995, 0.001)]), 3
    )
    curve = sim_level_curve(features, scores, first_scam_hour, grid, heavy, sim_weight)
    allowed = heavy_allowance(len(heavy), max_heavy_share, heavy_confidence)
    within = [c for c in curve if c[3] <= allowed] or curve
    for threshold, precision, recall, _ in within:
        if precision >= target_precision and recall > 0:
            return threshold, curve
    beta2 = 0.25
    best = max(within, key=lambda c: (1 + beta2) * c[1] * c[2] / (beta2 * c[1] + c[2] + 1e-12))
    return best[0], curve


def heavy_allowance(n: int, max_share: float, confidence: float | None) -> float:
    """How many of ``n`` heavy callers a threshold may flag on the training world.

    Without ``confidence``: ``max_share * n``. With it: the most flagged, ``k``, whose
    one-sided Poisson upper bound on the rate (at ``confidence``) stays within ``max_share`` —
    a margin for the next world, where the same threshold meets other heavy callers. With
    2,700 heavy callers, a 0.1% limit and 90% confidence that is 0 (the bound for 0 flagged
    is 2.30 of 2,700 = 0.085%; for 1 it is 3.89 = 0.14%)."""
    if confidence is None:
        return max_share * n
    k = 0
    while _poisson_upper(k + 1, confidence) <= max_share * n:
        k += 1
    return float(k)


def _poisson_upper(k: int, confidence: float) -> float:
    """The rate λ at which seeing ``k`` or fewer events has probability ``1 - confidence`` (the
    exact one-sided bound, through the chi-squared quantile)."""
    from scipy import stats  # imported here: the scan and the CLI's start need none of scipy

    return float(stats.chi2.ppf(confidence, 2 * (k + 1))) / 2
