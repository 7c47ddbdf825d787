from __future__ import annotations

import numpy as np

from tatsai.screening import data
from tatsai.screening.train import choose_threshold, fit_linear, plain_baseline
from tests.conftest import require_shared_data


def test_threshold_is_the_smallest_meeting_the_false_positive_target() -> None:
    p_scam = np.array([0.99, 0.97, 0.7, 0.6, 0.2, 0.1] + [0.05] * 194)
    legit = np.array([False, False] + [True] * 198)
    threshold, rate = choose_threshold(p_scam, legit)
    assert threshold == 0.61  # 0.6 would flag 2 of 198 legit messages (1.01%)
    assert rate is not None
    assert rate <= 0.01


def test_masked_copies_join_only_the_training_side() -> None:
    from tatsai.screening.train import TrainingMatrix

    texts = ["รับเงินคืน ที่ https://a-refund.top", "ประชุมบ่ายสองนะ", "see www.x.com now"]
    matrix = TrainingMatrix.of(texts, ["scam", "ham", "spam"])
    assert list(matrix.original_of) == [0, 2]
    x, y = matrix.subset(np.array([0, 1]))
    assert x.shape[0] == 3  # two originals + the masked copy of the first
    assert list(y) == ["scam", "ham", "scam"]


def test_authored_examples_parse_with_commas_in_text() -> None:
    train = data.load_authored("train")
    holdout = data.load_authored("legit_holdout")
    assert {e.label for e in train} == {"scam", "spam", "ham"}
    assert {e.label for e in holdout} == {"ham"}
    assert any("4,820" in e.text for e in train)
    assert not {e.text for e in train} & {e.text for e in holdout}


def test_label_mapping_of_the_thai_set() -> None:
    require_shared_data("thai_sms_ssivakorn")
    examples = data.load_ssivakorn(data.default_data_dir())
    moved = [e for e in examples if e.original_label == "spam" and e.label == "scam"]
    assert moved
    assert all("#" in e.text or "ขค" in e.text or "sms" in e.text.lower() for e in moved)
    assert {e.label for e in examples if e.original_label in ("ok", "otp")} == {"ham"}


def test_small_fit_separates_two_classes() -> None:
    from tatsai.screening.train import features_of

    texts = ["เว็บตรง สล็อต เครดิตฟรี"] * 20 + ["ประชุมบ่ายสองนะครับ"] * 20
    labels = np.array(["scam"] * 20 + ["ham"] * 20)
    fit = fit_linear(features_of(texts).matrix(), labels, 1.0)
    raw = features_of(["สล็อต เครดิตฟรี", "ประชุมบ่ายสองนะ"]).dot(fit.weights) + fit.intercept
    assert raw[0, 2] > raw[0, 0]
    assert raw[1, 0] > raw[1, 2]
    assert plain_baseline().fit(texts, labels).predict(["สล็อตเครดิตฟรี"])[0] == "scam"
