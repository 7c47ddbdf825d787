"""Thai bank accounts and PromptPay IDs.

Normalized forms (see docs/indicators.md):

* ``bank_account`` → ``<3-digit bank code>-<digits>`` (``004-1234567890``), the number's length
  checked against the bank (:mod:`tatsai.indicators.banks`). A number whose bank is not known
  becomes ``unknown-<10 to 12 digits>``: still worth recording (a victim often knows only the
  number), never merged with a known-bank account by equality, only by :meth:`compare`.
* ``promptpay`` → ``mobile:+66812345678`` (a Thai mobile number), ``nid:<13 digits>`` (Thai
  citizen or tax ID, checksum verified) or ``ewallet:<15 digits>``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

import phonenumbers
from phonenumbers import PhoneNumberType

from tatsai.indicators.banks import BANK_NAME, BANKS_BY_CODE, BANKS_BY_NAME, Bank
from tatsai.indicators.base import IndicatorType, InvalidIndicator
from tatsai.indicators.phone import PHONE
from tatsai.indicators.text import fold

UNKNOWN_BANK = "unknown"
UNKNOWN_LENGTHS = (10, 11, 12)

_CANONICAL_ACCOUNT = re.compile(r"^([0-9]{3}|unknown)-([0-9]{10,12})$")
# Words that may surround an account number without meaning anything on their own.
_ACCOUNT_FILLER = re.compile(
    r"ธนาคาร|ธ\.|เลขที่บัญชี|เลขบัญชี|บัญชี|บช\.|a/c|acc(?:ount)?(?:\s*no\.?)?|bank|no\.|[:#]",
    re.IGNORECASE,
)
_DIGITS_WITH_SEPARATORS = re.compile(r"^[0-9][0-9 \-.]*[0-9]$")
_SEPARATORS = re.compile(r"[ \-.]")


class BankAccountType(IndicatorType):
    name: ClassVar[str] = "bank_account"
    label: ClassVar[str] = "Thai bank account"

    def clean(self, raw: str) -> str:
        return _clean_account(raw)

    def caption(self, value: str) -> str:
        code, _, digits = value.partition("-")
        bank = BANKS_BY_CODE.get(code)
        grouped = _group_account(digits)
        return f"{bank.abbr} {grouped}" if bank else grouped

    def bank(self, value: str) -> Bank | None:
        """The bank of a clean account value, ``None`` when unknown."""
        return BANKS_BY_CODE.get(value.partition("-")[0])

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        left_code, _, left_digits = left.partition("-")
        right_code, _, right_digits = right.partition("-")
        if left_digits == right_digits and UNKNOWN_BANK in (left_code, right_code):
            return 0.8  # the same number, one side without its bank
        return 0.0


BANK_ACCOUNT = BankAccountType()


def _group_account(digits: str) -> str:
    if len(digits) == 10:  # the way Thai bankbooks print it: 123-4-56789-0
        return f"{digits[:3]}-{digits[3]}-{digits[4:9]}-{digits[9]}"
    if len(digits) == 12:
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    return digits


@lru_cache(maxsize=65536)
def _clean_account(raw: str) -> str:
    text = fold(raw).strip().lower()
    canonical = _CANONICAL_ACCOUNT.match(text)
    if canonical:
        code, digits = canonical.groups()
        return _checked(raw, BANKS_BY_CODE.get(code) if code != UNKNOWN_BANK else None, digits)
    bank: Bank | None = None
    named = BANK_NAME.search(text)
    if named:
        bank = BANKS_BY_NAME[named.group(0).lower()]
        text = text[: named.start()] + " " + text[named.end() :]
    text = _ACCOUNT_FILLER.sub(" ", text).strip(" -.,")
    if not text:
        raise BANK_ACCOUNT.invalid(raw, "no account number")
    if bank is None and text.startswith(tuple(BANKS_BY_CODE)):
        # "004 123-4-56789-0" or "004-1234567890": a leading bank code and a full number.
        code, rest = text[:3], text[3:]
        rest_digits = _SEPARATORS.sub("", rest)
        candidate = BANKS_BY_CODE[code]
        if rest[:1] in (" ", "-") and len(rest_digits) in candidate.account_lengths:
            bank, text = candidate, rest.strip(" -")
    if not _DIGITS_WITH_SEPARATORS.match(text):
        raise BANK_ACCOUNT.invalid(raw, "an account number has only digits, spaces and dashes")
    return _checked(raw, bank, _SEPARATORS.sub("", text))


def _checked(raw: str, bank: Bank | None, digits: str) -> str:
    if bank is None:
        if len(digits) not in UNKNOWN_LENGTHS:
            raise BANK_ACCOUNT.invalid(raw, "a Thai account number has 10 to 12 digits")
        return f"{UNKNOWN_BANK}-{digits}"
    if len(digits) not in bank.account_lengths:
        lengths = " or ".join(str(n) for n in bank.account_lengths)
        raise BANK_ACCOUNT.invalid(raw, f"{bank.abbr} account numbers have {lengths} digits")
    return f"{bank.code}-{digits}"


def thai_id_checksum_ok(digits: str) -> bool:
    """Whether a 13-digit Thai citizen/tax ID has a correct check digit (mod-11 scheme)."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


