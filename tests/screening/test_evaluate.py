from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

from tatsai.screening.evaluate import ceiling_line, f1_threshold


def test_f1_threshold_finds_the_best_cut_by_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        margin = np.round(rng.normal(size=300), 1)  # rounding makes ties
        truth = margin + rng.normal(size=300) > 1.0
        cut, best = f1_threshold(margin, truth)
        assert best == f1_score(truth, margin > cut)
        brute = max(f1_score(truth, margin > t) for t in np.unique(margin) - 1e-9)
        assert best == brute


def test_f1_threshold_never_cuts_between_equal_scores() -> None:
    margin = np.array([2.0, 1.0, 1.0, 1.0, -1.0])
    truth = np.array([True, True, False, False, False])
    cut, best = f1_threshold(margin, truth)
    assert cut == 1.5  # flagging one of the tied scores alone is not a cut
    assert best == 2 / 3


def test_f1_threshold_moves_the_cut_below_zero_when_spam_sits_there() -> None:
    margin = np.array([3.0, 2.0, -0.2, -0.3, -1.0, -2.0, -2.5])
    truth = np.array([True, True, True, True, False, False, False])
    cut, best = f1_threshold(margin, truth)
    assert -1.0 < cut < -0.3
    assert best == 1.0


def test_the_ceiling_is_the_best_cut_read_off_the_labels() -> None:
    score = np.array([0.9, 0.8, 0.4, 0.35, 0.3, 0.1])
    truth = np.array([True, True, True, False, True, False])
    line = ceiling_line("here", (("ours", score),), truth)
    # Cut below 0.3: 4 of 4 caught with one false alarm, F1 8/9; no cut does better.
    assert "ours 0.889 (P 0.800, R 1.000, cut 0.20)" in line
    assert max(f1_score(truth, score > t) for t in score - 1e-9) == 8 / 9
