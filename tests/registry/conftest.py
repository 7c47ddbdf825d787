"""Registry test helpers.

TEMPORARY: until ``tatsai.indicators.types`` lands on main, a minimal stand-in with the same
interface (``TYPES``, ``get_type(name).clean(raw)``) is installed when the real one is absent.
"""

from __future__ import annotations

import importlib
import re
import sys
import types

import phonenumbers

from tatsai.core.errors import InvalidInput
from tatsai.indicators.base import IndicatorType, InvalidIndicator


def _install_types_shim() -> None:
    try:
        importlib.import_module("tatsai.indicators.types")
        return
    except ImportError:
        pass

    class Phone(IndicatorType):
        name = "phone"
        label = "phone number"

        def clean(self, raw: str) -> str:
            try:
                num = phonenumbers.parse(raw, "TH")
            except phonenumbers.NumberParseException as exc:
                raise self.invalid(raw, str(exc)) from exc
            if not phonenumbers.is_valid_number(num):
                raise self.invalid(raw, "not a valid number")
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)

    class Simple(IndicatorType):
        pattern = re.compile(r".+")

        def clean(self, raw: str) -> str:
            value = raw.strip().lower() if self.name != "sender_id" else raw.strip()
            if not self.pattern.fullmatch(value):
                raise self.invalid(raw, "bad format")
            return value

    def simple(name: str, pattern: str) -> Simple:
        cls = type(name, (Simple,), {"name": name, "label": name, "pattern": re.compile(pattern)})
        return cls()  # type: ignore[no-any-return]

    registry = {
        "phone": Phone(),
        "sender_id": simple("sender_id", r"[A-Za-z0-9 .\-]{2,11}"),
        "url": simple("url", r"https?://[a-z0-9.\-]+(/\S*)?"),
        "domain": simple("domain", r"([a-z0-9\-]+\.)+[a-z]{2,}"),
        "email": simple("email", r"[^@\s]+@([a-z0-9\-]+\.)+[a-z]{2,}"),
        "bank_account": simple("bank_account", r"\d{3}-\d{10,12}"),
        "promptpay": simple("promptpay", r"(mobile:\+66\d{9}|nid:\d{13}|ewallet:\d{15})"),
        "line_id": simple("line_id", r"@?[a-z0-9._\-]{1,20}"),
        "imei": simple("imei", r"\d{15}"),
        "imsi": simple("imsi", r"\d{15}"),
        "crypto_wallet": simple("crypto_wallet", r"[a-z0-9]{26,64}"),
    }

    def get_type(name: str) -> IndicatorType:
        if name not in registry:
            raise InvalidInput(f"unknown indicator type {name!r}", field="type")
        return registry[name]

    module = types.ModuleType("tatsai.indicators.types")
    module.TYPES = registry  # type: ignore[attr-defined]
    module.get_type = get_type  # type: ignore[attr-defined]
    sys.modules["tatsai.indicators.types"] = module
    _ = InvalidIndicator


_install_types_shim()