_PROMPTPAY_FILLER = re.compile(r"พร้อมเพย์|พร้อมเพ|promptpay|prompt pay|pp\b|[:#]", re.IGNORECASE)
_PROMPTPAY_CANONICAL = re.compile(r"^(mobile|nid|ewallet):(.+)$")


class PromptPayType(IndicatorType):
    name: ClassVar[str] = "promptpay"
    label: ClassVar[str] = "PromptPay ID"

    def clean(self, raw: str) -> str:
        return _clean_promptpay(raw)

    def caption(self, value: str) -> str:
        kind, _, ident = value.partition(":")
        if kind == "mobile":
            return PHONE.caption(ident)
        if kind == "nid":
            return f"{ident[0]}-{ident[1:5]}-{ident[5:10]}-{ident[10:12]}-{ident[12]}"
        return ident


PROMPTPAY = PromptPayType()


@lru_cache(maxsize=65536)
def _clean_promptpay(raw: str) -> str:
    text = fold(raw).strip()
    canonical = _PROMPTPAY_CANONICAL.match(text.lower())
    if canonical:
        value = _clean_promptpay(canonical.group(2))
        if not value.startswith(canonical.group(1) + ":"):
            raise PROMPTPAY.invalid(raw, f"not a PromptPay {canonical.group(1)} ID")
        return value
    text = _PROMPTPAY_FILLER.sub(" ", text).strip()
    digits = re.sub(r"[ \-.()]", "", text)
    if not re.fullmatch(r"\+?[0-9]+", digits):
        raise PROMPTPAY.invalid(raw, "a PromptPay ID is a mobile number, a 13- or 15-digit ID")
    if len(digits) == 13 and not digits.startswith(("+", "0066")):
        if not thai_id_checksum_ok(digits):
            raise PROMPTPAY.invalid(raw, "the 13-digit citizen/tax ID checksum does not match")
        return f"nid:{digits}"
    if len(digits) == 15 and digits.isdigit():
        return f"ewallet:{digits}"
    try:
        phone = PHONE.clean(digits)
    except InvalidIndicator:
        raise PROMPTPAY.invalid(raw, "neither a Thai mobile number nor a 13/15-digit ID") from None
    number = phonenumbers.parse(phone) if phone.startswith("+") else None
    if (
        number is None
        or number.country_code != 66
        or phonenumbers.number_type(number) != PhoneNumberType.MOBILE
    ):
        raise PROMPTPAY.invalid(raw, "PromptPay phone IDs are Thai mobile numbers")
    return f"mobile:{phone}"
