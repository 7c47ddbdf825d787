"""Training the screening model reproducibly, and the plain baseline it is measured against.

``train_model`` (what ``tatsai screen train`` runs):

1. Features of every training example (normalize → URL risk → hashed n-grams + meta), and of
   a **URL-masked copy** of every example that holds a link (same label): the model then also
   learns what the text says without its link, instead of leaning on "a link is here".
2. The regularization ``C`` is chosen by 3-fold cross-validation on the training data only
   (scam F1, folds grouped by normalized template), from :data:`C_GRID`.
3. Out-of-fold raw scores (5 folds grouped by template, so near-identical OTPs never sit on
   both sides) fit the 3×3 matrix-scaling calibrator; on the same calibrated out-of-fold
   probabilities, the scam threshold is set by a Neyman–Pearson order-statistic rule, so that
   the chance of calling more than 1% of new legitimate OTP/bank/operator notices scam is at
   most 5% (:func:`choose_threshold`).
4. The shipped linear model is the mean of the 5 fold models of step 3 (each fitted on four
   fifths of the data), so the threshold is applied to the scores it was chosen on.

The learner is NBSVM (Wang & Manning, 2012): per class, the features are scaled by their
naive-Bayes log-count ratio and scikit-learn's ``LinearSVC`` (liblinear, squared hinge, fixed
seed) is fitted one-vs-rest; the scaling is folded back into the weights, so the shipped model
is one linear map and a rebuild gives the same weights. Matrix scaling turns margins into
probabilities.
Masked copies only ever join the training side of a fold: every score used for a choice is
that of an original message the fold model never saw.
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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from tatsai.screening.data import LABELS, Example
from tatsai.screening.features import (
    DEAD,
    META_FEATURES,
    N_BUCKETS,
    N_FEATURES,
    Features,
    featurize,
)
from tatsai.screening.model import LinearScreeningModel, softmax
from tatsai.screening.normalize import mask_urls, normalize_batch
from tatsai.screening.service import url_summary

C_GRID = (0.3, 1.0, 3.0, 10.0)
SEED = 0
MAX_ITER = 5000
LEGIT_FP_TARGET = 0.01
FP_RISK = 0.05  # chance the false-positive target is exceeded on new messages
NB_ALPHA = 1.0


def features_of(texts: Sequence[str]) -> Features:
    batch = normalize_batch(texts)
    summary, _ = url_summary(batch)
    return featurize(batch, summary)


@dataclass
class TrainingMatrix:
    """Features of the original examples plus URL-masked copies of those with a link.

    ``masked[i]`` holds the features of ``original_of[i]``'s masked copy.
    """

    x: sp.csr_matrix
    y: NDArray[np.str_]
    masked: sp.csr_matrix
    original_of: NDArray[np.intp]

    @classmethod
    def of(cls, texts: Sequence[str], labels: Sequence[str]) -> TrainingMatrix:
        x = features_of(texts).matrix()
        masked_texts = [mask_urls(t) for t in texts]
        links = x[:, N_BUCKETS + META_FEATURES.index("links")].toarray().ravel()
        with_link = np.flatnonzero(links > 0)
        masked = features_of([masked_texts[i] for i in with_link]).matrix()
        return cls(x, np.asarray(labels), masked, with_link.astype(np.intp))

    def subset(self, rows: NDArray[np.intp]) -> tuple[sp.csr_matrix, NDArray[np.str_]]:
        """The rows ``rows`` plus the masked copies of those among them with a link."""
        keep = np.isin(self.original_of, rows)
        x = sp.vstack([self.x[rows], self.masked[keep]], format="csr")
        y = np.concatenate([self.y[rows], self.y[self.original_of[keep]]])
        return x, y


@dataclass
class LinearFit:
    weights: NDArray[np.float32]
    intercept: NDArray[np.float64]


def nb_ratio(x: sp.csr_matrix, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Naive-Bayes log-count ratio of every column for ``positive`` rows against the rest.

    ``log((p / |p|₁) / (q / |q|₁))`` with ``p = α + Σ 1[x > 0]`` over the positive rows and
    ``q`` the same over the others (:data:`NB_ALPHA` = 1, Laplace). The dense message-level
    columns keep ratio 1 (they are not counts), and the dead column 0.
    """
    present = x.copy()
    present.data = np.ones_like(present.data)
    p = NB_ALPHA + np.asarray(present[positive].sum(axis=0)).ravel()
    q = NB_ALPHA + np.asarray(present[~positive].sum(axis=0)).ravel()
    ratio: NDArray[np.float64] = np.log((p / p.sum()) / (q / q.sum()))
    ratio[N_BUCKETS:] = 1.0
    ratio[DEAD] = 0.0
    return ratio


