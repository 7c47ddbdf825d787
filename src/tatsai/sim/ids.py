"""Identifier formats of the simulated world, built vectorized with Arrow string kernels.

MSISDN: E.164 Thai mobile numbers, ``+66`` then 9 digits starting 6, 8 or 9.
IMSI: 15 digits, MCC 520 + 2-digit MNC of the operator + 10 digits.
IMEI: 15 digits, an 8-digit TAC + 6-digit serial + Luhn check digit.
Cell id: CGI-like ``520-<MNC>-<LAC>-<CI>``.
Holder pseudonyms: ``psn_holder_…`` keyed on a per-seed simulation secret (see
:func:`tatsai.core.pseudonym.pseudonym`), one per ID card.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.core.pseudonym import pseudonym

#: Operator brands and the MNC their IMSIs and cells carry (assumed values; see docs/simulator.md).
OPERATORS: tuple[str, ...] = ("AIS", "TRUE", "DTAC", "NT")
OPERATOR_MNC: tuple[str, ...] = ("03", "04", "05", "15")
#: Share of SIMs per brand (True Corporation = TRUE + DTAC after the 2023 merger).
OPERATOR_SHARE: tuple[float, ...] = (0.45, 0.30, 0.21, 0.04)


def unique_ints(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """``n`` distinct integers in ``[low, high)``, in random order."""
    if n > (high - low) // 2:
        raise ValueError("the range is too small for that many distinct values")
    picked = np.empty(0, dtype=np.int64)
    while len(picked) < n:
        more = rng.integers(low, high, size=int((n - len(picked)) * 1.05) + 16)
        picked = np.concatenate([picked, more])
        _, first = np.unique(picked, return_index=True)
        picked = picked[np.sort(first)]
    return picked[:n]


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal strings of non-negative integers."""
    return pc.utf8_lpad(pa.array(values, pa.int64()).cast(pa.string()), width, "0")


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def msisdns(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` distinct Thai mobile numbers in E.164, in assigned ranges (08x, 09x, 061–066)."""
    numbers = unique_ints(rng, n, 0, 260_000_000)
    eight_nine = (8 + numbers // 100_000_000) * 100_000_000 + numbers % 100_000_000
    rest = numbers - 200_000_000
    sixty = (61 + rest // 10_000_000) * 10_000_000 + rest % 10_000_000
    return join("+66", digits(np.where(numbers < 200_000_000, eight_nine, sixty), 9))


def imsis(rng: np.random.Generator, operator: np.ndarray) -> pa.Array:
    """Distinct IMSIs, each with the MNC of its SIM's operator."""
    serial = unique_ints(rng, len(operator), 0, 10_000_000_000)
    mnc = pa.array(np.array(OPERATOR_MNC)[operator])
    return join("520", mnc, digits(serial, 10))


def luhn_digit(body: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each 14-digit integer."""
    total = np.zeros(len(body), dtype=np.int64)
    rest = body.copy()
    for position in range(14):  # from the right: doubled at even positions (0-based)
        d = rest % 10
        rest //= 10
        if position % 2 == 0:
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    return (10 - total % 10) % 10


def imeis(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` distinct Luhn-valid IMEIs over 400 made-up TACs (handset models)."""
    tacs = np.sort(unique_ints(rng, 400, 35_000_000, 36_000_000))
    pick = unique_ints(rng, n, 0, 400 * 1_000_000)
    body = tacs[pick // 1_000_000] * 1_000_000 + pick % 1_000_000
    return join(digits(body, 14), digits(luhn_digit(body), 1))


_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def holder_pseudonyms(n: int, secret: str, *, start: int = 0) -> pa.Array:
    """``psn_holder_<26 base32>`` tokens for holder indexes ``start``..``n-1``.

    The holders are made up, so there is nothing to key: each token is 128 bits from a PCG64
    stream seeded by ``secret`` and the index range, in the format of
    :func:`tatsai.core.pseudonym.pseudonym` (lower-case base32 of 16 bytes, no padding).
    Vectorized, because a medium world has about 750,000 holders.
    """
    count = max(0, n - start)
    seed = int.from_bytes(secret.encode()[:32].ljust(32, b"\0"), "big")
    rng = np.random.Generator(np.random.PCG64([seed, start, n]))
    # 25 full base32 digits and a last one holding 3 bits (then 2 zero bits): 128 bits.
    values = rng.integers(0, 32, (count, 26), dtype=np.uint8)
    values[:, 25] &= 0b11100
    chars = _B32[values].reshape(count * 26)
    tokens = pa.Array.from_buffers(
        pa.string(),
        count,
        [None, pa.py_buffer(np.arange(0, 26 * count + 1, 26, dtype=np.int32)), pa.py_buffer(chars)],
    )
    return join("psn_holder_", tokens)


def reporter_pseudonym(msisdn: str, secret: str) -> str:
    return pseudonym(msisdn, purpose="reporter", secret=secret)
