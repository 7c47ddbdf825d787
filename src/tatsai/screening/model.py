"""The shipped screening model: a calibrated linear classifier stored as plain arrays.

Format (never a pickle): ``model.npz`` holds numeric arrays only and is loaded with
``allow_pickle=False``; ``model.json`` holds the metadata (labels, features, training data,
metrics). Weights are stored sparsely (non-zero columns and their values) and expanded into a
dense ``(classes, N_FEATURES)`` float32 matrix (≈ 13 MB) on load.

Probabilities: ``softmax(A · z + b)`` where ``z = X · Wᵀ + intercept`` are the classifier's raw
scores and ``(A, b)`` a 3×3 matrix-scaling calibrator fitted on out-of-fold scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tatsai.core.errors import NotFound
from tatsai.screening.features import DEAD, N_FEATURES, Features

MODEL_NPZ = "model.npz"
MODEL_JSON = "model.json"


def softmax(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return out


@dataclass
class LinearScreeningModel:
    """``weights`` is (k, N_FEATURES) float32; ``labels`` name the k classes in order."""

    labels: tuple[str, ...]
    weights: NDArray[np.float32]
    intercept: NDArray[np.float64]
    calibration: NDArray[np.float64]
    calibration_bias: NDArray[np.float64]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.weights[:, DEAD] = 0.0

    def raw_scores(self, features: Features) -> NDArray[np.float64]:
        return features.dot(self.weights) + self.intercept

    def predict_proba(self, features: Features) -> NDArray[np.float64]:
        """Calibrated class probabilities, shape (n, k), rows summing to 1."""
        raw = self.raw_scores(features)
        return softmax(raw @ self.calibration.T + self.calibration_bias)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        nonzero = np.flatnonzero(np.any(self.weights != 0, axis=0)).astype(np.int32)
        np.savez_compressed(
            directory / MODEL_NPZ,
            columns=nonzero,
            values=self.weights[:, nonzero].astype(np.float32),
            intercept=self.intercept,
            calibration=self.calibration,
            calibration_bias=self.calibration_bias,
        )
        meta = dict(self.metadata, labels=list(self.labels), n_features=N_FEATURES)
        (directory / MODEL_JSON).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> LinearScreeningModel:
        npz_path, json_path = directory / MODEL_NPZ, directory / MODEL_JSON
        if not npz_path.exists() or not json_path.exists():
            raise NotFound(f"no screening model in {directory}", field="model")
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        if meta.get("n_features") != N_FEATURES:
            raise NotFound(
                f"model in {directory} was built for {meta.get('n_features')} features, "
                f"this code uses {N_FEATURES}: run `tatsai screen train`",
                field="model",
            )
        with np.load(npz_path, allow_pickle=False) as arrays:
            labels = tuple(meta["labels"])
            weights = np.zeros((len(labels), N_FEATURES), dtype=np.float32)
            weights[:, arrays["columns"]] = arrays["values"]
            return cls(
                labels=labels,
                weights=weights,
                intercept=arrays["intercept"].astype(np.float64),
                calibration=arrays["calibration"].astype(np.float64),
                calibration_bias=arrays["calibration_bias"].astype(np.float64),
                metadata=meta,
            )


def shipped_model_dir() -> Path:
    """Where the packaged model lives (``src/tatsai/screening/data/model``)."""
    return Path(str(resources.files("tatsai.screening").joinpath("data", "model")))
