"""Each indicator type: what it accepts, its normalized form, and why it refuses the rest."""

from __future__ import annotations

from typing import get_args

import pytest

from tatsai.core.errors import InvalidInput
from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.types import TYPE_NAMES, TYPES, IndicatorTypeName, get_type
from tests.indicators.extraction_cases import (
    BTC_LEGACY,
    BTC_P2SH,
    BTC_SEGWIT,
    BTC_TAPROOT,
    ETH,
    ETH_CLEAN,
    TRON,
)

CLEAN: list[tuple[str, str, str]] = [
    # phone
    ("phone", "081-234-5678", "+66812345678"),
    ("phone", "๐๘๑-๒๓๔-๕๖๗๘", "+66812345678"),
    ("phone", "+66 81 234 5678", "+66812345678"),
    ("phone", "0066812345678", "+66812345678"),
    ("phone", "66812345678", "+66812345678"),
    ("phone", "001 66 81 234 5678", "+66812345678"),
    ("phone", "(02) 888-8888", "+6628888888"),
    ("phone", "+0876777049", "+66876777049"),
    ("phone", "+66 (0) 81 234 5678", "+66812345678"),
    ("phone", "0066 0812345678", "+66812345678"),
    ("phone", "02.123.4567", "+6621234567"),
    ("phone", "tel:+66-2-123-4567", "+6621234567"),
    ("phone", "+44 20 7946 0958", "+442079460958"),
    ("phone", "00442079460958", "+442079460958"),
    ("phone", "1185", "1185"),
    ("phone", "1333", "1333"),
    ("phone", "１１３３", "1133"),
    ("phone", "191", "191"),
    # sender_id
    ("sender_id", "KBank", "KBANK"),
    ("sender_id", " Kerry  Exp ", "KERRY EXP"),
    ("sender_id", "TrueMove-H", "TRUEMOVE-H"),
    ("sender_id", "ＡＩＳ", "AIS"),
    # url
    ("url", "bit . ly/abc", "http://bit.ly/abc"),
    ("url", "hxxps://kbank-verify[.]com/login", "https://kbank-verify.com/login"),
    ("url", "HTTPS://KBank-Verify.COM:443/Login#frag", "https://kbank-verify.com/Login"),
    ("url", "http://example.com:8080", "http://example.com:8080/"),
    ("url", "https://example.com:80/", "https://example.com:80/"),
    (
        "url",
        "https://กสิกร.ไทย/ทดสอบ",
        "https://xn--12ca6h0a4c.xn--o3cw4h/%E0%B8%97%E0%B8%94%E0%B8%AA%E0%B8%AD%E0%B8%9A",
    ),
    ("url", "https://a.com/p?q=a b".replace(" ", "%20"), "https://a.com/p?q=a%20b"),
    ("url", "https://a.com/p%2fq", "https://a.com/p%2Fq"),
    ("url", "//cdn.example.net/x", "http://cdn.example.net/x"),
    ("url", "http://user@kbank.com@evil.top/", "http://user%40kbank.com@evil.top/"),
    ("url", "http://203.0.113.7/a", "http://203.0.113.7/a"),
    ("url", "hitps://bit.ly/x", "https://bit.ly/x"),
    ("url", "httos://bit.ly/x", "https://bit.ly/x"),
    ("url", "htp://bit.ly/x", "http://bit.ly/x"),
    # domain
    ("domain", "KBank-Verify.COM.", "kbank-verify.com"),
    ("domain", "www.กสิกร.ไทย", "www.xn--12ca6h0a4c.xn--o3cw4h"),
    ("domain", "https://a.kerry-th.co.th/path", "a.kerry-th.co.th"),
    ("domain", "kbank[.]com", "kbank.com"),
    ("domain", "kbаnk.com", "xn--kbnk-63d.com"),
    # email
    ("email", "Foo.Bar@Gmail.com", "foo.bar@gmail.com"),
    ("email", "refund[at]rd-th[.]com", "refund@rd-th.com"),
    ("email", "mailto:a+b@example.co.th", "a+b@example.co.th"),
    # bank_account
    ("bank_account", "กสิกร 123-4-56789-0", "004-1234567890"),
    ("bank_account", "ธนาคารกสิกรไทย 1234567890", "004-1234567890"),
    ("bank_account", "KBank 123 4 56789 0", "004-1234567890"),
    ("bank_account", "004-1234567890", "004-1234567890"),
    ("bank_account", "004 123-4-56789-0", "004-1234567890"),
    ("bank_account", "SCB 987-6-54321-0", "014-9876543210"),
    ("bank_account", "ttb 4445666667", "011-4445666667"),
    ("bank_account", "ออมสิน 0201-2345-6789", "030-020123456789"),
    ("bank_account", "ธ.ก.ส. 012345678901", "034-012345678901"),
    ("bank_account", "GHB 001122334455", "033-001122334455"),
    ("bank_account", "123-4-56789-0", "unknown-1234567890"),
    ("bank_account", "unknown-1234567890", "unknown-1234567890"),
    ("bank_account", "เลขบัญชี: 555-1-23456-7", "unknown-5551234567"),
    # promptpay
    ("promptpay", "0812345678", "mobile:+66812345678"),
    ("promptpay", "พร้อมเพย์ 081-234-5678", "mobile:+66812345678"),
    ("promptpay", "+66812345678", "mobile:+66812345678"),
    ("promptpay", "1-1017-00203-45-0", "nid:1101700203450"),
    ("promptpay", "nid:3100600123450", "nid:3100600123450"),
    ("promptpay", "123456789012345", "ewallet:123456789012345"),
    ("promptpay", "mobile:+66812345678", "mobile:+66812345678"),
    # line_id
    ("line_id", "Job4You", "job4you"),
    ("line_id", "@Job4You", "@job4you"),
    ("line_id", "ไลน์ไอดี: money.fast99", "money.fast99"),
    ("line_id", "LINE ID: loan_easy", "loan_easy"),
    ("line_id", "https://line.me/ti/p/~cheat99", "cheat99"),
    ("line_id", "line.me/R/ti/p/@shop4u", "@shop4u"),
    # imei
    ("imei", "490154203237518", "490154203237518"),
    ("imei", "49-015420-323751-8", "490154203237518"),
    ("imei", "49015420323751", "490154203237518"),
    ("imei", "4901542032375199", "490154203237518"),
    ("imei", "IMEI: 352099001761481", "352099001761481"),
    # imsi
    ("imsi", "520031234567890", "520031234567890"),
    ("imsi", "520-03-1234567890", "520031234567890"),
    ("imsi", "IMSI 310150123456789", "310150123456789"),
    # crypto_wallet
    ("crypto_wallet", BTC_LEGACY, f"btc:{BTC_LEGACY}"),
    ("crypto_wallet", BTC_P2SH, f"btc:{BTC_P2SH}"),
    ("crypto_wallet", BTC_SEGWIT.upper(), f"btc:{BTC_SEGWIT}"),
    ("crypto_wallet", BTC_TAPROOT, f"btc:{BTC_TAPROOT}"),
    ("crypto_wallet", ETH, ETH_CLEAN),
    ("crypto_wallet", ETH.lower(), ETH_CLEAN),
    ("crypto_wallet", "0x" + ETH[2:].upper(), ETH_CLEAN),
    ("crypto_wallet", f"eth:{ETH}", ETH_CLEAN),
    ("crypto_wallet", TRON, f"trx:{TRON}"),
]

