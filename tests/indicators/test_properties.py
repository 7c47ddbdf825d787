"""Properties that hold for every input: clean is idempotent, caption round-trips, extraction
and folding never crash."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.finance import thai_id_checksum_ok
from tatsai.indicators.text import THAI_DIGITS, fold, fold_map
from tatsai.indicators.types import TYPES

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like scam messages: Thai, digits of both kinds, separators, link pieces.
_ALPHABET = st.sampled_from(
    list("0123456789" + THAI_DIGITS + " -.()/:@+#*[]_")
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    + [
        "โทร",
        "ไลน์",
        "ไอดี",
        "กสิกร",
        "บัญชี",
        "พร้อมเพย์",
        "http://",
        "hxxps://",
        "www.",
        ".com",
        "bit.ly/",
        "[.]",
        "\u200b",
        "０",
        "８",
        "ｌ",
        "O",
        "\ufe0f\u20e3",
        "\u0301",
        "ำ",
        "\n",
    ]
)
messy_text = st.lists(_ALPHABET, max_size=60).map("".join)
digit_strings = st.text(alphabet="0123456789", min_size=6, max_size=18)


def _clean_or_none(type_name: str, raw: str) -> str | None:
    try:
        return TYPES[type_name].clean(raw)
    except InvalidIndicator:
        return None


@FAST
@given(text=st.text(max_size=200) | messy_text)
def test_extraction_never_crashes_and_spans_are_in_the_text(text: str) -> None:
    for found in extract_indicators(text):
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start : found.end] == found.raw
        assert TYPES[found.type].clean(found.value) == found.value


@FAST
@given(text=st.text(max_size=200) | messy_text)
def test_fold_is_idempotent_and_maps_back(text: str) -> None:
    folded, origin = fold_map(text)
    assert fold(text) == folded
    assert fold(folded) == folded
    assert len(origin) == len(folded) + 1
    assert list(origin) == sorted(origin)


@FAST
@given(type_name=st.sampled_from(sorted(TYPES)), raw=st.text(max_size=40) | messy_text)
def test_clean_is_idempotent_and_caption_round_trips(type_name: str, raw: str) -> None:
    value = _clean_or_none(type_name, raw)
    if value is None:
        return
    indicator_type = TYPES[type_name]
    assert indicator_type.clean(value) == value
    assert indicator_type.clean(indicator_type.caption(value)) == value
    assert indicator_type.compare(value, value) == 1.0


@FAST
@given(
    type_name=st.sampled_from(["phone", "bank_account", "promptpay", "imei", "imsi"]),
    digits=digit_strings,
    prefix=st.sampled_from(["", "0", "+66", "0066", "66", "08", "09"]),
)
def test_numeric_types_round_trip(type_name: str, digits: str, prefix: str) -> None:
    value = _clean_or_none(type_name, prefix + digits)
    if value is None:
        return
    indicator_type = TYPES[type_name]
    assert indicator_type.clean(value) == value
    assert indicator_type.clean(indicator_type.caption(value)) == value


@FAST
@given(subscriber=st.integers(min_value=0, max_value=99_999_999), lead=st.sampled_from("689"))
def test_every_thai_mobile_is_found_however_it_is_written(subscriber: int, lead: str) -> None:
    national = f"0{lead}{subscriber:08d}"
    assume(TYPES["phone"].is_valid(national))  # not every 06x/08x/09x range is assigned
    expected = TYPES["phone"].clean(national)
    thai = national.translate(str.maketrans("0123456789", THAI_DIGITS))
    for written in (
        national,
        f"{national[:3]}-{national[3:6]}-{national[6:]}",
        thai,
        " ".join(national),
        "+66" + national[1:],
    ):
        found = [(f.type, f.value) for f in extract_indicators(f"โทร {written} ด่วน")]
        assert found == [("phone", expected)], written


@FAST
@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_thai_id_has_exactly_one_check_digit(body: str) -> None:
    assert sum(thai_id_checksum_ok(body + str(d)) for d in range(10)) == 1
