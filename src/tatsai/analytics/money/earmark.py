"""Earmarking: which outflows of a traced account an incoming transfer pays (see
docs/money-trail.md and :func:`tatsai.analytics.money.trace.trace`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.analytics.money.index import EPSILON, TransferIndex

__all__ = ["AHEAD_ROUNDS", "EarmarkRules", "LookAhead", "Outflows", "cash_codes", "match"]


#: How many times a match with stops is searched again without them (each time the match
#: found leaves out at least one more outflow).
AHEAD_ROUNDS = 3


class LookAhead:
    """Earmarking's look-ahead, one hop: whether the receiver of an outflow passes the money
    on, that is whether the earmark rules (:func:`match`, without the look-ahead) find the
    outflow's amount passed on among the receiver's outflows within the delay after it (and
    by ``end``, the trace window's end): one outflow or a run worth (1 - tolerance) to 1
    times it. A cash-out passes it on (the money leaves the banks). A gang's next account
    passes each payment on within hours, less its cut; an ordinary payee (a lent account
    holder's shop or friend) keeps it, or pays out other amounts."""

    def __init__(self, index: TransferIndex, rules: EarmarkRules, end: int) -> None:
        self.index = index
        self.rules = rules
        self.end = end
        self.seen: dict[int, bool] = {}

    def passes_on(self, row: int) -> bool:
        """Whether transfer ``row``'s receiver passes its money on (computed once a row)."""
        known = self.seen.get(row)
        if known is not None:
            return known
        index = self.index
        receiver = int(index.dst[row])
        if receiver < 0 or bool(index.cash[row]):
            passes = True
        else:
            at = int(index.ts[row])
            last = min(at + self.rules.delay_s, self.end)
            onward = index.rows(receiver, outgoing=True, start=at, end=last)
            passes = False
            if len(onward):
                out = Outflows(
                    onward, index.ts[onward], index.amount[onward], cash_codes(index, onward)
                )
                amount = float(index.amount[row])
                if amount + EPSILON >= out.cheapest:
                    found = _best(out, np.arange(len(onward)), amount, self.rules)
                    passes = found is not None
        self.seen[row] = passes
        return passes


@dataclass
class Outflows:
    """Earmarking: one followed account's outflows in the window, in time order, and which
    are still free (neither matched to an incoming transfer nor gone)."""

    rows: np.ndarray
    times: np.ndarray
    worths: np.ndarray
    #: 0 for a transfer, else a code per cash-out channel (runs of cash-outs in pieces).
    cash: np.ndarray
    #: The look-ahead that tells a gang's forward from a holder's payment (None: none).
    ahead: LookAhead | None = None
    free: np.ndarray = field(init=False)
    cheapest: float = field(init=False)

    def __post_init__(self) -> None:
        self.free = np.ones(len(self.rows), dtype=bool)
        # An incoming transfer worth less than every outflow can match none, nor a run: a
        # shop's account takes thousands of small payments and pays out a few large ones.
        self.cheapest = float(self.worths.min())


@dataclass(frozen=True)
class EarmarkRules:
    """What may match: an outflow (or run) leaving within ``delay_s`` of the incoming transfer
    worth (1 - ``tolerance``) to 1 times it; runs of up to ``run`` outflows with up to
    ``skip`` others between their parts; parts within ``pause_s`` of each other are in one
    go."""

    tolerance: float
    delay_s: int
    run: int
    skip: int
    pause_s: int
    shapes: list[list[tuple[int, ...]]] = field(init=False)

    def __post_init__(self) -> None:
        shapes = _run_shapes(self.run, self.skip) if self.run > 1 else []
        object.__setattr__(self, "shapes", shapes)


def _run_shapes(run: int, skip: int) -> list[list[tuple[int, ...]]]:
    """Shapes of the runs of 2 to ``run`` outflows, in two groups: consecutive ones, then
    those with 1 to ``skip`` others between their first and last. A shape is each outflow's
    position back from the run's last among the free outflows (0 first, then ascending)."""
    consecutive = [tuple(range(length)) for length in range(2, run + 1)]
    skipping = []
    for length in range(2, run + 1):
        for extra in range(1, skip + 1):
            span = length + extra
            for middle in itertools.combinations(range(1, span - 1), length - 2):
                skipping.append((0, *middle, span - 1))
    return [consecutive, skipping] if skipping else [consecutive]


def cash_codes(index: TransferIndex, rows: np.ndarray) -> np.ndarray:
    """Per outflow ``rows``: 0 for a transfer, else 1 + a code of its channel (cash-outs)."""
    codes = pc.dictionary_encode(index.channel.take(pa.array(rows))).indices
    channel = codes.to_numpy(zero_copy_only=False).astype(np.int64) + 1
    return np.where(index.cash[rows], channel, 0)


#: An earmark match: (position of its last outflow among the free ones, length, -sum, shape).
_Found = tuple[int, int, float, tuple[int, ...]]


def _rank(found: _Found) -> tuple[int, int, float]:
    """Of two earmark matches, the one whose last outflow leaves first, then the shortest,
    then the largest."""
    return found[:3]


def _cash_run(
    worth: np.ndarray,
    times: np.ndarray,
    cash: np.ndarray,
    low: float,
    high: float,
    shortest: int,
    last: int,
    pause_s: int,
) -> tuple[int, int, float] | None:
    """The cash-out in pieces that ends first among the free outflows (``worth``, ``times``,
    ``cash`` codes) up to position ``last``: at least ``shortest`` consecutive outflows, all
    cash-outs on one channel, each within ``pause_s`` of the one before, whose sum is in
    [``low``, ``high``]; of those ending together the shortest. Returns (last position,
    length, sum) or None."""
    n = min(len(worth), last + 1)
    if n < shortest:
        return None
    code = cash[:n]
    step = np.arange(n)
    breaks = (code == 0) | np.r_[True, (code[1:] != code[:-1]) | (np.diff(times[:n]) > pause_s)]
    first = np.maximum.accumulate(np.where(breaks, step, 0))  # where each stretch starts
    ends = np.flatnonzero((code != 0) & (step - first + 1 >= shortest))
    if not len(ends):
        return None
    total = np.r_[0.0, np.cumsum(worth[:n])]
    # The latest start whose sum reaches ``low`` gives the shortest run; longer ones are larger.
    start = np.searchsorted(total, total[ends + 1] - low, "right") - 1
    start = np.minimum(start, ends - shortest + 1)
    sums = total[ends + 1] - total[np.maximum(start, 0)]
    fits = np.flatnonzero((start >= first[ends]) & (sums <= high) & (sums >= low))
    if not len(fits):
        return None
    k = int(fits[0])
    return int(ends[k]), int(ends[k] - start[k] + 1), float(sums[k])


def match(out: Outflows, at: int, amount: float, rules: EarmarkRules) -> list[int]:
    """Rows of the outflows in ``out`` that an incoming transfer of ``amount`` at ``at``
    (seconds) pays, and marks them no longer free (none: no match): among the free ones
    leaving within the delay, the run of 1 to ``rules.run`` consecutive ones whose sum is
    (1 - tolerance) to 1 times ``amount`` that ends first, then the shortest (a single outflow
    is a run of 1), or a cash-out in pieces that ends before it; when none fits, the same
    among runs with up to ``rules.skip`` others between their first and last, then the
    largest. Runs in one go are searched first, then spread-out ones. With a look-ahead
    (``out.ahead``), a match with an outflow whose receiver does not pass the money on gives
    way to the match found without such outflows when all of that one's receivers do."""
    if amount + EPSILON < out.cheapest:
        return []  # all outflows worth more than ``amount``
    lo = int(np.searchsorted(out.times, at, "left"))
    hi = int(np.searchsorted(out.times, at + rules.delay_s, "right"))
    free = np.flatnonzero(out.free[lo:hi]) + lo
    if not len(free):
        return []
    chosen = _best(out, free, amount, rules)
    if chosen is not None and out.ahead is not None:
        chosen = _passed_on(out, out.ahead, free, chosen, amount, rules)
    if chosen is None:
        return []
    out.free[chosen] = False
    return [int(r) for r in out.rows[chosen]]


def _passed_on(
    out: Outflows,
    ahead: LookAhead,
    free: np.ndarray,
    chosen: np.ndarray,
    amount: float,
    rules: EarmarkRules,
) -> np.ndarray:
    """``chosen`` (positions in ``out``), or the match among the ``free`` outflows without
    those whose receiver does not pass the money on ("stops"), when all of its receivers do;
    searched up to ``AHEAD_ROUNDS`` times, each also leaving out the stops of the one before."""
    stops = [i for i in chosen.tolist() if not ahead.passes_on(int(out.rows[i]))]
    if not stops:
        return chosen
    rest = free
    for _ in range(AHEAD_ROUNDS):
        rest = rest[~np.isin(rest, stops)]
        found = _best(out, rest, amount, rules) if len(rest) else None
        if found is None:
            break
        stops = [i for i in found.tolist() if not ahead.passes_on(int(out.rows[i]))]
        if not stops:
            return found
    return chosen


def _best(out: Outflows, free: np.ndarray, amount: float, rules: EarmarkRules) -> np.ndarray | None:
    """The match among the ``free`` outflows (positions in ``out``, in time order, all within
    the delay) for an incoming ``amount`` (see :func:`match`): positions in ``out``, or None."""
    worth = out.worths[free]
    low, high = amount * (1 - rules.tolerance) - EPSILON, amount + EPSILON
    n = len(free)
    if not rules.shapes:  # single outflows only: the first that fits
        single = np.flatnonzero((worth >= low) & (worth <= high))
        if not len(single):
            return None
        return free[single[:1]]
    times = out.times[free]
    # A candidate: (last outflow, length, -sum, shape). Among those that fit, runs whose
    # parts leave in one go (each within ``rules.pause_s`` of the one before: "quick")
    # come first; then consecutive runs (a single outflow is a run of 1) before runs
    # with others between their parts; then the one whose last outflow leaves first,
    # the shortest, the largest (the least of ``amount`` left over).
    best: list[_Found | None] = [None, None]  # quick, slow

    def search(group: list[tuple[int, ...]]) -> None:
        for shape in group:
            span = shape[-1] + 1
            quick = best[0]
            m = n if quick is None else min(n, quick[0] + 1)  # no later than it
            if span > m:
                continue
            total = worth[span - 1 : m].copy()
            pause = np.zeros(m - span + 1)
            for later, back in itertools.pairwise(shape):
                total += worth[span - 1 - back : m - back]
                gap = times[span - 1 - later : m - later] - times[span - 1 - back : m - back]
                np.maximum(pause, gap, out=pause)
            fits = (total >= low) & (total <= high)
            in_one_go = pause <= rules.pause_s
            for tier, mask in enumerate((fits & in_one_go, fits & ~in_one_go)):
                hit = np.flatnonzero(mask)
                if len(hit):
                    found = (int(hit[0]) + span - 1, len(shape), -float(total[hit[0]]), shape)
                    old = best[tier]
                    best[tier] = found if old is None else min(old, found, key=_rank)

    def as_long_but_larger(run: _Found, tier: int) -> _Found:
        """``run`` (consecutive), or a run with gaps as long ending with the same outflow
        that is larger (the consecutive one took a payment that left between the parts
        in place of one of them)."""
        end = run[0]
        for shape in rules.shapes[1] if len(rules.shapes) > 1 else []:
            if len(shape) != run[1] or shape[-1] > end:
                continue
            at_back = [end - back for back in shape]
            total_sum = float(worth[at_back].sum())
            pause = float(np.max(-np.diff(times[at_back])))
            if (
                low <= total_sum <= high
                and total_sum > -run[2] + EPSILON
                and (tier or pause <= rules.pause_s)
            ):
                run = (end, run[1], -total_sum, shape)
        return run

    search([(0,), *rules.shapes[0]])
    quick = best[0]
    if n > rules.run:
        # A cash-out in more pieces than a run holds (a withdrawal limit splits it into
        # as many as it takes): consecutive free cash-outs on one channel, in one go.
        last = n - 1 if quick is None else quick[0] - 1
        pieces = _cash_run(
            worth, times, out.cash[free], low, high, rules.run + 1, last, rules.pause_s
        )
        if pieces is not None:
            quick = (pieces[0], pieces[1], -pieces[2], tuple(range(pieces[1])))
    chosen_run: _Found | None = None
    if quick is not None:
        chosen_run = as_long_but_larger(quick, 0) if quick[1] >= 2 else quick
    else:
        slow = best[1]
        best = [None, None]
        search(rules.shapes[1] if len(rules.shapes) > 1 else [])
        if best[0] is not None:
            chosen_run = best[0]
        elif slow is not None:
            chosen_run = as_long_but_larger(slow, 1) if slow[1] >= 2 else slow
        else:
            chosen_run = best[1]
    if chosen_run is None:
        return None
    return free[[chosen_run[0] - back for back in reversed(chosen_run[3])]]
