"""Device and SIM identifiers: IMEI (handset) and IMSI (subscriber identity on the SIM).

Normalized forms (see docs/indicators.md):

* ``imei`` → 15 digits with a correct Luhn check digit. 14 digits (TAC + serial, as some
  records print it) get the check digit computed and appended; a 16-digit IMEISV (TAC + serial
  + 2-digit software version) becomes the IMEI of the same handset (first 14 digits + check
  digit). Any 15-digit input must carry the right check digit.
* ``imsi`` → 14 or 15 digits: MCC (3 digits, first digit 2–7), MNC and MSIN. Thai IMSIs have
  MCC 520 and a 2-digit MNC (e.g. 520 01/03/23 AIS, 520 04 True, 520 05/18 dtac).
"""

from __future__ import annotations

import re
from typing import ClassVar

from tatsai.indicators.base import IndicatorType
from tatsai.indicators.text import fold

_SEPARATORS = re.compile(r"[ \-./]")
_LABELS = re.compile(r"^(?:imei|imsi|imeisv)\s*(?:no\.?|number)?\s*[:#]?\s*", re.IGNORECASE)
THAI_MCC = "520"


def luhn_check_digit(body: str) -> int:
    """The Luhn check digit that completes the digit string ``body``."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the rightmost body digit sits next to the check digit
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def _digits(raw: str) -> str:
    return _SEPARATORS.sub("", _LABELS.sub("", fold(raw).strip()))


class ImeiType(IndicatorType):
    name: ClassVar[str] = "imei"
    label: ClassVar[str] = "IMEI"

    def clean(self, raw: str) -> str:
        digits = _digits(raw)
        if not digits.isdigit():
            raise self.invalid(raw, "an IMEI has only digits")
        if len(digits) == 16:
            digits = digits[:14]  # IMEISV: drop the software version
        if len(digits) == 14:
            return digits + str(luhn_check_digit(digits))
        if len(digits) != 15:
            raise self.invalid(raw, "an IMEI has 15 digits (14 without the check digit)")
        if luhn_check_digit(digits[:14]) != int(digits[14]):
            raise self.invalid(raw, "the Luhn check digit does not match")
        return digits

    def caption(self, value: str) -> str:
        # TAC (8 digits, the model) - serial (6) - check digit
        return f"{value[:8]}-{value[8:14]}-{value[14]}"


class ImsiType(IndicatorType):
    name: ClassVar[str] = "imsi"
    label: ClassVar[str] = "IMSI"

    def clean(self, raw: str) -> str:
        digits = _digits(raw)
        if not digits.isdigit():
            raise self.invalid(raw, "an IMSI has only digits")
        if len(digits) not in (14, 15):
            raise self.invalid(raw, "an IMSI has 14 or 15 digits")
        if digits[0] not in "234567":
            raise self.invalid(raw, f"{digits[:3]} is not a mobile country code")
        return digits

    def caption(self, value: str) -> str:
        if value.startswith(THAI_MCC):
            return f"{value[:3]}-{value[3:5]}-{value[5:]}"
        return value

    def is_thai(self, value: str) -> bool:
        return value.startswith(THAI_MCC)


IMEI = ImeiType()
IMSI = ImsiType()
