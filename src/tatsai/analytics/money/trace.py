"""Follow money forward in time from a transfer or an account, and attribute it per account.

Attribution (see docs/money-trail.md):

* Every account reached holds its money as a queue of pieces ``(amount, tainted)``. An outflow
  takes from the queue; the share of it that is traced ("tainted") money depends on the rule:
  - **FIFO** when the account's balance is known: its balance just before the traced money
    arrived is rebuilt from its own history in the data, and that history never goes below
    zero (so no money predates the data). Older money leaves first.
  - **Proportional** when the balance is unknown (the rebuilt history goes negative: the
    account held money from before the data). Each outflow carries the traced share of the
    balance at that moment; the balance before arrival is the net inflow over the window before.
  - An outflow larger than what the account is known to hold is paid from unknown, untraced
    money for the excess.
* **LIBR** (``attribution="libr"``, the lowest intermediate balance rule) instead of FIFO and
  proportional: the account holder's own (untraced) money is deemed spent first, so traced
  money stays in the account up to the lowest balance the account reaches afterwards; later
  untraced deposits never replenish it. The balance before arrival is the same as above
  (rebuilt when known, the window's net inflow when not).
* **Earmarking** (``attribution="earmark"``): each incoming transfer of a traced account is
  matched to the first later outflow not matched yet that leaves within ``earmark_delay_s``
  and is worth (1 - ``earmark_tolerance``) to 1 times its amount; that money is set aside for
  the outflow (no other outflow takes it) and what is left after it (a cut, a fee) becomes
  ordinary money from then on. Everything unmatched is FIFO or proportional as above.
  **Runs** (``earmark_run`` >= 2): the incoming transfer may instead be matched to a *run*:
  2 to ``earmark_run`` consecutive *free* outflows (free: not matched to another incoming
  transfer and not gone yet; outflows that are not free are passed over, they neither count
  nor break a run), all leaving within the delay, whose sum is (1 - tolerance) to 1 times the
  incoming amount (a gang fanning the money out in parts, keeping a cut). Of the single
  outflows and runs that fit, the one whose last outflow leaves first wins, and of those the
  shortest (a single outflow before any run ending with it). When nothing fits, a run may
  have gaps: up to ``earmark_skip`` other free outflows between its first and last (a
  holder's own payment, or another payment's forward, in the middle of a fan-out); of those,
  again the one that ends first, then the shortest, then the largest (the least of the
  incoming amount left over); and a run with gaps as long as the consecutive run that fits,
  ending with the same outflow, replaces it when it is larger (the consecutive one took a
  holder's payment between the parts in place of one of them). Runs whose parts leave *in
  one go* (each within ``earmark_pause_s`` of the one before) come before all others, in the
  same order among themselves; a single outflow is in one go. A *cash-out in pieces*
  (consecutive free cash-outs on one channel, in one go: an ATM withdrawal limit) is a run
  of any length. Each outflow of the run is paid from its own part of the
  incoming money; the cut is set aside with the run's last outflow and freed when that
  leaves.
  **The look-ahead** (``earmark_ahead``): a match with an outflow whose receiver keeps the
  money gives way to one whose receivers all pass it on (``earmark.LookAhead``).
  Deterministic and cheap: per run shape (which of the free outflows before the last are in
  it) one vectorised sum over the free outflows within the delay: 3 consecutive shapes for
  runs of up to 4, and 16 with gaps (skipping up to 2) only when those find nothing.
  **The cut** (``earmark_cut``): what is left of a matched incoming transfer after its outflow
  (or run) leaves becomes ordinary money of the account (``"mix"``, the default), or its
  traced part stays on the account as the mule's pay (``"keep"``): no other outflow takes it,
  and an outflow the account's other money cannot pay is paid from unknown, untraced money.
* Money is followed transfer by transfer in time order (cycles included: money coming back is
  traced again) for at most ``hops`` transfers from the start and within ``window`` seconds of
  the first traced transfer. A transfer with no ``dst_account`` or a cash channel
  (ATM, crypto exchange, abroad) is a cash-out: the money leaves the banking system there.
* ``held`` per account is traced money received minus traced money sent on: what a freeze on
  that account at the end of the window would recover. Freeze points rank accounts by ``held``.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from tatsai.analytics.money.earmark import EarmarkRules, LookAhead, Outflows, cash_codes
from tatsai.analytics.money.earmark import match as earmark_match
from tatsai.analytics.money.index import EPSILON, TransferIndex
from tatsai.core.errors import InvalidInput, NotFound

__all__ = [
    "ATTRIBUTIONS",
    "EARMARK_CUTS",
    "EARMARK_DELAY_S",
    "EARMARK_PAUSE_S",
    "EARMARK_RUN",
    "EARMARK_SKIP",
    "EARMARK_TOLERANCE",
    "AccountTrail",
    "Attribution",
    "EarmarkCut",
    "Trail",
    "TrailEdge",
    "TransferIndex",
    "trace",
]

#: Earmarking (``attribution="earmark"``): an outflow matches a traced account's incoming
#: transfer when it leaves within this delay of it and is worth between (1 - tolerance) and
#: 1 times its amount. Chosen on the training world (docs/money-trail.md).
EARMARK_TOLERANCE = 0.05
EARMARK_DELAY_S = 24 * 3600
#: Earmarking with runs: the most outflows in a run matched to one incoming transfer, as
#: measured by ``tatsai money eval`` (``trace`` itself defaults to 1: single outflows only).
#: Chosen on the training world (docs/evaluation.md).
EARMARK_RUN = 4

#: Earmarking with runs: when no single outflow or consecutive run fits, how many other free
#: outflows may leave between a run's first and last outflow (the holder's own payment, or
#: another payment's forward, in the middle of a fan-out). Set before measuring
#: (docs/decisions.md).
EARMARK_SKIP = 2

#: Earmarking with runs: the parts of a run leave "in one go" when each leaves within this
#: pause of the one before (a gang's fan-out, an ATM cash-out in pieces); such runs come
#: before runs whose parts are spread out. Set before measuring (docs/decisions.md).
EARMARK_PAUSE_S = 15 * 60

Attribution = Literal["fifo", "libr", "earmark"]
ATTRIBUTIONS: tuple[str, ...] = get_args(Attribution)
#: Earmarking: what becomes of a matched transfer's cut (docs/money-trail.md).
EarmarkCut = Literal["mix", "keep"]
EARMARK_CUTS: tuple[str, ...] = get_args(EarmarkCut)


@dataclass
class AccountTrail:
    """What the trace attributes to one account (amounts in THB)."""

    account_id: str
    hop: int
    first_ts: int  # seconds since the epoch, UTC: when traced money first arrived
    received: float = 0.0
    sent: float = 0.0
    cashed_out: float = 0.0
    rule: str = "fifo"

    @property
    def held(self) -> float:
        return max(self.received - self.sent - self.cashed_out, 0.0)

    @property
    def bank(self) -> str:
        code, sep, _ = self.account_id.partition("-")
        return code if sep else ""


@dataclass(frozen=True)
class TrailEdge:
    """One transfer that carried traced money."""

    txn_id: str
    ts: int
    src: str
    dst: str | None
    amount: float
    traced: float
    channel: str


@dataclass
class Trail:
    """The result of a trace: where the traced money went, account by account."""

    start: str
    traced_amount: float
    accounts: dict[str, AccountTrail] = field(default_factory=dict)
    edges: list[TrailEdge] = field(default_factory=list)

    def freeze_points(self, top: int = 10) -> list[AccountTrail]:
        """Accounts holding the most traced money at the end of the window, most first."""
        holders = [a for a in self.accounts.values() if a.held > 0.005]
        return sorted(holders, key=lambda a: (-a.held, a.account_id))[:top]

    @property
    def cashed_out(self) -> float:
        return sum(a.cashed_out for a in self.accounts.values())


@dataclass
class _Pending:
    """A followed account's incoming transfers in the window, in (time, row) order, and the
    first not yet settled (``start``: when the account was reached)."""

    start: int
    ts: list[int]
    rows: list[int]
    amounts: list[float]
    cash: list[bool]
    next: int = 0


class _Holder:
    """One traced account's money: a FIFO queue of pieces ``[amount, traced]``, proportional
    totals, or LIBR totals (untraced money leaves first). Under earmarking a piece can be set
    aside for one later outflow (``reserved``, by that outflow's row): it is in neither the
    queue nor the totals until that outflow takes it. With ``keep`` the traced part of what
    that outflow leaves of it (the cut) is in neither for good: the mule keeps it."""

    def __init__(self, balance: float, known: bool, libr: bool = False, keep: bool = False) -> None:
        self.libr = libr
        self.keep = keep
        self.fifo = known and not libr
        self.queue: deque[list[float]] = deque()
        self.balance = max(balance, 0.0)
        self.traced = 0.0
        self.reserved: dict[int, list[float]] = {}
        if self.balance > 0 and self.fifo:
            self.queue.append([self.balance, 0.0])

    def credit(
        self,
        amount: float,
        traced: float,
        reserve_for: list[int] | None = None,
        worths: list[float] | None = None,
    ) -> None:
        """Take in a transfer. ``reserve_for`` (outflow rows, with their ``worths``) sets it
        aside for those outflows: each its own worth, the last one also the rest (the cut)."""
        if reserve_for:
            parts = list(worths or [])[:-1] if len(reserve_for) > 1 else []
            parts.append(max(amount - sum(parts), 0.0))
            for out_row, part in zip(reserve_for, parts, strict=True):
                share = traced * part / amount if amount > 0 else 0.0
                self.reserved[out_row] = [part, share]
            return
        if self.fifo:
            self.queue.append([amount, traced])
        self.balance += amount
        self.traced += traced

    def debit(self, amount: float, row: int = -1) -> float:
        """Take ``amount`` out by transfer ``row``; returns the traced part of it."""
        traced = 0.0
        piece = self.reserved.pop(row, None)
        if piece is not None:
            # The money set aside pays this outflow first; what is left of it (a mule's cut,
            # a fee) becomes ordinary money of the account from now on, or under ``keep``
            # only its untraced part does (the traced part stays: it counts as held).
            take = min(piece[0], amount)
            traced = piece[1] * take / piece[0] if piece[0] > 0 else 0.0
            amount -= take
            if piece[0] - take > EPSILON:
                cut = max(piece[1] - traced, 0.0)
                if self.keep:
                    if piece[0] - take - cut > EPSILON:
                        self.credit(piece[0] - take - cut, 0.0)
                else:
                    self.credit(piece[0] - take, cut)
            if amount <= EPSILON:
                return traced
        if self.fifo:
            need = amount
            while need > EPSILON and self.queue:
                piece = self.queue[0]
                take = min(piece[0], need)
                share = piece[1] * take / piece[0] if piece[0] > 0 else 0.0
                traced += share
                piece[0] -= take
                piece[1] -= share
                need -= take
                if piece[0] <= EPSILON:
                    self.queue.popleft()
            return traced
        if self.libr:
            # The holder's own money goes first; only what exceeds it is traced money.
            own = max(self.balance - self.traced, 0.0)
            part = min(self.traced, max(amount - own, 0.0))
        else:
            part = amount * self.traced / max(self.balance, amount) if self.traced > 0 else 0.0
        self.balance = max(self.balance - amount, 0.0)
        self.traced = max(self.traced - part, 0.0)
        return traced + part


def trace(
    index: TransferIndex,
    *,
    txn: str | None = None,
    account: str | None = None,
    hops: int = 5,
    window_s: int = 72 * 3600,
    attribution: Attribution = "fifo",
    earmark_tolerance: float = EARMARK_TOLERANCE,
    earmark_delay_s: int = EARMARK_DELAY_S,
    earmark_run: int = 1,
    earmark_cut: EarmarkCut = "mix",
    earmark_skip: int = EARMARK_SKIP,
    earmark_pause_s: int = EARMARK_PAUSE_S,
    earmark_ahead: bool = True,
) -> Trail:
    """Trace forward from transfer ``txn`` or from every outflow of ``account`` in the window.

    ``attribution`` is ``"fifo"`` (FIFO where the balance is known, proportional where not),
    ``"libr"`` (the lowest intermediate balance rule everywhere) or ``"earmark"`` (each
    incoming transfer is matched to the first later outflow of about its amount, within
    ``earmark_tolerance`` below it and ``earmark_delay_s``, which it then pays, or to a run of
    2 to ``earmark_run`` consecutive free outflows whose sum is, whichever ends first (when
    nothing fits, a run with up to ``earmark_skip`` other free outflows between its first and
    last; runs whose parts each leave within ``earmark_pause_s`` of the one before first;
    consecutive cash-outs on one channel in one go, of any number);
    FIFO or proportional as under ``"fifo"`` for all other money). ``earmark_cut``: what is
    left of a matched transfer after its outflows leave becomes ordinary money (``"mix"``) or
    stays on the account as the mule's pay (``"keep"``: its traced part pays no outflow).
    ``earmark_ahead``: a match with an outflow whose receiver does not pass the money on
    gives way to one without such outflows whose receivers all do (the look-ahead)."""
    if (txn is None) == (account is None):
        raise InvalidInput("give exactly one of a transfer id or an account", field="txn")
    if attribution not in ATTRIBUTIONS:
        raise InvalidInput(
            f"attribution must be one of {', '.join(ATTRIBUTIONS)}", field="attribution"
        )
    libr, earmark = attribution == "libr", attribution == "earmark"
    if hops < 1:
        raise InvalidInput("hops must be at least 1", field="hops")
    if not 0 <= earmark_tolerance < 1:
        raise InvalidInput("the earmark tolerance must be in [0, 1)", field="earmark_tolerance")
    if earmark_delay_s < 0:
        raise InvalidInput("the earmark delay must not be negative", field="earmark_delay")
    if earmark_run < 1:
        raise InvalidInput("an earmark run has at least 1 outflow", field="earmark_run")
    if earmark_cut not in EARMARK_CUTS:
        raise InvalidInput(
            f"the earmark cut must be one of {', '.join(EARMARK_CUTS)}", field="earmark_cut"
        )
    if earmark_skip < 0:
        raise InvalidInput("an earmark run skips no fewer than 0 outflows", field="earmark_skip")
    if earmark_pause_s < 0:
        raise InvalidInput("the earmark pause must not be negative", field="earmark_pause")
    rules = EarmarkRules(
        earmark_tolerance, earmark_delay_s, earmark_run, earmark_skip, earmark_pause_s
    )
    keep = earmark and earmark_cut == "keep"
    heap: list[tuple[int, int]] = []
    done: set[int] = set()
    holders: dict[int, _Holder] = {}
    if txn is not None:
        start_row = index.row_of(txn)
        origin = int(index.src[start_row])
        t0 = int(index.ts[start_row])
        seeds = np.array([start_row])
        label = f"txn:{txn}"
    else:
        assert account is not None
        origin = index.account_index.get(account, -1)
        if origin < 0:
            raise NotFound(f"account {account!r} is not in the transfers", field="account")
        first = index.rows(origin, outgoing=True, start=-(2**62), end=2**62)
        if len(first) == 0:
            raise NotFound(f"account {account!r} sends no money", field="account")
        t0 = int(index.ts[first[0]])
        seeds = index.rows(origin, outgoing=True, start=t0, end=t0 + window_s)
        label = f"account:{account}"
    end = t0 + window_s
    ahead = LookAhead(index, rules, end) if earmark_ahead else None
    name = index.accounts
    trail = Trail(start=label, traced_amount=float(index.amount[seeds].sum()))
    hop_of: dict[int, int] = {origin: 0}
    trail.accounts[name[origin]] = AccountTrail(name[origin], 0, t0, rule="origin")
    seed_set = {int(r) for r in seeds}

    def taint(acct: int, at: int, hop: int, key: tuple[int, int]) -> None:
        balance, known = index.history(acct, at)
        if not known:
            lookback = np.concatenate(
                [index.rows(acct, outgoing=False, start=at - window_s, end=at - 1),
                 index.rows(acct, outgoing=True, start=at - window_s, end=at - 1)]
            )  # fmt: skip
            signed = np.where(index.dst[lookback] == acct, 1.0, -1.0) * index.amount[lookback]
            balance = float(signed.sum())
        holders[acct] = _Holder(balance, known, libr, keep)
        hop_of[acct] = hop
        rule = "libr" if libr else "fifo" if known else "proportional"
        if earmark:
            rule = "earmark" if known else "earmark+proportional"
        trail.accounts[name[acct]] = AccountTrail(name[acct], hop, at, rule=rule)
        if hop >= hops:
            # Money is attributed here but not followed further; what it sends to followed
            # accounts still goes through the heap (it may carry traced money).
            for row in index.rows(acct, outgoing=True, start=at, end=end).tolist():
                dst = int(index.dst[row])
                if dst in pending and int(index.ts[row]) >= pending[dst].start:
                    push(row)
            return
        rows = index.rows(acct, outgoing=True, start=at, end=end)
        follow = earmark and len(rows) > 0
        if follow:
            outflows[acct] = Outflows(
                rows, index.ts[rows], index.amount[rows], cash_codes(index, rows), ahead
            )
        for i, (row, ts) in enumerate(zip(rows.tolist(), index.ts[rows].tolist(), strict=True)):
            dst = int(index.dst[row])
            if (ts, row) < key and dst in pending:
                settle(dst, key)  # the receiver took it in before now (the same second)
            if row not in done:
                push(row)
                if follow:
                    position[row] = i
            elif follow:
                outflows[acct].free[i] = False  # gone already (the same second)
        incoming = index.rows(acct, outgoing=False, start=at, end=end)
        for row in incoming.tolist():
            src = int(index.src[row])
            if src in holders and src not in pending and src != acct:
                push(row)  # from an account reached but not followed: it may carry traced money
        pending[acct] = _Pending(
            at,
            index.ts[incoming].tolist(),
            incoming.tolist(),
            index.amount[incoming].tolist(),
            index.cash[incoming].tolist(),
        )

    # Incoming transfers of followed accounts are not put on the heap one by one (a shop
    # reached by traced money takes hundreds of thousands of payments in the window): those
    # that carry no traced money (their sender is not followed) are taken in, in time order,
    # just before the account's next transfer is handled ("settled"), which gives the same
    # trail as handling each in turn. Transfers on the heap (``queued``) are handled there.
    pending: dict[int, _Pending] = {}
    queued: set[int] = set()

    def push(row: int) -> None:
        if row not in done:
            heapq.heappush(heap, (int(index.ts[row]), row))
            queued.add(row)

    def settle(acct: int, key: tuple[int, int]) -> None:
        """Take in ``acct``'s pending incoming transfers that come before ``key`` (ts, row)
        and are not on the heap: untraced money, earmarked like any other."""
        todo = pending[acct]
        holder = holders[acct]
        i, n = todo.next, len(todo.rows)
        while i < n and (todo.ts[i], todo.rows[i]) < key:
            row = todo.rows[i]
            i += 1
            if row in done or row in queued:
                continue
            done.add(row)
            if todo.cash[i - 1]:
                continue  # a cash deposit channel: no money enters the account
            amount = todo.amounts[i - 1]
            reserve = match(acct, row, amount) if earmark else []
            holder.credit(amount, 0.0, reserve, [float(index.amount[r]) for r in reserve])
        todo.next = i

    # Earmarking: each followed account's outflows in the window, and each such outflow's
    # position among its account's.
    outflows: dict[int, Outflows] = {}
    position: dict[int, int] = {}

    def match(acct: int, row: int, amount: float) -> list[int]:
        """Outflows of ``acct`` that incoming ``row`` pays (none: no match; ``earmark.match``)."""
        out = outflows.get(acct)
        if out is None:
            return []  # no outflows that the trace follows
        return earmark_match(out, int(index.ts[row]), amount, rules)

    for row in seeds:
        push(int(row))
    while heap:
        key = heapq.heappop(heap)
        row = key[1]
        if row in done:
            continue
        done.add(row)
        src, dst, amount = int(index.src[row]), int(index.dst[row]), float(index.amount[row])
        if src in pending:
            settle(src, key)
        if dst in pending:
            settle(dst, key)
        if earmark and row in position:  # an outflow gone is no longer free to match
            outflows[src].free[position[row]] = False
        if row in seed_set:
            traced = amount
        elif src in holders:
            traced = holders[src].debit(amount, row)
        else:
            traced = 0.0
        if traced > EPSILON:
            src_trail = trail.accounts[name[src]]
            if bool(index.cash[row]) or dst < 0:
                src_trail.cashed_out += traced
            else:
                src_trail.sent += traced
            trail.edges.append(
                TrailEdge(
                    str(index.txn_ids[row]),
                    int(index.ts[row]),
                    name[src],
                    name[dst] if dst >= 0 else None,
                    amount,
                    traced,
                    str(index.channel[row]),
                )
            )
        if dst < 0 or bool(index.cash[row]):
            continue
        if traced > EPSILON and dst not in holders and dst != origin:
            taint(dst, int(index.ts[row]), hop_of[src] + 1, key)
        if dst in holders:
            reserve = match(dst, row, amount) if earmark else []
            worths = [float(index.amount[r]) for r in reserve]
            holders[dst].credit(amount, traced, reserve, worths)
            if traced > EPSILON:
                trail.accounts[name[dst]].received += traced
    return trail
