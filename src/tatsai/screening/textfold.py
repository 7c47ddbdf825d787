"""The one text fold, borrowed from :mod:`tatsai.indicators.text` when it is there.

Screening must not keep a second fold: this module re-exports ``fold`` from indicators and only
falls back to the same contract (NFKC, Thai digits → ASCII, zero-width removed) while that
module has not landed on this branch.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _fallback_fold(text: str) -> str:
    """NFKC, Thai digits → ASCII, zero-width characters removed."""
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text)).translate(_THAI_DIGITS)


def _borrowed_fold() -> Callable[[str], str] | None:
    try:
        module = importlib.import_module("tatsai.indicators.text")
    except ImportError:
        return None
    found = getattr(module, "fold", None)
    return found if callable(found) else None


fold: Callable[[str], str] = _borrowed_fold() or _fallback_fold

__all__ = ["fold"]
