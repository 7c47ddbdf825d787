from __future__ import annotations

import pytest

from tatsai.screening.urlrisk import assess


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://www.kasikornbank.com/th/personal", "official"),
        ("https://www.rd.go.th/refund", "official"),
        ("hxxps://kbank-verify[.]com/login", "high"),  # brand plus word, defanged
        ("https://kаsikornbank.com", "high"),  # Cyrillic а
        ("scbqroup.com", "high"),  # brand acronym glued to a word
        ("ais-thi.shop", "high"),
        ("http://example.com/scb/login", "suspicious"),
        ("https://example.org/about", "low"),
    ],
)
def test_verdicts(url: str, verdict: str) -> None:
    assert assess(url).verdict == verdict


def test_shortener_and_risky_tld_are_explained() -> None:
    risk = assess("https://bit.ly/abc")
    assert risk.shortener
    assert any("shortener" in reason for reason in risk.reasons)
    assert any(".xyz" in reason for reason in assess("win-now.xyz").reasons)


@pytest.mark.parametrize("garbage", ["", "::::", "http://", "\x00\x01", "ดูที่นี่"])
def test_garbage_never_raises(garbage: str) -> None:
    assert assess(garbage).verdict in {"official", "low", "suspicious", "high"}
