"""The mule model: gradient-boosted trees (LightGBM) over the account features.

Saved as two files, never a pickle: ``<path>`` holds LightGBM's own text model and
``<path>.json`` its sidecar (feature order, decision threshold, training facts). Loading
checks that the sidecar's features are the ones this code computes.

The decision threshold is chosen on out-of-fold scores of the training data (3 folds), as the
threshold with the best F1; the test data never sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from tatsai.analytics.boosters import booster_from_text, model_sha256
from tatsai.analytics.money.features import FEATURES, feature_matrix
from tatsai.core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    # Imported where used: LightGBM pulls in scikit-learn and SciPy, seconds of start-up
    # that every other `tatsai` command would otherwise pay.
    import lightgbm as lgb

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,  # OpenMP spinning on a busy 2-core machine costs more than it gains
    "verbose": -1,
    "deterministic": True,
    "seed": 7,
}
ROUNDS = 300
FOLDS = 3
FORMAT = "tatsai-mule-model/1"


@dataclass
class MuleModel:
    """A trained booster, its feature names and its decision threshold (on the probability)."""

    booster: lgb.Booster
    features: tuple[str, ...] = FEATURES
    threshold: float = 0.5
    facts: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: pa.Table) -> np.ndarray:
        """Mule probability in [0, 1] per row of ``features``."""
        if features.num_rows == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(feature_matrix(features, self.features)))

    def reasons(self, features: pa.Table, top: int = 3) -> list[str]:
        """Per row, the ``top`` features raising the score most: ``name=value;…``."""
        if features.num_rows == 0:
            return []
        matrix = feature_matrix(features, self.features)
        contrib = np.asarray(self.booster.predict(matrix, pred_contrib=True))[:, :-1]
        order = np.argsort(-contrib, axis=1)[:, :top]
        out: list[str] = []
        for row, picks in enumerate(order):
            parts = [f"{self.features[j]}={matrix[row, j]:g}" for j in picks if contrib[row, j] > 0]
            out.append(";".join(parts))
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.booster.model_to_string()
        path.write_text(text, encoding="utf-8")
        sidecar = {
            "format": FORMAT,
            "model_sha256": model_sha256(text),
            "features": list(self.features),
            "threshold": self.threshold,
            "facts": self.facts,
        }
        _sidecar(path).write_text(json.dumps(sidecar, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> MuleModel:
        if not path.exists() or not _sidecar(path).exists():
            raise NotFound(
                f"no mule model at {path} (needs {path.name} and its .json)", field="model"
            )
        unreadable = f"{path}: not a mule model written by `tatsai money train`"
        try:
            meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
            text = path.read_text(encoding="utf-8")
            ours = meta.get("format") == FORMAT and tuple(meta.get("features", ())) == FEATURES
            threshold = float(meta["threshold"]) if ours else 0.0
            facts = dict(meta.get("facts", {}))
            sha256 = str(meta["model_sha256"]) if meta.get("model_sha256") else None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # not JSON, not UTF-8
            raise InvalidInput(unreadable, field="model") from exc
        if not ours:
            raise InvalidInput(f"{path}: not a model for this version's features", field="model")
        booster = booster_from_text(text, unreadable, sha256=sha256)
        return cls(booster, FEATURES, threshold, facts)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _fit(x: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> lgb.Booster:
    import lightgbm as lgb

    data = lgb.Dataset(x, label=y, feature_name=list(names), free_raw_data=True)
    return lgb.train(PARAMS, data, num_boost_round=ROUNDS)


def best_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold with the best F1 on (y, scores); 0.5 when there are no positives."""
    if y.sum() == 0:
        return 0.5
    candidates = np.unique(np.round(scores, 3))
    best, best_f1 = 0.5, -1.0
    for t in candidates[(candidates > 0.05) & (candidates < 0.95)]:
        f1 = f1_score(y, scores >= t)
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def precision_threshold(y: np.ndarray, scores: np.ndarray, floor: float) -> float:
    """The lowest score threshold (most recall) whose precision on (y, scores) is ≥ ``floor``.

    Thresholds are the distinct scores rounded to 3 places, above 0; 1.0 when none reaches it.
    """
    candidates = np.unique(np.round(scores, 3))
    candidates = candidates[candidates > 0]
    order = np.argsort(scores, kind="stable")
    ranked = scores[order]
    # Positives at or above each candidate, and rows at or above it.
    positives_below = np.r_[0, np.cumsum(y[order] == 1)]
    cut = np.searchsorted(ranked, candidates, side="left")
    flagged = len(y) - cut
    hits = positives_below[-1] - positives_below[cut]
    ok = (flagged > 0) & (hits >= floor * np.maximum(flagged, 1))
    return float(candidates[ok][0]) if ok.any() else 1.0


def f1_score(y: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum((y == 1) & predicted))
    fp = float(np.sum((y == 0) & predicted))
    fn = float(np.sum((y == 1) & ~predicted))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def train(
    features: list[pa.Table], labels: list[np.ndarray], *, names: tuple[str, ...] = FEATURES
) -> MuleModel:
    """A model from feature tables and their 0/1 labels (one pair per training data set)."""
    x = np.vstack([feature_matrix(f, names) for f in features])
    y = np.concatenate(labels).astype(int)
    if len(y) == 0 or y.min() == y.max():
        raise InvalidInput("training needs both mule and non-mule accounts", field="labels")
    rng = np.random.default_rng(PARAMS["seed"])
    fold = rng.integers(0, FOLDS, size=len(y))
    # Bagging keeps 80 % of the rows: from one row that is none, and LightGBM stops the process's
    # output with a fatal error instead of a refusal.
    if min(int((fold != k).sum()) for k in range(FOLDS)) < 2:
        raise InvalidInput(
            f"{len(y)} labelled accounts are too few to train on: each of the {FOLDS} "
            "out-of-fold models needs at least 2 accounts to learn from",
            field="labels",
        )
    oof = np.zeros(len(y))
    for k in range(FOLDS):
        booster = _fit(x[fold != k], y[fold != k], names)
        oof[fold == k] = booster.predict(x[fold == k])
    threshold = best_threshold(y, oof)
    facts = {
        "rows": len(y),
        "positives": int(y.sum()),
        "oof_f1": round(f1_score(y, oof >= threshold), 4),
        # Operating point for a precision target (docs/evaluation.md): chosen on the same
        # out-of-fold scores, never on the data scored later.
        "threshold_p90": precision_threshold(y, oof, 0.90),
        "rounds": ROUNDS,
    }
    return MuleModel(_fit(x, y, names), names, threshold, facts)
