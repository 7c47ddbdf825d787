"""Normalizers of the registry's covering types: idempotent, and they refuse what is not one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tatsai.core.errors import InvalidInput
from tatsai.registry import kinds

digits = st.text(alphabet="0123456789", min_size=1, max_size=13).filter(lambda d: d[0] != "0")


@given(digits, st.sampled_from(["+", "", "00", "+ "]))
def test_phone_prefix_is_idempotent(prefix: str, lead: str) -> None:
    clean = kinds.clean("phone_prefix", lead + prefix)
    assert clean == "+" + prefix
    assert kinds.clean("phone_prefix", clean) == clean


@given(st.integers(10**9, 10**10 - 2), st.integers(1, 10**4))
def test_phone_range_is_idempotent_and_ordered(first: int, span: int) -> None:
    last = min(first + span, 10**10 - 1)
    clean = kinds.clean("phone_range", f"+{first} - +{last}")
    assert clean == f"+{first}-+{last}"
    assert kinds.clean("phone_range", clean) == clean
    assert kinds.range_bounds(clean) == (first, last, 10)


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("phone_prefix", "+0"),
        ("phone_prefix", "abc"),
        ("phone_range", "+6621119999-+6621110000"),  # reversed
        ("phone_range", "+662111-+66211199999"),  # lengths differ
        ("domain_wildcard", "*.com"),
        ("domain_wildcard", "*.not a domain"),
    ],
)
def test_refused(type_: str, raw: str) -> None:
    with pytest.raises(InvalidInput):
        kinds.clean(type_, raw)


def test_wildcard_normalizes_its_domain() -> None:
    assert kinds.clean("domain_wildcard", "*.KBank-Lookalike.COM") == "*.kbank-lookalike.com"
    assert kinds.clean("domain_wildcard", ".kbank-lookalike.com") == "*.kbank-lookalike.com"
