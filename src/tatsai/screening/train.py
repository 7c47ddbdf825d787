"""Training the screening model reproducibly, and the plain baseline it is measured against.

``train_model`` (what ``tatsai screen train`` runs):

1. Features of every training example (normalize → URL risk → hashed n-grams + meta).
2. The regularization strength ``alpha`` is chosen by 3-fold stratified cross-validation on
   the training data only (scam F1), from :data:`ALPHA_GRID`.
3. Out-of-fold raw scores (5-fold) fit the 3×3 matrix-scaling calibrator; on the same
   calibrated out-of-fold probabilities, the scam threshold is the smallest in [0.5, 0.95]
   that calls at most 1% of the legitimate OTP/bank/operator notices scam.
4. The final linear model is fitted on all training data.

The learner is scikit-learn's ``SGDClassifier`` with logistic loss (one-vs-rest), fixed seeds,
a fixed number of epochs and no early stopping, so a rebuild gives the same weights.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline

from tatsai.screening.data import LABELS, Example
from tatsai.screening.features import N_FEATURES, Features, featurize
from tatsai.screening.model import LinearScreeningModel, softmax
from tatsai.screening.normalize import normalize_batch
from tatsai.screening.service import url_summary

ALPHA_GRID = (1e-6, 3e-6, 1e-5, 3e-5)
EPOCHS = 30
SEED = 0


def features_of(texts: Sequence[str]) -> Features:
    batch = normalize_batch(texts)
    summary, _ = url_summary(batch)
    return featurize(batch, summary)


@dataclass
class LinearFit:
    weights: NDArray[np.float32]
    intercept: NDArray[np.float64]


def fit_linear(x: sp.csr_matrix, y: NDArray[np.str_], alpha: float) -> LinearFit:
    """One-vs-rest logistic SGD; weights in :data:`LABELS` order (absent classes get -inf-ish)."""
    learner = SGDClassifier(
        loss="log_loss", alpha=alpha, max_iter=EPOCHS, tol=None, random_state=SEED
    )
    learner.fit(x, y)
    weights = np.zeros((len(LABELS), N_FEATURES), dtype=np.float32)
    intercept = np.full(len(LABELS), -10.0)
    classes = list(learner.classes_)
    if len(classes) == 2:  # binary: sklearn keeps one row for the second class
        second = LABELS.index(classes[1])
        weights[second] = learner.coef_[0]
        intercept[second] = learner.intercept_[0]
        intercept[LABELS.index(classes[0])] = 0.0
    else:
        for row, label in enumerate(classes):
            weights[LABELS.index(label)] = learner.coef_[row]
            intercept[LABELS.index(label)] = learner.intercept_[row]
    return LinearFit(weights, intercept)


def _raw(fit: LinearFit, x: sp.csr_matrix) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.asarray(x @ fit.weights.T.astype(np.float64)) + fit.intercept
    return out


def _scam_f1(y: NDArray[np.str_], predicted: NDArray[np.str_]) -> float:
    return float(f1_score(y == "scam", predicted == "scam", zero_division=0.0))


def choose_alpha(x: sp.csr_matrix, y: NDArray[np.str_]) -> tuple[float, dict[str, float]]:
    """The alpha with the best mean 3-fold CV scam F1 on the training data."""
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    scores: dict[str, float] = {}
    for alpha in ALPHA_GRID:
        f1s = []
        for train, test in folds.split(np.zeros(len(y)), y):
            fit = fit_linear(x[train], y[train], alpha)
            predicted = np.array(LABELS)[_raw(fit, x[test]).argmax(axis=1)]
            f1s.append(_scam_f1(y[test], predicted))
        scores[f"{alpha:g}"] = round(float(np.mean(f1s)), 4)
    best = max(ALPHA_GRID, key=lambda a: scores[f"{a:g}"])
    return best, scores


def fit_calibrator(
    raw: NDArray[np.float64], y: NDArray[np.str_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Matrix scaling: a multinomial logistic regression on the 3 raw scores."""
    calibrator = LogisticRegression(C=100.0, max_iter=1000)
    calibrator.fit(raw, y)
    matrix = np.zeros((len(LABELS), len(LABELS)))
    bias = np.full(len(LABELS), -10.0)
    for row, label in enumerate(calibrator.classes_):
        matrix[LABELS.index(label)] = calibrator.coef_[row]
        bias[LABELS.index(label)] = calibrator.intercept_[row]
    return matrix, bias


