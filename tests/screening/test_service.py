from __future__ import annotations

from dataclasses import dataclass

import pytest

from tatsai.screening.model import LinearScreeningModel, shipped_model_dir
from tatsai.screening.service import load_model, screen_texts


@dataclass
class Hit:
    verdict: str


def test_shipped_model_loads_without_pickle() -> None:
    model = load_model()
    assert model.labels == ("ham", "spam", "scam")
    assert (shipped_model_dir() / "model.npz").stat().st_size < 20 * 1024 * 1024


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x00\x01\x02", "12345 !!!"])
def test_empty_binary_or_garbage_is_unknown_with_a_reason(bad: str) -> None:
    [result] = screen_texts([bad])
    assert result.verdict == "unknown"
    assert result.reasons


def test_results_keep_input_order_and_probabilities_sum_to_one() -> None:
    texts = ["", "รหัส OTP ของท่านคือ 482913 ห้ามบอกผู้อื่น", "\x00", "see you at 5 tonight"]
    results = screen_texts(texts)
    assert [r.verdict == "unknown" for r in results] == [True, False, True, False]
    for result in results[1::2]:
        assert abs(sum(result.probabilities.values()) - 1.0) < 1e-3


def test_lookalike_link_makes_a_scam_with_category() -> None:
    [result] = screen_texts(["KBank: บัญชีถูกระงับ ยืนยันตัวตนที่ https://kbank-verify.top/login"])
    assert result.verdict == "scam"
    assert result.category == "bank_impersonation"
    assert any("kbank-verify.top" in reason for reason in result.reasons)


def test_registry_block_overrides_the_classifier() -> None:
    text = "ประชุมเลื่อนเป็นบ่ายสอง ดูรายละเอียด https://meeting-notes.example.com"
    [plain] = screen_texts([text])
    [blocked] = screen_texts([text], lookup_fn=lambda kind, value: Hit("block"))
    assert plain.verdict != "scam"
    assert blocked.verdict == "scam"
    assert blocked.score == 1.0
    assert any("registry blocks" in reason for reason in blocked.reasons)


def test_model_round_trips_through_its_safe_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = load_model()
    model.save(tmp_path)
    again = LinearScreeningModel.load(tmp_path)
    texts = ["เว็บตรง แจกเครดิตฟรี 100% คลิก https://lin.ee/x", "hello, lunch at noon?"]
    first = [r.probabilities for r in screen_texts(texts, model=model)]
    second = [r.probabilities for r in screen_texts(texts, model=again)]
    assert first == second
