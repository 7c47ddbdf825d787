"""Messaging identities: SMS sender IDs and LINE IDs.

Normalized forms (see docs/indicators.md):

* ``sender_id`` → an alphanumeric SMS sender ID: 1–11 characters of the GSM 7-bit basic set
  that operators accept in the originator field (letters, digits, space, ``. - _ & ' + ! ? ( )
  / : # @ * , %``), at least one letter, surrounding spaces trimmed and inner runs of spaces
  collapsed, **upper-cased**. Phones show sender IDs as sent, but ``KBank`` and ``KBANK``
  claim the same name to a reader, so tatsai matches them case-insensitively: the upper-case
  form is canonical. A numeric-only originator is a phone number or short code (``phone``).
* ``line_id`` → a LINE ID, lower-case (LINE treats IDs case-insensitively). A personal ID has
  4–20 characters of ``a-z 0-9 . - _``; an official account ID starts with ``@`` followed by
  2–20 such characters, and the ``@`` is kept: ``@job4you`` and ``job4you`` are different
  accounts. ``line.me/ti/p/~id`` and ``line.me/R/ti/p/@id`` links give the ID.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tatsai.indicators.base import IndicatorType
from tatsai.indicators.text import fold

_SENDER = re.compile(r"^[A-Za-z0-9 .\-_&'+!?()/:#@*,%]{1,11}$")
_LINE_PERSONAL = re.compile(r"^[a-z0-9._-]{4,20}$")
_LINE_OFFICIAL = re.compile(r"^@[a-z0-9._-]{2,20}$")
_LINE_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?line\.me/(?:r/)?ti/p/(?:~|%40)?(@?[a-z0-9._-]+)/?$"
)
_LINE_LABEL = re.compile(
    r"^(?:(?:line\s*id|id\s*line|line)(?:\s*[:：]\s*|\s+)|(?:ไลน์ไอดี|ไอดีไลน์|ไลน์)\s*[:：]?\s*)"
)


class SenderIdType(IndicatorType):
    name: ClassVar[str] = "sender_id"
    label: ClassVar[str] = "SMS sender ID"

    def clean(self, raw: str) -> str:
        text = " ".join(fold(raw).split())
        if not text:
            raise self.invalid(raw, "empty")
        if not _SENDER.match(text):
            raise self.invalid(raw, "1 to 11 GSM characters (letters, digits, space, .-_&…)")
        if not any(c.isalpha() for c in text):
            raise self.invalid(raw, "a numeric sender is a phone number or short code")
        return text.upper()


class LineIdType(IndicatorType):
    name: ClassVar[str] = "line_id"
    label: ClassVar[str] = "LINE ID"

    def clean(self, raw: str) -> str:
        text = _LINE_LABEL.sub("", fold(raw).strip().lower()).strip()
        linked = _LINE_URL.match(text)
        if linked:
            text = linked.group(1)
        if text.startswith("@"):
            if not _LINE_OFFICIAL.match(text):
                raise self.invalid(raw, "an official account ID is @ and 2-20 of a-z 0-9 . - _")
            return text
        if not _LINE_PERSONAL.match(text):
            raise self.invalid(raw, "a LINE ID has 4-20 of a-z 0-9 . - _")
        return text

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        return 0.6 if left.lstrip("@") == right.lstrip("@") else 0.0


SENDER_ID = SenderIdType()
LINE_ID = LineIdType()
