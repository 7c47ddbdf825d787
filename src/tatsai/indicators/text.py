"""The one text folding used before looking for indicators (and by the screening context).

:func:`fold` maps text that a person reads as the same to the same string, so that a pattern
written for plain ASCII finds what scammers obfuscate. It does exactly this, in this order:

1. **Thai digits** ``๐``–``๙`` (U+0E50–U+0E59) become ASCII ``0``–``9``.
2. **Invisible characters are removed**: every format character (Unicode category ``Cf``:
   zero-width space/joiner/non-joiner, word joiner, BOM, soft hyphen, bidi marks and
   embeddings…), variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF), the combining grapheme
   joiner (U+034F), Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) and the Braille blank
   (U+2800), which render as nothing or as blank space.
3. **Compatibility forms (NFKC), character by character** — fullwidth ``ｈｔｔｐ０８１`` becomes
   ``http081``, circled and mathematical letters become plain ones, ``․`` (one-dot leader)
   becomes ``.``. Thai letters (U+0E00–U+0E7F) are kept exactly as typed: NFKC would split
   SARA AM (``ำ`` → ``ํา``), which breaks Thai word matching. Because it is per character,
   separate combining sequences are not composed (``e`` + U+0301 stays two characters).
4. **Combining and enclosing marks on ASCII letters and digits are removed** (``b̲i̲t̲`` →
   ``bit``, ``0̶8̶1̶`` → ``081``, keycaps ``0️⃣`` → ``0``); combining marks on Thai consonants
   (vowels and tone marks) are kept.
5. **Unicode spaces** (no-break space, em/en/thin spaces, ideographic space…) and tabs become
   one ASCII space each (line breaks are kept); ideographic/halfwidth full stops ``。`` ``｡``
   become ``.`` (IDNA treats them as dots too), and so do dot look-alikes (middle dot ``·``,
   bullet ``•``, ``∙``, ``⋅``, katakana middle dots) between two ASCII letters or digits
   (``bit·ly`` → ``bit.ly``).
6. **Homoglyphs in digit context**: ``O``/``o`` → ``0`` and ``I``/``l``/``|`` → ``1`` when the
   character touches a digit on at least one side and is not next to another letter, and the
   run of digits, separators (space, ``-``, ``.``) and such characters around it holds at least
   six real digits (``O8l-234-5678`` → ``081-234-5678``; ``iPhone 11 Pro`` and ``Vol 2`` stay).
   Letters that look like Latin ones in other scripts (Cyrillic ``а``, Greek ``ο``) are **not**
   folded: in a host name they make a different domain, and folding it into the real bank's
   domain would be dangerous.

Folding never changes letter case and never adds or removes anything else. :func:`fold_map`
also returns, for every character of the folded text, its index in the original text, so
extraction can report where in the original message an indicator was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"

_THAI_BLOCK = range(0x0E00, 0x0E80)
_INVISIBLE_EXTRA = {
    0x034F,  # combining grapheme joiner
    0x115F,
    0x1160,
    0x3164,
    0xFFA0,  # Hangul fillers render blank
    0x2800,  # Braille pattern blank
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0xE0100, 0xE01F0),  # variation selectors supplement
}
_DOTS = {"\u3002": ".", "\uff61": "."}
_KEEP_WHITESPACE = {"\n", "\r"}

# Text made only of ASCII and Thai characters folds one character to one (Thai digits, tab).
_NEEDS_SLOW_PATH = re.compile(r"[^\x00-\x7f\u0e00-\u0e7f]")
_ONE_TO_ONE = str.maketrans({"\t": " ", **{d: str(i) for i, d in enumerate(THAI_DIGITS)}})

# Dot look-alikes between ASCII letters or digits, as in "bit·ly/abc" or "kbank•com".
_DOT_LOOKALIKE = re.compile("(?<=[A-Za-z0-9])[\u00b7\u2022\u2219\u22c5\u30fb\uff65](?=[A-Za-z0-9])")

_HOMOGLYPH_NEAR_DIGIT = re.compile(r"(?<=[0-9])[OoIl|]|[OoIl|](?=[0-9])")
# A run of digits, separators and digit look-alikes, not glued to other ASCII letters.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z])[0-9OoIl|](?:[0-9OoIl|]|[ .\-](?=[0-9OoIl|]))*(?![A-Za-z])")
_HOMOGLYPH_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """The folded form of one character (possibly empty, possibly several characters)."""
    code = ord(char)
    if code < 0x80:
        return " " if char == "\t" else char
    if code in _THAI_BLOCK:
        if 0x0E50 <= code <= 0x0E59:
            return chr(code - 0x0E50 + 0x30)
        return char
    if code in _INVISIBLE_EXTRA:
        return ""
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if char in _DOTS:
        return _DOTS[char]
    if category == "Zs":
        return " "
    if char.isspace() and char not in _KEEP_WHITESPACE:
        return " " if category != "Zl" and category != "Zp" else "\n"
    folded = unicodedata.normalize("NFKC", char)
    if folded != char:
        # NFKC output may itself contain invisible or Thai-digit characters; fold those too.
        return "".join(_fold_char(c) if c != char else c for c in folded)
    return char


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def fold_map(text: str) -> tuple[str, Sequence[int]]:
    """``(fold(text), origin)`` where ``origin[i]`` is the index in ``text`` of folded char ``i``.

    ``origin`` has one more entry than the folded text: ``len(text)``, so that an end offset
    ``j`` of the folded text maps to ``origin[j]`` in the original.
    """
    if _NEEDS_SLOW_PATH.search(text) is None:
        # Only ASCII and Thai: folding maps one character to one character.
        return _fold_digit_homoglyphs(text.translate(_ONE_TO_ONE)), range(len(text) + 1)
    out: list[str] = []
    origin: list[int] = []
    previous_base = ""
    for index, char in enumerate(text):
        code = ord(char)
        if (
            code >= 0x300
            and code not in _THAI_BLOCK
            and unicodedata.category(char) in ("Mn", "Me")
            and _is_ascii_alnum(previous_base)
        ):
            continue  # a combining mark on an ASCII letter or digit
        piece = _fold_char(char)
        for part in piece:
            out.append(part)
            origin.append(index)
        if piece:
            previous_base = piece[-1]
    origin.append(len(text))
    folded = _DOT_LOOKALIKE.sub(".", "".join(out))
    return _fold_digit_homoglyphs(folded), origin


def fold(text: str) -> str:
    """``text`` folded as the module docstring describes.

    Idempotent: ``fold(fold(t)) == fold(t)``.
    """
    return fold_map(text)[0]


def _fold_digit_homoglyphs(text: str) -> str:
    if _HOMOGLYPH_NEAR_DIGIT.search(text) is None:
        return text
    return _DIGIT_RUN.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if sum(c.isdigit() for c in run) < 6:
        return run
    chars = list(run)
    changed = True
    while changed:  # a chain of look-alikes ("oo81…") folds from the digit outwards
        changed = False
        for i, char in enumerate(chars):
            if char in _HOMOGLYPH_DIGIT:
                left = chars[i - 1] if i > 0 else ""
                right = chars[i + 1] if i + 1 < len(chars) else ""
                if left.isdigit() or right.isdigit():
                    chars[i] = _HOMOGLYPH_DIGIT[char]
                    changed = True
    return "".join(chars)
