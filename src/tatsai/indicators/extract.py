"""Finding typed, normalized indicators in free Thai or English text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Found:
    """One indicator found in text: its type, normalized value, and where it was."""

    type: str
    value: str
    raw: str
    start: int
    end: int


def extract_indicators(text: str) -> list[Found]:
    """Every indicator in ``text``, in order of appearance, deduplicated by (type, value)."""
    raise NotImplementedError("extraction is being built")
