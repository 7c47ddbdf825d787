"""Text folding: each documented rule, and what it must leave alone."""

from __future__ import annotations

import pytest

from tatsai.indicators.text import fold, fold_map


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "โทร 081-234-5678"),  # Thai digits
        ("08\u200b1\u200c2\u200d3\u2060\ufeff4", "081234"),  # zero-width, word joiner, BOM
        ("ban\u00adk", "bank"),  # soft hyphen
        ("\u202ekbank\u202c", "kbank"),  # bidi override
        ("ｈｔｔｐｓ：／／ｂｉｔ．ｌｙ", "https://bit.ly"),  # fullwidth
        ("𝐤𝐛𝐚𝐧𝐤", "kbank"),  # mathematical bold
        ("ⓚⓑⓐⓝⓚ", "kbank"),  # circled
        ("b\u0332i\u0332t\u0332", "bit"),  # combining low line on ASCII
        ("0\ufe0f\u20e38\ufe0f\u20e3", "08"),  # keycaps
        ("กำไร ที่นี่", "กำไร ที่นี่"),  # Thai SARA AM, vowels and tone marks kept
        ("a\u00a0b\u2003c\td", "a b c d"),  # Unicode spaces and tab
        ("line1\nline2", "line1\nline2"),  # line breaks kept
        ("bit。ly", "bit.ly"),  # ideographic full stop
        ("bit·ly/abc kbank•com", "bit.ly/abc kbank.com"),  # dot look-alikes between letters
        ("O8l-234-5678", "081-234-5678"),  # digit-context homoglyphs
        ("o81 234 567O", "081 234 5670"),
        ("KBank", "KBank"),  # case never changes
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(folded) == folded


@pytest.mark.parametrize(
    "text",
    [
        "iPhone 11 Pro",  # letters next to letters
        "Vol 2 No 3",
        "Room 101",  # fewer than six digits
        "kbаnk.com",  # Cyrillic а is not folded: it makes a different host
        "ยอด · 500 บาท",  # a middle dot between spaces is not a dot in a name
        "Hello World",
    ],
)
def test_fold_leaves_alone(text: str) -> None:
    assert fold(text) == text


def test_fold_map_points_back_to_the_original() -> None:
    text = "โทร ０８\u200b１"
    folded, origin = fold_map(text)
    assert folded == "โทร 081"
    assert [text[origin[i]] for i in range(len(folded))] == list("โทร ０８１")
    assert origin[len(folded)] == len(text)
