"""The registry of indicator types: ``get_type(name).clean(value)`` is how every context
normalizes an indicator."""

from __future__ import annotations

from typing import Literal, get_args

from tatsai.core.errors import InvalidInput
from tatsai.indicators.base import IndicatorType
from tatsai.indicators.crypto import CRYPTO_WALLET
from tatsai.indicators.device import IMEI, IMSI
from tatsai.indicators.finance import BANK_ACCOUNT, PROMPTPAY
from tatsai.indicators.messaging import LINE_ID, SENDER_ID
from tatsai.indicators.phone import PHONE
from tatsai.indicators.web import DOMAIN, EMAIL, URL

TYPES: dict[str, IndicatorType] = {
    t.name: t
    for t in (
        PHONE,
        SENDER_ID,
        URL,
        DOMAIN,
        EMAIL,
        BANK_ACCOUNT,
        PROMPTPAY,
        LINE_ID,
        IMEI,
        IMSI,
        CRYPTO_WALLET,
    )
}

TYPE_NAMES: tuple[str, ...] = tuple(TYPES)

# For Pydantic schemas and Typer options of other contexts: ``type: IndicatorTypeName``.
IndicatorTypeName = Literal[
    "phone",
    "sender_id",
    "url",
    "domain",
    "email",
    "bank_account",
    "promptpay",
    "line_id",
    "imei",
    "imsi",
    "crypto_wallet",
]
if get_args(IndicatorTypeName) != TYPE_NAMES:  # pragma: no cover - a programming error
    raise RuntimeError("IndicatorTypeName and TYPES disagree")


def get_type(name: str) -> IndicatorType:
    """The indicator type called ``name``.

    Raises InvalidInput (field ``type``) naming the known types.
    """
    try:
        return TYPES[name]
    except KeyError:
        known = ", ".join(TYPE_NAMES)
        raise InvalidInput(
            f"unknown indicator type {name!r}; known types: {known}", field="type"
        ) from None
