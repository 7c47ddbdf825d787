from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tatsai.screening.normalize import (
    EMOJI,
    LINE,
    MASKED,
    PHONE,
    URL,
    USSD,
    is_unreadable,
    mask_urls,
    normalize,
    normalize_batch,
)


def test_thai_digits_fullwidth_and_zero_width_are_folded() -> None:
    assert normalize("ฟรี ๑๐๐ บาท") == normalize("ฟรี 100 บาท") == "ฟรี 000 บาท"
    assert normalize("ＦＲＥＥ") == "free"
    assert normalize("kb\u200bank") == "kbank"


def test_homoglyphs_read_as_latin_and_are_counted() -> None:
    batch = normalize_batch(["kаsikorn", "kasikorn"])  # Cyrillic а in the first
    assert batch.texts() == ["kasikorn", "kasikorn"]
    assert list(batch.homoglyphs) == [1, 0]


def test_placeholders_for_links_numbers_codes_line_ids_and_emoji() -> None:
    text = normalize("โทร 081-234-5678 กด *155*34# ไลน์ไอดี: @job4you https://kerry-th.top/x 😀😀")
    for placeholder in (PHONE, USSD, LINE, URL, EMOJI):
        assert placeholder in text
    assert f"{URL}.top" in text  # the suffix is kept, the host is not
    assert "kerry" not in text


def test_masked_digits_and_repeated_characters() -> None:
    assert MASKED in normalize("บัญชี xxx-x-x1234-x")
    assert MASKED in normalize("โทร 08X-XXX-1234")
    assert normalize("ฟรีีีีี!!!!!") == "ฟรี!!"


def test_urls_are_kept_as_written_for_url_risk() -> None:
    batch = normalize_batch(["ไปที่ hxxps://kbank-verify[.]com/login", "ไม่มีลิงก์"])
    assert batch.urls[0]
    assert "kbank-verify" in batch.urls[0][0]
    assert batch.urls[1] == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_a_message_normalizes_the_same_alone_or_in_a_batch(texts: list[str]) -> None:
    batch = normalize_batch(texts)
    assert len(batch) == len(texts)
    assert batch.texts() == [normalize(t) for t in texts]


def test_unreadable_inputs_say_why() -> None:
    assert is_unreadable("") == "empty text"
    assert is_unreadable("   ") == "empty text"
    assert is_unreadable("\x00\x01\x02binary") is not None
    assert is_unreadable("1234 5678 !!") is not None
    assert is_unreadable("สวัสดีครับ") is None


def test_mask_urls_removes_every_link_and_keeps_the_words() -> None:
    masked = mask_urls("KBank: ยืนยันตัวตนที่ https://kbank-x.top/a  หรือ www.x.com ด่วน")
    assert masked == "kbank: ยืนยันตัวตนที่ หรือ ด่วน"
    assert mask_urls("ประชุมบ่ายสอง") == "ประชุมบ่ายสอง"
