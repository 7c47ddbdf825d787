"""Phone numbers: Thai and international, normalized to E.164; Thai short service numbers.

Normalized forms (see docs/indicators.md):

* a subscriber number → E.164, ``+66812345678`` (Thai default region; ``0`` trunk prefix,
  ``+66``, ``0066``, ``66`` and Thai international prefixes ``001``/``007``/``008``/``009``
  all accepted; Thai digits, spaces, dots, dashes, slashes and parentheses tolerated);
* a Thai short service number (4–5 digits starting with ``1`` of the shape phonenumbers
  knows for Thai short numbers, e.g. the operator hotline ``1185``, bank call centres
  ``1333``, ``1572``; 3-digit ones such as ``191`` only when in its metadata) → its digits.
  These have no E.164 form; the allow-list needs them, and caller ID shows them as dialled.

USSD codes (``*1185#``) are service codes, not numbers anyone can be called from: invalid.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

import phonenumbers
from phonenumbers import PhoneNumberFormat, shortnumberinfo

from tatsai.indicators.base import IndicatorType
from tatsai.indicators.text import fold

DEFAULT_REGION = "TH"
THAI_COUNTRY_CODE = 66

_ALLOWED = re.compile(r"^(?:\+|\(?)[0-9][0-9 .\-()/]*$")
_SHORT_NUMBER = re.compile(r"^1[0-9]{2,4}$")
_SEPARATORS = re.compile(r"[ .\-()/]")


class PhoneType(IndicatorType):
    name: ClassVar[str] = "phone"
    label: ClassVar[str] = "phone number"

    def clean(self, raw: str) -> str:
        return _clean_phone(raw)

    def caption(self, value: str) -> str:
        return _caption_phone(value)

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        # The same subscriber digits under another country code: likely a typo of the prefix.
        if len(left) >= 9 and len(right) >= 9 and left[-8:] == right[-8:]:
            return 0.5
        return 0.0


PHONE = PhoneType()


@lru_cache(maxsize=65536)
def _clean_phone(raw: str) -> str:
    text = fold(raw).strip()
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if not text:
        raise PHONE.invalid(raw, "empty")
    if "*" in text or "#" in text:
        raise PHONE.invalid(raw, "a USSD or service code, not a phone number")
    if not _ALLOWED.match(text):
        raise PHONE.invalid(raw, "only digits, +, spaces, dots, dashes and parentheses allowed")
    digits = _SEPARATORS.sub("", text)
    if _SHORT_NUMBER.match(digits):
        number = phonenumbers.parse(digits, DEFAULT_REGION)
        # Four or five digits (1xxx service numbers, new ones such as 1185 included) need only
        # the possible shape; three-digit ones (191, 199) must be in the metadata, or "123"
        # and every other three-digit figure would be a phone number.
        known = shortnumberinfo.is_valid_short_number_for_region(number, DEFAULT_REGION)
        possible = shortnumberinfo.is_possible_short_number_for_region(number, DEFAULT_REGION)
        if known or (possible and len(digits) >= 4):
            return digits
        raise PHONE.invalid(raw, "not a Thai short number")
    if digits.startswith("+0"):
        digits = digits[1:]  # "+0876777049": a national number some systems prefix with +
    candidates = [digits]
    if not digits.startswith("+"):
        if digits.startswith("00"):
            candidates.append("+" + digits[2:])
            if digits.startswith("00660"):
                candidates.append("+66" + digits[5:])  # "0066 081…": trunk 0 kept by mistake
        elif digits.startswith("66"):
            candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    raise PHONE.invalid(raw, "not an assigned number range")


@lru_cache(maxsize=65536)
def _caption_phone(value: str) -> str:
    if not value.startswith("+"):
        return value  # a short number reads as dialled
    number = phonenumbers.parse(value)
    if number.country_code == THAI_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "-")
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
