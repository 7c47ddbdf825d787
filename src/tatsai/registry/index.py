"""The in-memory lookup index each API worker keeps, following the registry's change sequence.

A new index loads a snapshot (the change head first, then every record), then a follower thread
applies ``indicator_changes`` with ``seq > cursor`` every ``poll_interval`` seconds, so several
workers and hosts on one database stay in step and a write is visible within about a second.
Lookups never touch the database.

Layout, chosen for ~10 million indicators in well under 2 GB: one ``dict`` per type from the
normalized value (a ``str``) to one packed ``int`` holding verdict, state, score, first/last seen
(hours since 2020) and a category bitmask. A lookup of a clean value is a single dict probe.
Covering entries live beside it: phone prefixes (probed by length), ranges (bisect over starts
with a running maximum of ends) and wildcard domains (probed label by label).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tatsai.core.db import session_factory
from tatsai.core.errors import InvalidInput
from tatsai.registry import kinds
from tatsai.registry.changes import changes_since, head_seq, lookup_categories, record_verdict
from tatsai.registry.models import IndicatorRecord, LookupResult, State, Verdict
from tatsai.registry.service import host_of, official_match

log = logging.getLogger(__name__)

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_VERDICTS = [Verdict.UNKNOWN, Verdict.ALLOW, Verdict.WARN, Verdict.BLOCK]
_VERDICT_CODE = {v: i for i, v in enumerate(_VERDICTS)}
_STATES = list(State)
_STATE_CODE = {s: i for i, s in enumerate(_STATES)}
_HOURS_MASK = (1 << 20) - 1
_CATEGORY_SHIFT = 55
_REASONS = {
    Verdict.ALLOW: "allow-listed official value",
    Verdict.BLOCK: "state {state}",
    Verdict.WARN: "state suspected",
    Verdict.UNKNOWN: "state {state}",
}

LookupFn = Callable[[str, str], LookupResult | None]
# (clean value, packed entry or None, how it matched, the covering value or official category)
Resolved = tuple[str, int | None, str | None, str | None]
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _hours(when: dt.datetime | None) -> int:
    if when is None:
        return 0
    return max(0, min(_HOURS_MASK, int((when - EPOCH).total_seconds() // 3600) + 1))


def _when(hours: int) -> dt.datetime | None:
    return None if hours == 0 else EPOCH + dt.timedelta(hours=hours - 1)


@lru_cache(maxsize=262_144)
def _clean_cached(type_name: str, raw: str) -> str:
    # Partners send the same numbers and hosts again and again; normalizing is the slow part.
    return kinds.clean(type_name, raw)


class LookupIndex:
    """Verdicts for (type, value) from memory. Thread-safe for one writer and many readers
    (dict operations are atomic under the GIL; a reader sees a value before or after a change).
    """

    def __init__(self, engine: Engine | None = None, *, poll_interval: float = 0.2) -> None:
        self.engine = engine
        self.poll_interval = poll_interval
        self.cursor = 0
        self.loaded = False
        self._exact: dict[str, dict[str, int]] = {}
        self._prefixes: dict[str, int] = {}
        self._prefix_lengths: list[int] = []
        self._ranges: list[tuple[int, int, int, str]] = []  # (first, last, digits, value)
        self._range_max_end: list[int] = []
        self._wildcards: dict[str, int] = {}  # suffix host (no "*.") -> packed
        self._categories: list[str] = []
        self._category_bit: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------ packing

    def _mask(self, categories: list[str]) -> int:
        mask = 0
        for name in categories:
            bit = self._category_bit.get(name)
            if bit is None:
                bit = len(self._categories)
                self._categories.append(name)
                self._category_bit[name] = bit
            mask |= 1 << bit
        return mask

    def pack(
        self,
        *,
        verdict: Verdict,
        state: State,
        score: float,
        categories: list[str],
        first_seen: dt.datetime | None,
        last_seen: dt.datetime | None,
    ) -> int:
        return (
            _VERDICT_CODE[verdict]
            | _STATE_CODE[state] << 2
            | min(1000, max(0, round(score * 10))) << 5
            | _hours(first_seen) << 15
            | _hours(last_seen) << 35
            | self._mask(categories) << _CATEGORY_SHIFT
        )

    def _categories_of(self, packed: int) -> list[str]:
        mask = packed >> _CATEGORY_SHIFT
        return [name for bit, name in enumerate(self._categories) if mask >> bit & 1]

    def result(self, type_name: str, resolved: Resolved) -> LookupResult:
        """The lookup result of a resolved value (no validation: the index built it)."""
        value, packed, matched, matched_value = resolved
        if packed is None:
            if matched == "official":
                return LookupResult.model_construct(
                    type=type_name,
                    value=value,
                    verdict=Verdict.ALLOW,
                    categories=[f"official_{matched_value}"],
                    matched="official",
                    reason="official reference domain",
                )
            return LookupResult.model_construct(
                type=type_name,
                value=value,
                verdict=Verdict.UNKNOWN,
                categories=[],
                matched=None,
                reason="no record",
            )
        verdict = _VERDICTS[packed & 3]
        state = _STATES[(packed >> 2) & 7]
        return LookupResult.model_construct(
            type=type_name,
            value=value,
            verdict=verdict,
            categories=self._categories_of(packed),
            score=((packed >> 5) & 1023) / 10,
            state=state,
            first_seen=_when((packed >> 15) & _HOURS_MASK),
            last_seen=_when((packed >> 35) & _HOURS_MASK),
            matched=matched,
            matched_value=matched_value,
            reason=_REASONS[verdict].format(state=state.value),
        )

    def result_dict(self, type_name: str, resolved: Resolved, *, public: bool) -> dict[str, Any]:
        """The same as :meth:`result` as a JSON-ready dict; public: verdict and categories."""
        value, packed, matched, matched_value = resolved
        if packed is None:
            official = matched == "official"
            out: dict[str, Any] = {
                "type": type_name,
                "value": value,
                "verdict": "allow" if official else "unknown",
                "categories": [f"official_{matched_value}"] if official else [],
            }
            if not public:
                out["matched"] = matched
                out["reason"] = "official reference domain" if official else "no record"
            return out
        verdict = _VERDICTS[packed & 3]
        out = {
            "type": type_name,
            "value": value,
            "verdict": verdict.value,
            "categories": self._categories_of(packed),
        }
        if public:
            return out
        state = _STATES[(packed >> 2) & 7]
        first, last = _when((packed >> 15) & _HOURS_MASK), _when((packed >> 35) & _HOURS_MASK)
        out.update(
            score=((packed >> 5) & 1023) / 10,
            state=state.value,
            first_seen=first.isoformat() if first else None,
            last_seen=last.isoformat() if last else None,
            matched=matched,
            matched_value=matched_value,
            reason=_REASONS[verdict].format(state=state.value),
        )
        return out

    # ------------------------------------------------------------------------ writing

    def put(self, type_name: str, value: str, packed: int) -> None:
        """Set the packed entry of a clean (type, value); covering types go to their tables."""
        if type_name == "phone_prefix":
            self._prefixes[value] = packed
            if len(value) not in self._prefix_lengths:
                self._prefix_lengths = sorted({*self._prefix_lengths, len(value)}, reverse=True)
        elif type_name == "domain_wildcard":
            self._wildcards[value.removeprefix("*.")] = packed
        elif type_name == "phone_range":
            first, last, digits = kinds.range_bounds(value)
            self._exact.setdefault(type_name, {})[value] = packed
            ranges = [r for r in self._ranges if r[3] != value]
            ranges.append((first, last, digits, value))
            ranges.sort()
            running, max_end = 0, []
            for r in ranges:
                running = max(running, r[1])
                max_end.append(running)
            self._ranges, self._range_max_end = ranges, max_end
            return
        self._exact.setdefault(type_name, {})[value] = packed

    def apply(
        self,
        *,
        type_name: str,
        value: str,
        verdict: Verdict,
        state: State,
        score: float,
        categories: list[str],
        first_seen: dt.datetime | None,
        last_seen: dt.datetime | None,
    ) -> None:
        packed = self.pack(
            verdict=verdict,
            state=state,
            score=score,
            categories=categories,
            first_seen=first_seen,
            last_seen=last_seen,
        )
        self.put(type_name, value, packed)

    def __len__(self) -> int:
        exact = sum(len(d) for t, d in self._exact.items() if t != "phone_range")
        return exact + len(self._prefixes) + len(self._ranges) + len(self._wildcards)

    # ------------------------------------------------------------------------ reading

    def get(self, type_name: str, value: str) -> int | None:
        """The packed entry of a clean value, exact match only (the hot path)."""
        table = self._exact.get(type_name)
        return table.get(value) if table is not None else None

    def verdict(self, type_name: str, value: str) -> Verdict:
        """The verdict of a clean value by exact match, no result object (a switch's hot path)."""
        table = self._exact.get(type_name)
        packed = table.get(value) if table is not None else None
        return Verdict.UNKNOWN if packed is None else _VERDICTS[packed & 3]

    def _covering(self, type_name: str, value: str) -> tuple[int, str, str] | None:
        if type_name == "phone" and value.startswith("+"):
            for length in self._prefix_lengths:
                if length < len(value):
                    packed = self._prefixes.get(value[:length])
                    if packed is not None:
                        return packed, "prefix", f"phone_prefix:{value[:length]}"
            if self._ranges and value[1:].isdigit():
                number, digits = int(value[1:]), len(value) - 1
                i = bisect.bisect_right(self._ranges, (number, float("inf"))) - 1
                while i >= 0 and self._range_max_end[i] >= number:
                    first, last, span, range_value = self._ranges[i]
                    if span == digits and first <= number <= last:
                        packed = self._exact["phone_range"][range_value]
                        return packed, "range", f"phone_range:{range_value}"
                    i -= 1
            return None
        host = host_of(type_name, value)
        if host is None:
            return None
        if type_name != "domain":
            packed = self.get("domain", host)
            if packed is not None:
                return packed, "domain", f"domain:{host}"
        if self._wildcards:
            labels = host.split(".")
            for i in range(len(labels) - 1):  # longest suffix first; never the bare TLD
                suffix = ".".join(labels[i:])
                packed = self._wildcards.get(suffix)
                if packed is not None:
                    return packed, "wildcard", f"domain_wildcard:*.{suffix}"
        return None

    def resolve_clean(self, type_name: str, value: str) -> Resolved:
        """Match a clean value: exact, then covering entries, then the official reference."""
        packed = self.get(type_name, value)
        if packed is not None:
            return value, packed, "exact", None
        covering = self._covering(type_name, value)
        if covering is not None:
            return value, *covering
        official = official_match(type_name, value)
        if official is not None:
            return value, None, "official", official[1]
        return value, None, None, None

    def resolve(self, type_name: str, raw: str) -> Resolved:
        """Match a raw value; 422 for an unknown type or a malformed value.

        A phone already in E.164 syntax is taken as clean without consulting the numbering
        plan: a switch sends E.164, and a number outside any assigned range (a spoofed +697…)
        must still meet prefixes and ranges rather than an error.
        """
        table = self._exact.get(type_name)
        if table is not None:
            packed = table.get(raw)
            if packed is not None:
                # A stored key is clean and clean() is idempotent: no need to normalize.
                return raw, packed, "exact", None
        kinds.check_type(type_name)
        if type_name == "phone" and _E164.match(raw):
            return self.resolve_clean(type_name, raw)
        try:
            value = _clean_cached(type_name, raw)
        except InvalidInput:
            dialled = kinds.dialled_number(type_name, raw)
            covering = self._covering(type_name, dialled) if dialled else None
            if covering is None or dialled is None:
                raise
            return dialled, *covering
        return self.resolve_clean(type_name, value)

    def lookup_clean(self, type_name: str, value: str) -> LookupResult:
        return self.result(type_name, self.resolve_clean(type_name, value))

    def lookup(self, type_name: str, raw: str) -> LookupResult:
        """The verdict for a raw value; 422 for an unknown type or a malformed value."""
        return self.result(type_name, self.resolve(type_name, raw))

    def lookup_dict(self, type_name: str, raw: str, *, public: bool) -> dict[str, Any]:
        """:meth:`lookup` as a JSON-ready dict (the HTTP path)."""
        return self.result_dict(type_name, self.resolve(type_name, raw), public=public)

    def lookup_fn(self, type_name: str, raw: str) -> LookupResult | None:
        """For other contexts (screening's firewall): a result when the registry knows the
        value (any verdict but unknown), None otherwise, never an exception for bad input."""
        try:
            result = self.lookup(type_name, raw)
        except InvalidInput:
            return None
        return None if result.verdict is Verdict.UNKNOWN else result

    # ------------------------------------------------------------------------ following

    def load_snapshot(self, db_session: Session) -> None:
        """Load every record; the cursor is the change head read *before* the records, so
        changes committed meanwhile are applied again by the follower (idempotent)."""
        cursor = head_seq(db_session=db_session)
        stmt = select(IndicatorRecord).execution_options(yield_per=10_000)
        for record in db_session.execute(stmt).scalars():
            verdict, _ = record_verdict(record)
            self.apply(
                type_name=record.type,
                value=record.value,
                verdict=verdict,
                state=State(record.state),
                score=record.score,
                categories=lookup_categories(record),
                first_seen=record.first_seen,
                last_seen=record.last_seen,
            )
        self.cursor = max(self.cursor, cursor)
        self.loaded = True

    def catch_up(self, db_session: Session, *, batch: int = 10_000) -> int:
        """Apply every change after the cursor; returns how many."""
        applied = 0
        while True:
            changes = changes_since(db_session=db_session, cursor=self.cursor, limit=batch)
            for c in changes:
                self.apply(
                    type_name=c.type,
                    value=c.value,
                    verdict=Verdict(c.verdict),
                    state=State(c.state),
                    score=c.score,
                    categories=json.loads(c.categories),
                    first_seen=c.first_seen,
                    last_seen=c.last_seen,
                )
                self.cursor = c.seq
            applied += len(changes)
            if len(changes) < batch:
                return applied

    def sync(self) -> int:
        """Load the snapshot when not loaded yet, else catch up; needs ``engine``."""
        if self.engine is None:
            return 0
        with self._lock, session_factory(self.engine)() as db_session:
            if not self.loaded:
                self.load_snapshot(db_session)
                return len(self)
            return self.catch_up(db_session)

    def _follow(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.sync()
            except Exception:  # the database may be briefly unreachable: keep serving, retry
                log.warning("lookup index could not follow changes", exc_info=True)

    def start(self) -> None:
        """Load the snapshot now and follow changes in a daemon thread."""
        self.sync()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._follow, name="lookup-index", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def stats(self) -> dict[str, Any]:
        return {"indicators": len(self), "cursor": self.cursor, "loaded": self.loaded}
