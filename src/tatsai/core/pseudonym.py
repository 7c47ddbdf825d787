"""Keyed pseudonyms for personal data (reporter numbers, account holders, ID holders).

A pseudonym is HMAC-SHA256 of the normalized value under the configured secret and a purpose
label, so the same person matches within one purpose but pseudonyms of different purposes
cannot be joined. Without the secret a pseudonym cannot be reversed by enumerating the
(small) space of Thai phone numbers, which a plain hash would allow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from tatsai.core.settings import get_settings


def pseudonym(value: str, *, purpose: str, secret: str | None = None) -> str:
    """``psn_<purpose>_<26 base32 chars>`` for ``value``; deterministic for one secret."""
    key = (secret if secret is not None else get_settings().secret_key.get_secret_value()).encode()
    mac = hmac.new(key, f"{purpose}\x1f{value}".encode(), hashlib.sha256).digest()
    token = base64.b32encode(mac[:16]).decode("ascii").rstrip("=").lower()
    return f"psn_{purpose}_{token}"
