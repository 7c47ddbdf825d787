"""Extraction on the written cases: exactly the expected indicators, nothing more."""

from __future__ import annotations

import pytest

from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.types import TYPES
from tests.indicators.extraction_cases import NEGATIVE, POSITIVE


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.value) for f in extract_indicators(text)]


def test_there_are_at_least_150_positive_cases() -> None:
    assert len(POSITIVE) >= 150
    assert len({text for text, _ in POSITIVE}) == len(POSITIVE), "duplicate case"


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=[t[:40] for t, _ in POSITIVE])
def test_finds_exactly_the_expected_indicators(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_finds_nothing_in_ordinary_text(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(("text", "expected"), POSITIVE[:40])
def test_found_values_are_clean_and_spans_point_into_the_original(
    text: str, expected: list[tuple[str, str]]
) -> None:
    for found in extract_indicators(text):
        assert text[found.start : found.end] == found.raw
        assert TYPES[found.type].clean(found.value) == found.value


def test_spans_survive_folding_of_invisible_and_fullwidth_characters() -> None:
    text = "โทร ０８１\u200b２３４\u200b５６７８ ด่วน"
    [found] = extract_indicators(text)
    assert found.raw == "０８１\u200b２３４\u200b５６７８"
    assert (found.start, found.end) == (4, 16)


def test_order_of_appearance_and_dedupe_by_type_and_value() -> None:
    text = "ไลน์ @abc1 โทร 0812345678 อีกครั้ง 081-234-5678 ไลน์ @abc1"
    assert _found(text) == [("line_id", "@abc1"), ("phone", "+66812345678")]


def test_same_value_under_two_types_is_kept_for_each() -> None:
    text = "พร้อมเพย์ 0812345678 หรือโทร 0812345678"
    assert _found(text) == [("promptpay", "mobile:+66812345678"), ("phone", "+66812345678")]
