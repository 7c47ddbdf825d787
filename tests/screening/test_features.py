from __future__ import annotations

import numpy as np

from tatsai.screening.features import DEAD, N_FEATURES, featurize
from tatsai.screening.normalize import normalize_batch

TEXTS = ["เว็บตรง แจกเครดิตฟรี https://x.top", "", "ok see you at 5", "a", "รหัส OTP 123456"]


def _weights(seed: int = 0) -> np.ndarray:
    weights = np.random.default_rng(seed).normal(size=(3, N_FEATURES)).astype(np.float32)
    weights[:, DEAD] = 0.0
    return weights


def test_fast_dot_equals_the_sparse_matrix_product() -> None:
    features = featurize(normalize_batch(TEXTS))
    weights = _weights()
    assert np.allclose(features.dot(weights), features.matrix() @ weights.T.astype(np.float64))


def test_scores_do_not_depend_on_batch_neighbours() -> None:
    weights = _weights(1)
    together = featurize(normalize_batch(TEXTS)).dot(weights)
    for index, text in enumerate(TEXTS):
        alone = featurize(normalize_batch([text])).dot(weights)
        assert np.allclose(alone[0], together[index])


def test_meta_features_count_links_and_thai_share() -> None:
    features = featurize(normalize_batch(["ดู https://a.top และ https://b.top", "hello"]))
    assert features.meta[0, 0] > 0  # links
    assert features.meta[1, 0] == 0
    assert features.meta[0, 7] > 0.2  # Thai letters among all characters
    assert features.meta[1, 7] == 0
