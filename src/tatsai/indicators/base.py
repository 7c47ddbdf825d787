"""The contract every indicator type fulfils, in the manner of followthemoney's property types.

Normalization of a phone number, URL or account lives in exactly one place: its type's
``clean``. Everything else (the registry, reports, screening, analytics) calls it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from tatsai.core.errors import InvalidInput


class InvalidIndicator(InvalidInput):
    """A value that is not a valid indicator of the given type; ``detail`` says why."""


@dataclass(frozen=True, slots=True)
class Indicator:
    """A typed, normalized indicator value."""

    type: str
    value: str

    @property
    def node_id(self) -> str:
        return f"{self.type}:{self.value}"


class IndicatorType(ABC):
    """One kind of indicator. Subclasses set ``name`` and implement ``clean``.

    ``clean`` is idempotent: ``clean(clean(x)) == clean(x)``, and ``clean(caption(v)) == v``
    for every clean ``v`` (format then parse round-trips).
    """

    name: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def clean(self, raw: str) -> str:
        """The normalized value of ``raw``; raises :class:`InvalidIndicator` saying why not."""

    def is_valid(self, raw: str) -> bool:
        try:
            self.clean(raw)
        except InvalidIndicator:
            return False
        return True

    def parse(self, raw: str) -> Indicator:
        return Indicator(self.name, self.clean(raw))

    def caption(self, value: str) -> str:
        """How a person reads the normalized value (e.g. ``081-234-5678``)."""
        return value

    def node_id(self, value: str) -> str:
        return f"{self.name}:{value}"

    def compare(self, left: str, right: str) -> float:
        """Similarity in [0, 1] of two clean values; 1.0 means the same indicator."""
        return 1.0 if left == right else 0.0

    def invalid(self, raw: str, reason: str) -> InvalidIndicator:
        return InvalidIndicator(f"not a valid {self.label}: {raw!r} ({reason})", field="value")