INVALID: list[tuple[str, str, str]] = [
    ("phone", "", "empty"),
    ("phone", "*1185#", "USSD"),
    ("phone", "0123456789", "number range"),
    ("phone", "12345", "short number"),
    ("phone", "123", "short number"),
    ("phone", "081-234-567", "number range"),
    ("phone", "call me", "only digits"),
    ("phone", "08+12345678", "only digits"),
    ("sender_id", "", "empty"),
    ("sender_id", "ABCDEFGHIJKL", "1 to 11"),
    ("sender_id", "123456", "numeric"),
    ("sender_id", "ธนาคาร", "1 to 11"),
    ("url", "", "empty"),
    ("url", "ftp://files.example.com/a", "scheme"),
    ("url", "abcde://files.example.com/a", "scheme"),
    ("url", "http://localhost/", "dot"),
    ("url", "http://example.invalidtld/", "public suffix"),
    ("url", "https://a.com/x y", "spaces"),
    ("url", "http://exa_mple..com/", "label"),
    ("domain", "com", "dot"),
    ("domain", "co.th", "public suffix"),
    ("domain", "-bad-.com", "label"),
    ("domain", "xn--zz.com", "punycode"),
    ("domain", "[/", "IPv6"),
    ("email", "no-at-sign.com", "local part"),
    ("email", "a@b", "dot"),
    ("email", "a..b@example.com", "local part"),
    ("email", "x@203.0.113.7", "IP address"),
    ("bank_account", "กสิกร 12345", "10 digits"),
    ("bank_account", "ออมสิน 1234567890", "12 digits"),
    ("bank_account", "12345678", "10 to 12"),
    ("bank_account", "กสิกร", "no account number"),
    ("bank_account", "KBank 123-abc", "only digits"),
    ("promptpay", "1101700203451", "checksum"),
    ("promptpay", "021234567", "mobile"),
    ("promptpay", "12345", "neither"),
    ("promptpay", "nid:0812345678", "nid"),
    ("line_id", "ab", "4-20"),
    ("line_id", "a" * 21, "4-20"),
    ("line_id", "bad id", "4-20"),
    ("line_id", "@a", "official"),
    ("imei", "490154203237517", "Luhn"),
    ("imei", "4901542032", "15 digits"),
    ("imei", "49015420323751X", "only digits"),
    ("imsi", "5200312345", "14 or 15"),
    ("imsi", "020031234567890", "country code"),
    ("crypto_wallet", ETH[:-1] + "D", "EIP-55"),
    ("crypto_wallet", BTC_LEGACY[:-1] + "3", "base58check"),
    ("crypto_wallet", BTC_SEGWIT[:-1] + "5", "bech32"),
    # BIP-350: a witness v1 program with a bech32 (not bech32m) checksum is invalid
    ("crypto_wallet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32"),
    ("crypto_wallet", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bech32"),
    ("crypto_wallet", TRON[:-1] + "u", "TRON"),
    ("crypto_wallet", "hello", "not a Bitcoin"),
]


@pytest.mark.parametrize(("type_name", "raw", "expected"), CLEAN)
def test_clean(type_name: str, raw: str, expected: str) -> None:
    indicator_type = get_type(type_name)
    assert indicator_type.clean(raw) == expected
    assert indicator_type.clean(expected) == expected  # idempotent
    assert indicator_type.clean(indicator_type.caption(expected)) == expected  # round trip


@pytest.mark.parametrize(("type_name", "raw", "reason"), INVALID)
def test_invalid_says_why(type_name: str, raw: str, reason: str) -> None:
    indicator_type = get_type(type_name)
    with pytest.raises(InvalidIndicator, match=reason) as caught:
        indicator_type.clean(raw)
    assert caught.value.field == "value"
    assert not indicator_type.is_valid(raw)


def test_every_type_is_registered_under_its_name() -> None:
    assert set(TYPE_NAMES) == {
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
    }
    assert get_args(IndicatorTypeName) == TYPE_NAMES
    for name, indicator_type in TYPES.items():
        assert indicator_type.name == name
        assert {type_name for type_name, _, _ in CLEAN} >= {name}


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="known types: phone, sender_id") as caught:
        get_type("fax")
    assert caught.value.field == "type"