def fit_linear(x: sp.csr_matrix, y: NDArray[np.str_], c: float) -> LinearFit:
    """One-vs-rest linear SVMs on NB-scaled features (NBSVM); weights in :data:`LABELS` order.

    For each class: columns scaled by its :func:`nb_ratio`, a binary ``LinearSVC`` against the
    rest, and the scaling folded back into the weights (``w ∘ r``), so the shipped model stays
    one linear map over the unscaled features. Absent classes get zero weights and a very low
    intercept; with two classes only the second is fitted (the first keeps 0, as scikit-learn
    does), so the verdict is the sign of one margin.
    """
    weights = np.zeros((len(LABELS), N_FEATURES), dtype=np.float32)
    intercept = np.full(len(LABELS), -10.0)
    classes = sorted(set(y.tolist()))
    fitted = classes[1:] if len(classes) == 2 else classes
    if len(classes) == 2:
        intercept[LABELS.index(classes[0])] = 0.0
    for label in fitted:
        positive = y == label
        ratio = nb_ratio(x, positive)
        learner = LinearSVC(C=c, max_iter=MAX_ITER, random_state=SEED)
        learner.fit(x @ sp.diags(ratio), positive)
        weights[LABELS.index(label)] = learner.coef_[0] * ratio
        intercept[LABELS.index(label)] = learner.intercept_[0]
    return LinearFit(weights, intercept)


def _raw(fit: LinearFit, x: sp.csr_matrix) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.asarray(x @ fit.weights.T.astype(np.float64)) + fit.intercept
    return out


def _scam_f1(y: NDArray[np.str_], predicted: NDArray[np.str_]) -> float:
    return float(f1_score(y == "scam", predicted == "scam", zero_division=0.0))


def templates(texts: Sequence[str]) -> list[str]:
    """Normalized text: the group of a message for grouped cross-validation."""
    return normalize_batch(texts).texts()


def choose_c(
    data: TrainingMatrix, groups: Sequence[str], grid: Sequence[float] = C_GRID
) -> tuple[float, dict[str, float]]:
    """The C with the best mean 3-fold grouped CV scam F1 (argmax) on the training data."""
    scores: dict[str, float] = {}
    splits = list(GroupKFold(n_splits=3).split(data.x, data.y, groups))
    for c in grid:
        f1s = []
        for train, test in splits:
            fit = fit_linear(*data.subset(train), c)
            predicted = np.array(LABELS)[_raw(fit, data.x[test]).argmax(axis=1)]
            f1s.append(_scam_f1(data.y[test], predicted))
        scores[f"{c:g}"] = round(float(np.mean(f1s)), 4)
    best = max(grid, key=lambda c: scores[f"{c:g}"])
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
    data: TrainingMatrix, groups: Sequence[str], c: float, folds: int = 5
) -> tuple[NDArray[np.float64], LinearFit]:
    """Out-of-fold raw scores (folds grouped by template) and the mean of the fold models.

    The mean of linear models is one linear model whose score is the mean of theirs; it is the
    model that ships, so the calibrator and the threshold chosen on these out-of-fold scores
    belong to the fold models it is made of, not to a refit on all data whose margins would be
    wider than the scores they were chosen on.
    """
    raw = np.zeros((len(data.y), len(LABELS)))
    fits = []
    for train, test in GroupKFold(n_splits=folds).split(data.x, data.y, groups):
        fits.append(fit_linear(*data.subset(train), c))
        raw[test] = _raw(fits[-1], data.x[test])
    mean = LinearFit(
        np.mean([f.weights for f in fits], axis=0).astype(np.float32),
        np.mean([f.intercept for f in fits], axis=0),
    )
    return raw, mean


@dataclass
class Trained:
    fit: LinearFit
    calibration: NDArray[np.float64]
    calibration_bias: NDArray[np.float64]
    threshold: float
    legit_fp: float | None
    c: float
    c_cv_scam_f1: dict[str, float]
    masked_copies: int

    def predict(self, features: Features) -> NDArray[np.str_]:
        """Verdict names (scam by threshold, else the likelier of ham and spam)."""
        raw = features.dot(self.fit.weights) + self.fit.intercept
        proba = softmax(raw @ self.calibration.T + self.calibration_bias)
        return decide(proba, self.threshold)


