"""Compiled patterns that find indicator candidates in folded text (see :mod:`.text`).

Every candidate found here is confirmed by its type's ``clean`` before it is reported; these
patterns only decide where to look, so they lean towards finding too much, and the context
rules (keywords, case, public suffixes) in :mod:`.extract` keep amounts, dates and codes out.
"""

from __future__ import annotations

import re

from tatsai.indicators.banks import BANK_NAME_PATTERN

# Characters that may continue a URL after its host; Thai letters end it (Thai text often
# follows a link without a space).
_URL_TAIL = r"[^\s<>\"'\u0e00-\u0e7f\ufffd]"
_DEFANGED_DOT = r"(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})"
# A dot, a defanged dot, or a dot with a space before it ("bit . ly", "bit .ly"); a dot with a
# space only after it ends a sentence ("…co.uk. Customer").
_DOT = rf"(?:\.|\s\.\s?|\s?{_DEFANGED_DOT}\s?)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"

SCHEME_URL = re.compile(
    # http(s) may be glued to the word before it ("อันดับ1https://…", "BTChttps://…"); other
    # (misspelled) schemes must start a word.
    # "http//x" (colon lost) and "http:// x" (a space after the scheme) are still links.
    rf"(?:https?|hxxps?|(?<![A-Za-z0-9])[A-Za-z]{{3,6}})(?::/{{1,3}}|\[://\]|\[:\]//|//)"
    rf"(?:\s(?=[A-Za-z0-9]))?{_URL_TAIL}+",
    re.IGNORECASE,
)
BARE_HOST = re.compile(
    rf"(?<![A-Za-z0-9@._%+\-/])(?P<host>(?:{_LABEL}{_DOT})+(?P<tld>[A-Za-z]{{2,24}}|xn--[a-z0-9-]{{1,59}}))"
    rf"(?![A-Za-z0-9_-])(?P<port>:[0-9]{{2,5}})?(?P<tail>[/?]{_URL_TAIL}*)?"
)
EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+\s?(?:@|\[at\]|\(at\)|\[@\]|\(@\))\s?"
    rf"(?:{_LABEL}{_DOT})+[A-Za-z]{{2,24}}(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
CRYPTO = re.compile(
    r"(?<![A-Za-z0-9])(?:0x[0-9a-fA-F]{40}|[bB][cC]1[0-9A-Za-z]{8,87}"
    r"|[13][1-9A-HJ-NP-Za-km-z]{25,34}|T[1-9A-HJ-NP-Za-km-z]{33})(?![A-Za-z0-9])"
)

# A number as people write it: digits with single spaces, dashes or dots between them.
NUMBER = re.compile(
    r"(?<![A-Za-z0-9+])(?:\+|\((?=[0-9]))?[0-9]"
    r"(?:[0-9]|\)?[ \-.]\(?(?=[0-9])|\)(?=[0-9])){5,30}(?![0-9A-Za-z])"
)
SEPARATOR = re.compile(r"[ \-.]")
FIRST_DIGIT = re.compile(r"[0-9]")

PROMPTPAY_KEYWORD = re.compile(r"พร้อม\s?เพย์|พร้อมเพ|prompt\s?pay", re.IGNORECASE)
BANK_NAME = re.compile(BANK_NAME_PATTERN, re.IGNORECASE)
ACCOUNT_KEYWORD = re.compile(
    r"เลขที่บัญชี|เลขบัญชี|บัญชี|บ/ช|บช\.|โอนเงินเข้า|โอนเข้า|โอนมาที่|โอนไปที่|โอนที่|"
    r"(?<![a-z])(?:a/c|acc(?:ount)?|transfer to)(?![a-z])",
    re.IGNORECASE,
)
PHONE_KEYWORD = re.compile(
    r"(?:โทรศัพท์|โทร|ติดต่อ|เบอร์|สายด่วน|(?<![a-z])(?:call|tel|phone|hotline|contact))"
    r"\s*[:.]?\s*(?P<short>1[0-9]{2,4})(?![0-9])",
    re.IGNORECASE,
)
DEVICE_KEYWORD = re.compile(
    r"(?<![a-z])(?P<kind>imei|imsi)(?![a-z])\s*(?:no\.?|number|เลข(?:ที่)?)?\s*[:#=]?\s*"
    r"(?P<digits>[0-9](?:[0-9]|[ \-./](?=[0-9])){13,18})(?![0-9])",
    re.IGNORECASE,
)
_LINE_VALUE = r"(?P<value>@?[A-Za-z0-9._\-]{2,20})(?![A-Za-z0-9_\-@:/]|\.[A-Za-z0-9])"
# ไลน์ but not ออนไลน์ ("online").
_LINE_TH = r"(?<!ออน)(?:ไลน์|ไลน)"
LINE_KEYWORD = re.compile(
    rf"(?:{_LINE_TH}\s?ไอดี|ไอดี\s?ไลน์|แอด\s?ไลน์|{_LINE_TH}|"
    r"@line(?=\s?[:：])|(?<![a-z])(?:line\s?id|id\s?line|add\s?line|line(?=\s?[:：@])))"
    r"\s?(?:ไอดี|id)?\s*[:：=]?\s*" + _LINE_VALUE,
    re.IGNORECASE,
)
# "แอดไลน์มาได้เลย ID: 5661667": the ID label a few words after the LINE word.
LINE_ID_LATER = re.compile(
    rf"(?:{_LINE_TH}|(?<![a-z])line(?![a-z]))[^\n]{{0,24}}?(?<![a-z])(?:id|ไอดี)\s*[:：]\s*"
    + _LINE_VALUE,
    re.IGNORECASE,
)
ADD_HANDLE = re.compile(
    r"(?:แอด|add)\s?(?:มา|มาที่|เพื่อน|friend)?\s?(?P<value>@[A-Za-z0-9._\-]{2,20})", re.IGNORECASE
)
# What stands before a merchant on a card alert: an amount, or the card's last digits.
AMOUNT_BEFORE = re.compile(r"(?:[0-9]\s?(?:thb|baht|บาท|usd|\$)|[x\-][0-9]{4})\s?$", re.IGNORECASE)
HANDLE = re.compile(
    r"(?<![A-Za-z0-9._%+\-@])(?P<value>@[A-Za-z0-9._\-]{3,20})(?![A-Za-z0-9_\-@]|\.[A-Za-z0-9])"
)
LINE_LINK_PATH = re.compile(r"^/(?:r/)?ti/p/(?:~|%40|@)?(?P<id>[a-z0-9._\-]+)/?$", re.IGNORECASE)

# Top-level labels that a bare host name (no scheme, no path, no "www.") must end in to count
# as a link. English prose that lost the space after a full stop ("her.love", "days.so",
# "message.it") ends in words that are also top-level domains; these are the suffixes links in
# SMS actually use, and none is a common English word at the end of a sentence.
LINK_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "info",
        "biz",
        "xyz",
        "top",
        "site",
        "online",
        "shop",
        "store",
        "club",
        "vip",
        "link",
        "app",
        "icu",
        "buzz",
        "bet",
        "casino",
        "win",
        "asia",
        "mobi",
        "website",
        "cc",
        "co",
        "me",
        "ly",
        "gl",
        "tv",
        "io",
        "pw",
        "ws",
        "su",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "th",
        "cn",
        "hk",
        "sg",
        "la",
        "kh",
        "vn",
        "ph",
        "jp",
        "kr",
        "tw",
        "ru",
        "uk",
        "de",
    ]
)
TRAILING_PUNCTUATION = ".,;:!?)]}>'\"…"