@pytest.mark.parametrize(
    ("type_name", "value", "caption"),
    [
        ("phone", "+66812345678", "081-234-5678"),
        ("phone", "+6621234567", "02-123-4567"),
        ("phone", "+442079460958", "+44 20 7946 0958"),
        ("phone", "1185", "1185"),
        ("bank_account", "004-1234567890", "KBANK 123-4-56789-0"),
        ("bank_account", "030-020123456789", "GSB 0201-2345-6789"),
        ("bank_account", "unknown-1234567890", "123-4-56789-0"),
        ("promptpay", "nid:1101700203450", "1-1017-00203-45-0"),
        ("promptpay", "mobile:+66812345678", "081-234-5678"),
        ("imei", "490154203237518", "49015420-323751-8"),
        ("imsi", "520031234567890", "520-03-1234567890"),
        ("crypto_wallet", ETH_CLEAN, ETH),
    ],
)
def test_caption(type_name: str, value: str, caption: str) -> None:
    assert get_type(type_name).caption(value) == caption


def test_node_id_and_parse() -> None:
    phone = get_type("phone")
    assert phone.node_id("+66812345678") == "phone:+66812345678"
    assert phone.parse("081-234-5678").node_id == "phone:+66812345678"


@pytest.mark.parametrize(
    ("type_name", "left", "right", "low", "high"),
    [
        ("phone", "+66812345678", "+66812345678", 1.0, 1.0),
        ("phone", "+66812345678", "+66898765432", 0.0, 0.0),
        ("bank_account", "004-1234567890", "unknown-1234567890", 0.5, 0.9),
        ("bank_account", "004-1234567890", "014-1234567890", 0.0, 0.0),
        ("url", "http://bit.ly/abc", "https://bit.ly/abc", 0.8, 0.95),
        ("url", "http://bit.ly/abc", "http://bit.ly/xyz", 0.3, 0.7),
        ("domain", "a.kerry-th.top", "b.kerry-th.top", 0.5, 0.9),
        ("domain", "kerry-th.top", "kerry-th.xyz", 0.0, 0.0),
        ("line_id", "@job4you", "job4you", 0.3, 0.9),
        ("email", "a@evil.com", "b@evil.com", 0.1, 0.5),
    ],
)
def test_compare(type_name: str, left: str, right: str, low: float, high: float) -> None:
    assert low <= get_type(type_name).compare(left, right) <= high


def test_registrable_domain_never_fetches_the_suffix_list(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from tatsai.indicators import web

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the suffix list must come from the bundled snapshot")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    fresh = web.tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    assert fresh("a.kerry-th.co.th").top_domain_under_public_suffix == "kerry-th.co.th"
    assert web.registrable_domain("a.b.kerry-th.co.th") == "kerry-th.co.th"
    assert web.registrable_domain("shop.xn--o3cw4h") == "shop.xn--o3cw4h"
    assert web.registrable_domain("203.0.113.7") is None
    # The one instance the package uses: nothing to fetch, no disk cache to read or write.
    assert web._SUFFIXES.suffix_list_urls == ()
    assert web._SUFFIXES._cache.enabled is False