def decide(proba: NDArray[np.float64], threshold: float) -> NDArray[np.str_]:
    scam, ham, spam = (LABELS.index(label) for label in ("scam", "ham", "spam"))
    names: NDArray[np.str_] = np.where(
        proba[:, scam] >= threshold,
        "scam",
        np.where(proba[:, spam] > proba[:, ham], "spam", "ham"),
    )
    return names


def fit_all(examples: Sequence[Example], *, c: float | None = None) -> Trained:
    """Steps 1-4 of the module docstring on ``examples``."""
    texts = [e.text for e in examples]
    data = TrainingMatrix.of(texts, [e.label for e in examples])
    groups = templates(texts)
    scores: dict[str, float] = {}
    if c is None:
        c, scores = choose_c(data, groups)
    raw, fit = out_of_fold_raw(data, groups, c)
    matrix, bias = fit_calibrator(raw, data.y)
    p_scam = softmax(raw @ matrix.T + bias)[:, LABELS.index("scam")]
    legit = np.array([is_legitimate_notice(e) for e in examples])
    threshold, legit_fp = choose_threshold(p_scam, legit)
    return Trained(fit, matrix, bias, threshold, legit_fp, c, scores, len(data.original_of))


def train_model(
    examples: Sequence[Example],
    *,
    c: float | None = None,
    sources: dict[str, Any] | None = None,
) -> LinearScreeningModel:
    """A calibrated model trained on ``examples`` (see the module docstring)."""
    started = time.perf_counter()
    trained = fit_all(examples, c=c)
    y = np.array([e.label for e in examples])
    counts = {label: int((y == label).sum()) for label in LABELS}
    metadata: dict[str, Any] = {
        "learner": (
            f"NBSVM: LinearSVC(C={trained.c:g}, squared hinge, seed={SEED}) one-vs-rest on "
            f"naive-Bayes log-count-ratio scaled features (alpha={NB_ALPHA:g}) "
            "+ URL-masked copies"
        ),
        "c": trained.c,
        "c_cv_scam_f1": trained.c_cv_scam_f1,
        "scam_threshold": trained.threshold,
        "scam_threshold_rule": (
            f"Neyman-Pearson order statistic: P(more than {LEGIT_FP_TARGET:.0%} of new "
            f"legitimate OTP/bank/operator notices called scam) <= {FP_RISK:.0%}, from the "
            "training data's out-of-fold calibrated scores (5 folds grouped by template); "
            "never below 0.5"
        ),
        "legit_fp_out_of_fold": trained.legit_fp,
        "training_examples": len(y),
        "url_masked_copies": trained.masked_copies,
        "training_label_counts": counts,
        "training_sources": sources or {},
        "trained_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return LinearScreeningModel(
        LABELS,
        trained.fit.weights,
        trained.fit.intercept,
        trained.calibration,
        trained.calibration_bias,
        metadata,
    )


def is_legitimate_notice(example: Example) -> bool:
    """OTPs and bank/operator/agency notices: what the false-positive target is about."""
    if example.source == "ssivakorn":
        return example.original_label in ("ok", "otp")
    return example.source == "authored" and example.label == "ham"


def choose_threshold(
    p_scam: NDArray[np.float64], legit: NDArray[np.bool_]
) -> tuple[float, float | None]:
    """The scam threshold that keeps legitimate notices under :data:`LEGIT_FP_TARGET` with
    confidence ``1 - FP_RISK``, and the share of ``legit`` it flags.

    Neyman–Pearson order-statistic rule: with the ``n`` legitimate scores sorted ascending,
    flag only scores above the ``k``-th, for the smallest ``k`` with
    ``P(Binomial(n, 1 - target) ≥ k) ≤ FP_RISK``. The probability that the rule's false-positive
    rate on new legitimate messages exceeds the target is then at most ``FP_RISK`` (for
    exchangeable scores), where "at most 1% of these scores" holds only on average. Never
    below 0.5. With too few legitimate examples for that confidence (under ~300 at 1%), the
    highest legitimate score is the cut.
    """
    from scipy.stats import binom  # training only

    if not legit.any():
        return 0.5, None
    scores = np.sort(p_scam[legit])
    n = len(scores)
    ranks = np.arange(1, n + 1)
    confident = np.flatnonzero(binom.sf(ranks - 1, n, 1.0 - LEGIT_FP_TARGET) <= FP_RISK)
    k = int(ranks[confident[0]]) if len(confident) else n
    threshold = max(float(np.nextafter(scores[k - 1], np.inf)), 0.5)
    return threshold, round(float(np.mean(p_scam[legit] >= threshold)), 4)


def plain_baseline() -> Pipeline:
    """The plain baseline: TF-IDF character n-grams (2–4, word-bounded) + logistic regression."""
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=1000),
    )
