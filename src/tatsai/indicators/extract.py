"""Finding typed, normalized indicators in free Thai or English text.

The text is folded first (:func:`tatsai.indicators.text.fold_map`: Thai digits, fullwidth and
invisible characters), then detectors run from the most specific to the least, each claiming
the characters it used so later ones cannot reuse them (digits inside a link are not a phone
number; a PromptPay or bank account number is not reported again as a phone):

1. links with a scheme (``https://``, defanged ``hxxps://``) and e-mail addresses;
2. host names without a scheme (``www.x.xyz``, ``kerry-th.top/p?id=1``, ``bit . ly/abc``,
   ``kbank-verify[.]com``), accepted only when their suffix is in the Public Suffix List
   snapshot (see :mod:`.web`). With a path or ``www.`` they are ``url``; alone, ``domain``,
   and then only with a top-level label that links use (:data:`.patterns.LINK_TLDS`), because
   prose that lost the space after a full stop ("her.love") ends in word-like TLDs too;
3. crypto wallets (checksums verified);
4. PromptPay IDs after the word พร้อมเพย์/PromptPay (same line or the next);
5. IMEI and IMSI after those words;
6. bank accounts: a 10–12 digit number with a bank name (กสิกร, KBank, ออมสิน…) shortly
   before or after it (this line or the adjacent one, never across another figure), or an
   account word (บัญชี, เลขบัญชี, โอนเข้า, a/c…) before it;
7. LINE IDs after ไลน์/ไลน์ไอดี/แอดไลน์/LINE ID…, ``@handles``, and ``line.me`` links;
8. phone numbers: digit runs (spaces, dots, dashes allowed between digits) that are a valid
   Thai number written with a leading ``0``/``+66``/``0066``/``66`` or an international number
   with ``+``; Thai short numbers (1185, 1333) only right after โทร/ติดต่อ/call….

Amounts (``3,000.50``), dates, times, OTP codes and reference numbers are not reported: they
are not valid numbers of any type, or have no keyword that makes them one.
SMS sender IDs are message metadata, not text, and are never extracted here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from tatsai.indicators import patterns as p
from tatsai.indicators.banks import BANKS_BY_NAME
from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.crypto import CRYPTO_WALLET
from tatsai.indicators.device import IMEI, IMSI
from tatsai.indicators.finance import (
    BANK_ACCOUNT,
    PROMPTPAY,
    UNKNOWN_BANK,
    UNKNOWN_LENGTHS,
)
from tatsai.indicators.messaging import LINE_ID
from tatsai.indicators.phone import PHONE
from tatsai.indicators.text import fold_map
from tatsai.indicators.web import DOMAIN, EMAIL, URL, public_suffix, undefang

# How far (in folded characters) a keyword may stand from the number it introduces.
_KEYWORD_WINDOW = 48
_BANK_AFTER_WINDOW = 25
_PROMPTPAY_WINDOW = 25


@dataclass(frozen=True, slots=True)
class Found:
    """One indicator found in text: its type, normalized value, and where it was."""

    type: str
    value: str
    raw: str
    start: int
    end: int


@dataclass(slots=True)
class _Scan:
    """The folded text and which of its characters a detector has already used."""

    text: str
    claimed: bytearray
    hits: list[tuple[int, int, str, str]]

    def free(self, start: int, end: int) -> bool:
        return not any(self.claimed[start:end])

    def claim(self, start: int, end: int, type_name: str, value: str) -> None:
        self.claimed[start:end] = b"\x01" * (end - start)
        self.hits.append((start, end, type_name, value))


def extract_indicators(text: str) -> list[Found]:
    """Every indicator in ``text``, in order of appearance, deduplicated by (type, value).

    ``start``/``end`` index the original ``text``; ``raw`` is ``text[start:end]``.
    Never raises on any input string.
    """
    folded, origin = fold_map(text)
    scan = _Scan(folded, bytearray(len(folded)), [])
    for detector in _DETECTORS:
        detector(scan)
    found: list[Found] = []
    seen: set[tuple[str, str]] = set()
    for start, end, type_name, value in sorted(scan.hits):
        if (type_name, value) in seen:
            continue
        seen.add((type_name, value))
        raw_start, raw_end = origin[start], origin[end - 1] + 1
        found.append(Found(type_name, value, text[raw_start:raw_end], raw_start, raw_end))
    return found


def _strip_trailing(text: str, start: int, end: int) -> int:
    """``end`` moved left past punctuation that ends a sentence rather than a link."""
    while end > start and text[end - 1] in p.TRAILING_PUNCTUATION:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break  # a balanced parenthesis belongs to the link
        end -= 1
    return end


def _detect_scheme_urls(scan: _Scan) -> None:
    for match in p.SCHEME_URL.finditer(scan.text):
        start, end = match.start(), _strip_trailing(scan.text, match.start(), match.end())
        _report_url(scan, start, end, scan.text[start:end])


def _report_url(scan: _Scan, start: int, end: int, raw: str) -> bool:
    try:
        value = URL.clean(raw)
    except InvalidIndicator:
        return False
    scan.claim(start, end, URL.name, value)
    parts = urlsplit(value)
    if parts.hostname in ("line.me", "www.line.me"):
        linked = p.LINE_LINK_PATH.match(parts.path)
        if linked:
            ident = linked.group("id")
            if "/p/@" in parts.path or "%40" in parts.path:
                ident = "@" + ident
            _try_add(scan, start, end, LINE_ID.name, LINE_ID.clean, ident)
    return True


def _detect_emails(scan: _Scan) -> None:
    for match in p.EMAIL.finditer(scan.text):
        if scan.free(match.start(), match.end()):
            _try_add(scan, match.start(), match.end(), EMAIL.name, EMAIL.clean, match.group(0))


def _detect_bare_hosts(scan: _Scan) -> None:
    for match in p.BARE_HOST.finditer(scan.text):
        start = match.start()
        end = _strip_trailing(scan.text, start, match.end())
        if not scan.free(start, end):
            continue
        host_raw = match.group("host")
        tld = match.group("tld")
        if tld != tld.lower() and tld != tld.upper():
            continue  # "end.World": a sentence without its space, not a link
        host = undefang(host_raw).lower()
        suffix = public_suffix(host)
        if not suffix or not host.endswith(suffix) or host == suffix:
            continue
        tail = scan.text[match.start("host") + len(host_raw) : end]
        has_path = bool(tail.strip(":0123456789"))
        spaced = any(c.isspace() for c in host_raw)
        if spaced and host_raw != host_raw.lower():
            continue  # "Thanks. Co" is prose
        bare = not has_path and (spaced or not host.startswith("www."))
        if bare and host.rpartition(".")[2] not in p.LINK_TLDS:
            continue  # "her.love", "days.so": a sentence without its space
        if has_path or host.startswith("www."):
            _report_url(scan, start, end, scan.text[start:end])
        else:
            _try_add(scan, start, match.end("host"), DOMAIN.name, DOMAIN.clean, host_raw)


def _detect_crypto(scan: _Scan) -> None:
    for match in p.CRYPTO.finditer(scan.text):
        if scan.free(match.start(), match.end()):
            clean = CRYPTO_WALLET.clean
            _try_add(scan, match.start(), match.end(), CRYPTO_WALLET.name, clean, match.group(0))


def _numbers_after(scan: _Scan, position: int, window: int) -> Iterator[re.Match[str]]:
    """Unclaimed numbers starting within ``window`` characters after ``position``, on the same
    line or the next ("พร้อมเพย์:⏎081-…")."""
    limit = position + window
    newline = scan.text.find("\n", position)
    second = -1 if newline == -1 else scan.text.find("\n", newline + 1)
    if second != -1:
        limit = min(limit, second)
    for match in p.NUMBER.finditer(scan.text, position):
        if match.start() > limit:
            return
        if scan.free(match.start(), match.end()):
            yield match


def _detect_promptpay(scan: _Scan) -> None:
    for keyword in p.PROMPTPAY_KEYWORD.finditer(scan.text):
        for number in _numbers_after(scan, keyword.end(), _PROMPTPAY_WINDOW):
            try:
                value = PROMPTPAY.clean(number.group(0))
            except InvalidIndicator:
                continue
            scan.claim(number.start(), number.end(), PROMPTPAY.name, value)
            break


def _detect_devices(scan: _Scan) -> None:
    for match in p.DEVICE_KEYWORD.finditer(scan.text):
        kind = IMEI if match.group("kind").lower() == "imei" else IMSI
        start, end = match.start("digits"), match.end("digits")
        if scan.free(start, end):
            _try_add(scan, start, end, kind.name, kind.clean, match.group("digits"))


def _detect_bank_accounts(scan: _Scan) -> None:
    text = scan.text
    for number in p.NUMBER.finditer(text):
        digits = p.SEPARATOR.sub("", number.group(0))
        if len(digits) not in UNKNOWN_LENGTHS or not digits.isdigit():
            continue
        start, end = number.start(), number.end()
        if not scan.free(start, end):
            continue
        before = _context_before(text, start)
        bank_names = list(p.BANK_NAME.finditer(before))
        bank = BANKS_BY_NAME[bank_names[-1].group(0).lower()] if bank_names else None
        if bank is None:
            named = p.BANK_NAME.search(_context_after(text, end))
            if named and not PHONE.is_valid(number.group(0)):
                # A bank named after a number only claims it when it is no phone number:
                # "เบอร์ใหม่ 09… โอนเข้า กสิกร …" names the bank of the next number.
                bank = BANKS_BY_NAME[named.group(0).lower()]
        has_keyword = p.ACCOUNT_KEYWORD.search(before) is not None
        if bank is not None and len(digits) in bank.account_lengths:
            scan.claim(start, end, BANK_ACCOUNT.name, f"{bank.code}-{digits}")
        elif has_keyword and not PHONE.is_valid(number.group(0)):
            scan.claim(start, end, BANK_ACCOUNT.name, f"{UNKNOWN_BANK}-{digits}")


def _context_before(text: str, start: int) -> str:
    """The words that may name the bank of a number at ``start``: up to ``_KEYWORD_WINDOW``
    characters back, this line and the one above ("ธนาคาร: กสิกรไทย⏎เลขบัญชี: …"), but nothing
    before another figure (a bank named before an earlier number is that number's)."""
    previous_line = text.rfind("\n", 0, max(0, text.rfind("\n", 0, start))) + 1
    window = text[max(previous_line, start - _KEYWORD_WINDOW) : start]
    last_digit = max(window.rfind(d) for d in "0123456789")
    return window[last_digit + 1 :]


def _context_after(text: str, end: int) -> str:
    """Up to ``_BANK_AFTER_WINDOW`` characters after a number, this line and the next, up to
    the next figure."""
    next_break = text.find("\n", end)
    line_after = -1 if next_break < 0 else text.find("\n", next_break + 1)
    limit = min(end + _BANK_AFTER_WINDOW, len(text) if line_after < 0 else line_after)
    window = text[end:limit]
    digit = p.FIRST_DIGIT.search(window)
    return window if digit is None else window[: digit.start()]


def _detect_line_ids(scan: _Scan) -> None:
    for pattern in (p.LINE_KEYWORD, p.LINE_ID_LATER, p.ADD_HANDLE, p.HANDLE):
        for match in pattern.finditer(scan.text):
            start = match.start("value")
            value = match.group("value").rstrip(".-_")
            end = start + len(value)
            if not scan.free(start, end):
                continue
            if pattern is p.HANDLE and not _plausible_handle(scan.text, start, value):
                continue
            if not any(c.isalpha() for c in value) and not _digit_line_id(pattern, value):
                continue
            _try_add(scan, start, end, LINE_ID.name, LINE_ID.clean, value)


def _digit_line_id(pattern: re.Pattern[str], value: str) -> bool:
    """An all-digit value after a LINE keyword is an ID unless it is a phone number (people
    search LINE by phone): those are left to the phone detector."""
    keyword = pattern is p.LINE_KEYWORD or pattern is p.LINE_ID_LATER
    return keyword and len(value) >= 6 and not PHONE.is_valid(value)


def _plausible_handle(text: str, start: int, value: str) -> bool:
    """A bare @handle that is no domain ("@www.lazada.co.th"), no "@LINE", no card merchant."""
    bare = value.lstrip("@").lower()
    if bare == "line" or ("." in bare and public_suffix(bare) == bare.rpartition(".")[2]):
        return False
    # "ยอด 350.00 THB @Lazada", "บัตร SCB-1234 @SHOPNAME": a merchant on a card alert.
    return p.AMOUNT_BEFORE.search(text, max(0, start - 16), start) is None


def _detect_phones(scan: _Scan) -> None:
    for number in p.NUMBER.finditer(scan.text):
        if scan.free(number.start(), number.end()):
            _phone_in_run(scan, number)
    for keyword in p.PHONE_KEYWORD.finditer(scan.text):
        start, end = keyword.start("short"), keyword.end("short")
        if scan.free(start, end):
            _try_add(scan, start, end, PHONE.name, PHONE.clean, keyword.group("short"))


def _phone_in_run(scan: _Scan, number: re.Match[str]) -> None:
    """The longest valid phone numbers in a run of digit groups, left to right."""
    run = number.group(0)
    groups = [(m.start(), m.end()) for m in re.finditer(r"\+?[0-9]+", run)]
    index = 0
    while index < len(groups):
        best: tuple[int, str] | None = None
        digits = 0
        for last in range(index, len(groups)):
            digits += groups[last][1] - groups[last][0]
            if digits > 15:
                break
            if digits < 9:
                continue
            candidate = run[groups[index][0] : groups[last][1]]
            if _looks_like_phone(candidate):
                with contextlib.suppress(InvalidIndicator):
                    best = (last, PHONE.clean(candidate))
        if best is None:
            index += 1
            continue
        last, value = best
        base = number.start()
        scan.claim(base + groups[index][0], base + groups[last][1], PHONE.name, value)
        index = last + 1


def _looks_like_phone(candidate: str) -> bool:
    """Written the way a phone number is: ``+``, a Thai trunk ``0`` or the ``66`` code."""
    return candidate.startswith(("+", "0", "66"))


def _try_add(
    scan: _Scan,
    start: int,
    end: int,
    type_name: str,
    clean: Callable[[str], str],
    raw: str,
) -> None:
    try:
        value = clean(raw)
    except InvalidIndicator:
        return
    scan.claim(start, end, type_name, value)


_DETECTORS: tuple[Callable[[_Scan], None], ...] = (
    _detect_scheme_urls,
    _detect_emails,
    _detect_bare_hosts,
    _detect_crypto,
    _detect_promptpay,
    _detect_devices,
    _detect_bank_accounts,
    _detect_line_ids,
    _detect_phones,
)
