"""Normalization of Thai and English messages for classification.

:func:`normalize` turns a raw SMS into the string the classifier's character n-grams read,
plus counts of what it replaced. Contract, in order:

1. ``fold`` from :mod:`tatsai.indicators.text` (NFKC: fullwidth → ASCII; Thai digits → ASCII
   digits; invisible characters removed) on every message with a character beyond printable
   ASCII and Thai letters, then case-folded.
2. Homoglyphs: every non-ASCII, non-Thai character that Unicode's confusables table (the
   ``confusable-homoglyphs`` package) lists as looking like one ASCII letter or digit becomes
   that ASCII character (``kаsikorn`` with a Cyrillic ``а`` reads ``kasikorn``).
3. URLs become the placeholder :data:`URL` followed by the URL's public suffix (``.com``,
   ``.co.th``); the host itself is not kept, so the model learns *that* a link is there, not
   which gambling domain it was (domains change daily; URL risk scores them separately).
4. Thai/international phone numbers → :data:`PHONE`, USSD/VAS codes (``*155*34#``) → :data:`USSD`,
   LINE IDs (``@job4you``, ``line id: x``) → :data:`LINE`, emoji → :data:`EMOJI`.
5. Masked digits (``08X-XXX-1234``, ``xxx-x-x1234-x``) and all remaining digits → ``0``, so
   amounts and codes keep their shape but not their value.
6. Runs of 3+ identical characters shrink to 2 (``ฟรีีีี`` → ``ฟรีี``, ``!!!!`` → ``!!``); repeated
   Thai combining marks shrink to one; whitespace collapses to single spaces.

Placeholders are private-use characters, so one placeholder is one character to the n-grams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import emoji
import numpy as np
from confusable_homoglyphs.utils import load as load_confusables
from numpy.typing import NDArray

from tatsai.screening.textfold import fold

URL = "\ue000"
PHONE = "\ue001"
USSD = "\ue002"
LINE = "\ue003"
EMOJI = "\ue004"
MASKED = "\ue005"

_THAI = range(0x0E00, 0x0E80)

# Every pattern starts with a character class and checks what comes before with a lookbehind
# *after* its first character: the regex engine then skips Thai text with a fast charset scan
# instead of trying the whole pattern at every position (3-7x faster on Thai SMS).
URL_RE = re.compile(
    r"[a-z0-9](?<![a-z0-9\-./@][a-z0-9])"
    r"(?:(?<=h)[tx]{2}ps? ?: ?//[^\s]+"
    r"|(?<=w)ww\.[^\s]+"
    r"|[a-z0-9\-]{0,62}(?: ?(?:\.|\[\.\]|\(\.\)) ?[a-z0-9\-]{1,63}){0,4}"
    r" ?(?:\.|\[\.\]|\(\.\)) ?"
    r"(?:com|net|org|info|biz|xyz|top|vip|club|online|site|shop|store|app|link|me|cc|co|io|ly|gl"
    r"|to|in|th|ee|cn|asia|live|fun|win|bet|game|games|icu|cyou|buzz|one|pro|tk|ml|ga|cf|gq"
    r"|page|ws|sh|gd|is|im|us|uk|hk|sg|my|id|ph|vn|la|kh|mm|tv|dev)\b(?:/[^\s]*)?)"
)
_SUFFIX_RE = re.compile(r"\.((?:co\.|in\.|or\.|go\.|ac\.)?[a-z]{2,6})(?:[/:?#]|$)")
USSD_RE = re.compile(r"[*#](?<=[*#])\d{2,4}(?:\*\d{1,6}){0,4}#?|[0-9](?<![0-9][0-9])\d{3,6}#")
LINE_RE = re.compile(
    r"(?:line *(?:id)?|ไลน์(?:ไอดี)?|ไอดีไลน์) *[:：]? *@?[a-z0-9._\-]{3,}"
    r"|@(?<![\w.]@)[a-z0-9][a-z0-9._\-]{2,}"
)
PHONE_RE = re.compile(
    r"[0-9+](?<![\d*][0-9+])"
    r"(?:(?<=\+)66[ \-]?(?:[689]\d|2)[ \-]?\d{3}[ \-]?\d{3,4}"
    r"|(?<=\+)\d{1,3}[ \-]?\d{2,4}[ \-]?\d{3,4}[ \-]?\d{0,4}"
    r"|(?<=6)6[ \-]?(?:[689]\d|2)[ \-]?\d{3}[ \-]?\d{3,4}"
    r"|(?<=0)(?:[689]\d|2)[ \-]?\d{3}[ \-]?\d{3,4})(?!\d)"
)
# Candidates for masked numbers; _masked() keeps those with 2+ masks and a digit.
MASK_RE = re.compile(r"[0-9x*](?<![a-z][0-9x*])[0-9x*\-]{2,}(?![a-z])")
_MASK_ONLY_RE = re.compile(r"x(?<![a-z]x)x{2,}(?:-x+)*(?![a-z])")


_PLACEHOLDERS = (URL, PHONE, USSD, LINE, EMOJI, MASKED)
# Messages of printable ASCII and Thai letters only have nothing for ``fold`` to do except its
# digit-context homoglyphs (O8l → 081), which the classifier does not need: every other digit
# becomes 0 anyway. Skipping fold for them keeps it off the hot path (it is per character).
_NEEDS_FOLD = re.compile("[^\x20-\x7e\u0e01-\u0e4f\u0e5a-\u0e5b]")
SEPARATOR = "\n"
_LUT_SIZE = 0x110000
_KEEP = 0  # marker in the kind table: character left as it is
_HOMOGLYPH = 1
_EMOJI_KIND = 2


@lru_cache(maxsize=1)
def _lookup_tables() -> tuple[NDArray[np.uint32], NDArray[np.uint8]]:
    """Code point → replacement code point, and code point → kind of replacement.

    Homoglyphs: every non-ASCII, non-Thai character that Unicode's confusables table (the
    ``confusable-homoglyphs`` package) lists as looking like one ASCII letter or digit becomes
    that ASCII character; letters are preferred over digits (Cyrillic ``о`` → ``o``, not ``0``).
    Emoji: every code point above U+2000 used in the ``emoji`` package's sequences (including
    ZWJ and variation selectors) becomes :data:`EMOJI`. One table lookup per character keeps this
    in numpy rather than a Python loop.
    """
    replace = np.arange(_LUT_SIZE, dtype=np.uint32)
    kind = np.zeros(_LUT_SIZE, dtype=np.uint8)
    for char, glyphs in load_confusables("confusables.json").items():
        if len(char) != 1 or ord(char) < 128 or ord(char) in _THAI:
            continue
        ascii_like = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()]
        letters = [c for c in ascii_like if c.isalpha()] or [c for c in ascii_like if c.isdigit()]
        if letters:
            replace[ord(char)] = ord(letters[0].lower())
            kind[ord(char)] = _HOMOGLYPH
    for sequence in emoji.EMOJI_DATA:
        for char in sequence:
            if ord(char) > 0x2000 and kind[ord(char)] == _KEEP:
                replace[ord(char)] = ord(EMOJI)
                kind[ord(char)] = _EMOJI_KIND
    return replace, kind


@lru_cache(maxsize=1)
def _collapse_to_one() -> NDArray[np.bool_]:
    """Characters whose runs shrink to one: the space and Thai vowel/tone marks."""
    table = np.zeros(_LUT_SIZE, dtype=np.bool_)
    table[ord(" ")] = True
    table[0x0E31] = True
    table[0x0E34:0x0E3B] = True
    table[0x0E47:0x0E4F] = True
    return table


def _collapse_runs(cp: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """Runs of 3+ identical characters → 2; runs of spaces or Thai marks → 1; no space next to
    a separator or at either end. Vectorized: one boolean mask instead of three regexes."""
    if len(cp) == 0:
        return cp
    same = cp[1:] == cp[:-1]
    drop = np.zeros(len(cp), dtype=np.bool_)
    drop[2:] = same[1:] & same[:-1]
    drop[1:] |= same & _collapse_to_one()[cp[1:]]
    drop &= cp != ord(SEPARATOR)  # empty messages make runs of separators: keep every one
    cp = cp[~drop]
    space = cp == ord(" ")
    edge = np.ones(len(cp), dtype=np.bool_)
    edge_after = np.ones(len(cp), dtype=np.bool_)
    separator = cp == ord(SEPARATOR)
    edge[1:] = separator[:-1]
    edge_after[:-1] = separator[1:]
    kept: NDArray[np.uint32] = cp[~(space & (edge | edge_after))]
    return kept


def _masked(match: re.Match[str]) -> str:
    token = match.group(0)
    masks = token.count("x") + token.count("*")
    return MASKED if masks >= 2 and any(c.isdigit() for c in token) else token


@lru_cache(maxsize=1)
def _digits_to_zero() -> NDArray[np.uint32]:
    table = np.arange(_LUT_SIZE, dtype=np.uint32)
    table[ord("1") : ord("9") + 1] = ord("0")
    return table


def _codepoints(text: str) -> NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _text(codepoints: NDArray[np.uint32]) -> str:
    return np.asarray(codepoints, dtype=np.uint32).tobytes().decode("utf-32-le")


@dataclass(frozen=True, slots=True)
class NormalizedBatch:
    """A batch of messages as the classifier sees them.

    ``folded[i]`` is message ``i`` folded and case-folded with its whitespace collapsed
    (before any replacement): what keyword rules read. ``codepoints`` is every normalized
    message joined by :data:`SEPARATOR` (as uint32 code
    points); ``starts``/``ends`` index message ``i`` in it. ``urls[i]`` are the URLs found in
    message ``i`` as written (after folding, before homoglyph mapping), so URL risk still sees a
    Cyrillic letter in a host. ``homoglyphs``/``emoji`` count replaced characters per message.
    """

    codepoints: NDArray[np.uint32]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    urls: list[list[str]]
    homoglyphs: NDArray[np.int64]
    emoji: NDArray[np.int64]
    folded: list[str]

    def __len__(self) -> int:
        return len(self.starts)

    def texts(self) -> list[str]:
        return _text(self.codepoints).split(SEPARATOR)


def _per_message(
    positions: NDArray[np.int64], bounds: NDArray[np.int64], n: int
) -> NDArray[np.int64]:
    """How many of ``positions`` fall in each of the ``n`` messages split at ``bounds``."""
    owner = np.searchsorted(bounds, positions, side="right")
    return np.bincount(owner, minlength=n)[:n].astype(np.int64)


def _separator_positions(codepoints: NDArray[np.uint32]) -> NDArray[np.int64]:
    return np.flatnonzero(codepoints == ord(SEPARATOR)).astype(np.int64)


def normalize_batch(raw_texts: Sequence[str]) -> NormalizedBatch:
    """Normalize many messages at once (see the module docstring for the contract).

    The batch is joined into one string so every regular expression and table lookup runs once
    over the whole batch in C; patterns never cross :data:`SEPARATOR` because each message's own
    whitespace (including newlines) is first collapsed to single spaces.
    """
    n = len(raw_texts)
    cleaned = [" ".join(t.split()) for t in raw_texts]
    needs_fold = [i for i, t in enumerate(cleaned) if _NEEDS_FOLD.search(t)]
    if needs_fold:
        folded_part = fold(SEPARATOR.join(cleaned[i] for i in needs_fold)).split(SEPARATOR)
        if len(folded_part) == len(needs_fold):
            for i, text in zip(needs_fold, folded_part, strict=True):
                cleaned[i] = " ".join(text.split())
        else:  # pragma: no cover - fold keeps line breaks; this only guards the contract
            for i in needs_fold:
                cleaned[i] = " ".join(fold(cleaned[i]).split())
    folded = SEPARATOR.join(cleaned).casefold()
    before = _codepoints(folded)
    replace, kind = _lookup_tables()
    after = replace[before]
    changed = kind[before]
    bounds = _separator_positions(before)
    homoglyphs = _per_message(np.flatnonzero(changed == _HOMOGLYPH), bounds, n)
    emojis = _per_message(np.flatnonzero(changed == _EMOJI_KIND), bounds, n)
    text = _text(after)

    urls: list[list[str]] = [[] for _ in range(n)]

    def url_token(match: re.Match[str]) -> str:
        owner = int(np.searchsorted(bounds, match.start(), side="right"))
        urls[owner].append(folded[match.start() : match.end()])
        compact = re.sub(r" |\[|\]|\(|\)", "", match.group(0))
        host = compact.split("//", 1)[-1].split("/", 1)[0]
        suffix = _SUFFIX_RE.search(host + "/")
        return f" {URL}{'.' + suffix.group(1) if suffix else ''} "

    text = URL_RE.sub(url_token, text)
    text = USSD_RE.sub(f" {USSD} ", text)
    text = LINE_RE.sub(f" {LINE} ", text)
    text = MASK_RE.sub(_masked, text)
    text = _MASK_ONLY_RE.sub(MASKED, text)
    text = PHONE_RE.sub(f" {PHONE} ", text)
    codepoints = _digits_to_zero()[_collapse_runs(_codepoints(text))]
    seps = _separator_positions(codepoints)
    starts = np.concatenate([[0], seps + 1]).astype(np.int64)
    ends = np.concatenate([seps, [len(codepoints)]]).astype(np.int64)
    return NormalizedBatch(
        codepoints=codepoints,
        starts=starts,
        ends=ends,
        urls=urls,
        homoglyphs=homoglyphs,
        emoji=emojis,
        folded=folded.split(SEPARATOR),
    )


def mask_urls(text: str) -> str:
    """``text`` lower-cased with every link removed (the link pattern screening itself uses)."""
    return re.sub(r"\s{2,}", " ", URL_RE.sub(" ", text.lower())).strip()


def normalize(raw: str) -> str:
    """The normalized text of one message (see the module docstring)."""
    return normalize_batch([raw]).texts()[0].strip()


# C0/C1 controls other than tab/newline/CR, lone surrogates, private-use (our placeholders).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def is_unreadable(raw: str) -> str | None:
    """Why ``raw`` cannot be screened (empty, binary, no letters), or None when it can.

    Binary: a NUL, or more than max(2, 5%) control/private-use characters. Undecodable: more
    than max(2, 10%) U+FFFD replacement characters. Garbage: no letter in any script.
    """
    if not raw or raw.isspace():
        return "empty text"
    if "\x00" in raw or len(_CONTROL_RE.findall(raw)) > max(2, len(raw) // 20):
        return "binary or control characters"
    if raw.count("\ufffd") > max(2, len(raw) // 10):
        return "undecodable bytes (replacement characters)"
    if _LETTER_RE.search(raw) is None:
        return "no letters: nothing to read"
    return None