def out_of_fold_raw(
    x: sp.csr_matrix, y: NDArray[np.str_], alpha: float, folds: int = 5
) -> NDArray[np.float64]:
    raw = np.zeros((len(y), len(LABELS)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train, test in splitter.split(np.zeros(len(y)), y):
        raw[test] = _raw(fit_linear(x[train], y[train], alpha), x[test])
    return raw


def train_model(
    examples: Sequence[Example],
    *,
    alpha: float | None = None,
    calibrate: bool = True,
    sources: dict[str, Any] | None = None,
) -> LinearScreeningModel:
    """A calibrated model trained on ``examples`` (see the module docstring)."""
    started = time.perf_counter()
    x = features_of([e.text for e in examples]).matrix()
    y = np.array([e.label for e in examples])
    cv_scores: dict[str, float] = {}
    if alpha is None:
        alpha, cv_scores = choose_alpha(x, y)
    threshold, legit_fp = 0.5, None
    if calibrate and len(set(y)) == len(LABELS):
        raw = out_of_fold_raw(x, y, alpha)
        matrix, bias = fit_calibrator(raw, y)
        p_scam = softmax(raw @ matrix.T + bias)[:, LABELS.index("scam")]
        legit = np.array([is_legitimate_notice(e) for e in examples])
        threshold, legit_fp = choose_threshold(p_scam, legit)
    else:
        matrix, bias = np.eye(len(LABELS)), np.zeros(len(LABELS))
    fit = fit_linear(x, y, alpha)
    counts = {label: int((y == label).sum()) for label in LABELS}
    metadata: dict[str, Any] = {
        "learner": f"SGDClassifier(log_loss, alpha={alpha:g}, epochs={EPOCHS}, seed={SEED})",
        "alpha": alpha,
        "alpha_cv_scam_f1": cv_scores,
        "scam_threshold": threshold,
        "scam_threshold_rule": (
            f"smallest P(scam) threshold ≥ 0.5 calling at most {LEGIT_FP_TARGET:.0%} of legitimate "
            "OTP/bank/operator notices in the training data scam (out-of-fold, calibrated)"
        ),
        "legit_fp_out_of_fold": legit_fp,
        "training_examples": len(y),
        "training_label_counts": counts,
        "training_sources": sources or {},
        "trained_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return LinearScreeningModel(LABELS, fit.weights, fit.intercept, matrix, bias, metadata)


LEGIT_FP_TARGET = 0.01


def is_legitimate_notice(example: Example) -> bool:
    """OTPs and bank/operator/agency notices: what the false-positive target is about."""
    if example.source == "ssivakorn":
        return example.original_label in ("ok", "otp")
    return example.source == "authored" and example.label == "ham"


def choose_threshold(
    p_scam: NDArray[np.float64], legit: NDArray[np.bool_]
) -> tuple[float, float | None]:
    """The smallest threshold in [0.5, 0.95] (step 0.01) whose false-positive rate on the
    ``legit`` examples is at most :data:`LEGIT_FP_TARGET`, and that rate."""
    if not legit.any():
        return 0.5, None
    rate = 1.0
    for threshold in np.round(np.arange(0.5, 0.951, 0.01), 2):
        rate = float(np.mean(p_scam[legit] >= threshold))
        if rate <= LEGIT_FP_TARGET:
            return float(threshold), round(rate, 4)
    return 0.95, round(rate, 4)


def plain_baseline() -> Pipeline:
    """The plain baseline: TF-IDF character n-grams (2–4, word-bounded) + logistic regression."""
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=1000),
    )
