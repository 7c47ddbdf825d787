"""Crypto wallet addresses: Bitcoin, Ethereum (and other EVM chains), TRON.

Normalized forms (see docs/indicators.md), each with the chain in front so the type stays
unambiguous:

* ``btc:<address>`` — legacy/P2SH base58check addresses (version byte 0x00 or 0x05, checksum
  verified) as written (base58 is case-sensitive); segwit addresses (``bc1…``) lower-case, with
  the BIP-173 (bech32, witness v0) or BIP-350 (bech32m, v1+) checksum verified.
* ``eth:0x<40 lower-case hex>`` — an EVM address; mixed-case input must carry a correct EIP-55
  checksum (Keccak-256 from pycryptodome); all-lower or all-upper input has none to check.
* ``trx:T…`` — a TRON address: base58check, version byte 0x41, checksum verified.

Test-network addresses are not accepted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

import base58
from Crypto.Hash import keccak

from tatsai.indicators.base import IndicatorType
from tatsai.indicators.text import fold

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BTC_BASE58 = re.compile(rf"^[13][{_BASE58}]{{25,34}}$")
BTC_BECH32 = re.compile(r"^bc1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{8,87}$", re.IGNORECASE)
ETH = re.compile(r"^0x[0-9a-fA-F]{40}$")
TRON = re.compile(rf"^T[{_BASE58}]{{33}}$")

_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if ((top >> i) & 1) else 0
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: list[int], from_bits: int, to_bits: int) -> list[int] | None:
    """Regroup ``from_bits``-bit values into ``to_bits``-bit ones; ``None`` if padding is bad."""
    accumulator = 0
    bits = 0
    result: list[int] = []
    max_value = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & max_value)
    if bits >= from_bits or ((accumulator << (to_bits - bits)) & max_value):
        return None
    return result


def segwit_address_ok(address: str, hrp: str = "bc") -> bool:
    """Whether ``address`` is a valid segwit address (BIP-173 / BIP-350) for ``hrp``."""
    if address.lower() != address and address.upper() != address:
        return False  # mixed case is forbidden by BIP-173
    address = address.lower()
    separator = address.rfind("1")
    if address[:separator] != hrp or separator + 7 > len(address) or len(address) > 90:
        return False
    try:
        data = [_BECH32_CHARSET.index(c) for c in address[separator + 1 :]]
    except ValueError:
        return False
    constant = _bech32_polymod(_hrp_expand(hrp) + data)
    if constant not in (_BECH32_CONST, _BECH32M_CONST):
        return False
    version, program_bits = data[0], data[1:-6]
    program = _convert_bits(program_bits, 5, 8)
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        return False
    if version == 0:
        return constant == _BECH32_CONST and len(program) in (20, 32)
    return constant == _BECH32M_CONST


def _base58check(address: str) -> bytes | None:
    try:
        return base58.b58decode_check(address)
    except ValueError:
        return None


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a ``0x`` + 40-hex address."""
    hex_digits = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hex_digits.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c
        for i, c in enumerate(hex_digits)
    )


class CryptoWalletType(IndicatorType):
    name: ClassVar[str] = "crypto_wallet"
    label: ClassVar[str] = "crypto wallet address"

    def clean(self, raw: str) -> str:
        return _clean_wallet(raw)

    def caption(self, value: str) -> str:
        chain, _, address = value.partition(":")
        return eip55(address) if chain == "eth" else address

    def chain(self, value: str) -> str:
        """``btc``, ``eth`` or ``trx`` for a clean value."""
        return value.partition(":")[0]


CRYPTO_WALLET = CryptoWalletType()


@lru_cache(maxsize=65536)
def _clean_wallet(raw: str) -> str:
    text = fold(raw).strip()
    chain, colon, rest = text.partition(":")
    if colon and chain.lower() in ("btc", "eth", "trx", "bitcoin", "ethereum", "tron"):
        text = rest.strip()
    if ETH.match(text):
        body = text[2:]
        if body != body.lower() and body != body.upper() and eip55(text) != "0x" + body:
            raise CRYPTO_WALLET.invalid(raw, "EIP-55 checksum (mixed case) does not match")
        return "eth:0x" + body.lower()
    if BTC_BECH32.match(text):
        if not segwit_address_ok(text):
            raise CRYPTO_WALLET.invalid(raw, "bech32 checksum or witness program is wrong")
        return "btc:" + text.lower()
    if BTC_BASE58.match(text):
        payload = _base58check(text)
        if payload is None or len(payload) != 21 or payload[0] not in (0x00, 0x05):
            raise CRYPTO_WALLET.invalid(raw, "base58check checksum or version is wrong")
        return "btc:" + text
    if TRON.match(text):
        payload = _base58check(text)
        if payload is None or len(payload) != 21 or payload[0] != 0x41:
            raise CRYPTO_WALLET.invalid(raw, "TRON base58check checksum or version is wrong")
        return "trx:" + text
    raise CRYPTO_WALLET.invalid(raw, "not a Bitcoin, Ethereum or TRON address")
