"""The types the registry accepts: every indicator type, plus registry-only covering types.

Covering types match every value they cover; exact matches win over them:

* ``phone_prefix`` — ``+697``: every number whose E.164 form starts with the prefix.
* ``phone_range``  — ``+6621110000-+6621119999``: every number in the inclusive range (same length).
* ``domain_wildcard`` — ``*.example-lookalike.com``: the domain and every subdomain (and URLs and
  e-mail addresses on them).

Normalization of the indicator types lives in :mod:`tatsai.indicators.types`; this module only
dispatches to it and normalizes the covering types.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from tatsai.core.errors import InvalidInput
from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.types import TYPES, get_type


def _type_names() -> Collection[str]:
    return TYPES


def _clean_as(type_name: str, raw: str) -> str:
    return get_type(type_name).clean(raw)


COVERING_TYPES = ("phone_prefix", "phone_range", "domain_wildcard")
_PREFIX = re.compile(r"^[1-9]\d{0,13}$")


def _digits(raw: str) -> str:
    return re.sub(r"[\s\-().]", "", raw).removeprefix("+")


def clean_phone_prefix(raw: str) -> str:
    digits = _digits(raw)
    if raw.strip().startswith("00"):
        digits = digits.removeprefix("00")
    if not _PREFIX.match(digits):
        raise InvalidIndicator(
            f"not a valid phone prefix: {raw!r} (expected + and 1-14 digits, e.g. +697)",
            field="value",
        )
    return "+" + digits


def clean_phone_range(raw: str) -> str:
    parts = re.split(r"\s*(?:\.\.|–|—|-(?=\s*\+)|\s-\s)\s*", raw.strip())
    if len(parts) != 2:
        raise InvalidIndicator(
            f"not a valid phone range: {raw!r} "
            "(expected +FIRST-+LAST, e.g. +6621110000-+6621119999)",
            field="value",
        )
    first, last = (clean_phone_prefix(p) for p in parts)
    if len(first) != len(last) or len(first) < 8:
        raise InvalidIndicator(
            f"not a valid phone range: {raw!r} (both ends must be full numbers of one length)",
            field="value",
        )
    if int(first[1:]) > int(last[1:]):
        raise InvalidIndicator(
            f"not a valid phone range: {raw!r} (the first number is after the last)", field="value"
        )
    return f"{first}-{last}"


def clean_domain_wildcard(raw: str) -> str:
    host = raw.strip().removeprefix("*.").removeprefix(".")
    clean_host = _clean_as("domain", host)
    if "." not in clean_host:
        raise InvalidIndicator(
            f"not a valid wildcard domain: {raw!r} (a wildcard must cover a registrable domain)",
            field="value",
        )
    return "*." + clean_host


_COVERING = {
    "phone_prefix": clean_phone_prefix,
    "phone_range": clean_phone_range,
    "domain_wildcard": clean_domain_wildcard,
}


def type_names() -> list[str]:
    return sorted([*_type_names(), *COVERING_TYPES])


def check_type(type_name: str) -> str:
    """``type_name`` when the registry knows it, else 422 naming the known types."""
    if type_name in _COVERING:
        return type_name
    if type_name not in _type_names():
        raise InvalidInput(
            f"unknown indicator type {type_name!r}; known: {', '.join(type_names())}",
            field="type",
        )
    return type_name


def clean(type_name: str, raw: str) -> str:
    """The normalized value of ``raw`` as a ``type_name``; 422 saying why it is not one."""
    covering = _COVERING.get(type_name)
    if covering is not None:
        return covering(raw)
    return _clean_as(check_type(type_name), raw)


def range_bounds(value: str) -> tuple[int, int, int]:
    """``(first, last, digits)`` of a clean ``phone_range`` value."""
    first, last = value.split("-")
    return int(first[1:]), int(last[1:]), len(first) - 1


_DIALLED = re.compile(r"^\+[1-9]\d{3,14}$")


def dialled_number(type_name: str, raw: str) -> str | None:
    """``+digits`` of a raw phone value its type refuses (a spoofed or unassigned number), so
    prefixes and ranges can still cover it; None when it does not look like a number at all."""
    if type_name != "phone":
        return None
    candidate = "+" + _digits(raw.strip()).removeprefix("00")
    return candidate if _DIALLED.match(candidate) else None
