"""Bank accounts and transfers: everyday payments, and victims' money moving through mules.

Victims pay first-layer mules; each mule passes the money on within minutes to hours (fan-out
to several next-layer accounts, a chain, or round a cycle back to where it passed before),
keeping a small cut, until the last layer cashes out (ATM withdrawals in pieces, a crypto
exchange, a transfer abroad). About a third of first-layer mules are recruited ordinary people
whose old accounts also carry their everyday payments. Amounts are THB with satang (2 dp).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.indicators.banks import BANKS_BY_CODE
from tatsai.sim import ids
from tatsai.sim.population import DAY_US, Role, World

MIN_US = 60_000_000

#: Thai bank codes with a rough share of personal accounts (assumption), and e-wallets.
BANKS = (
    ("004", 0.20),  # Kasikornbank
    ("014", 0.16),  # Siam Commercial Bank
    ("006", 0.15),  # Krungthai
    ("002", 0.12),  # Bangkok Bank
    ("030", 0.10),  # Government Savings Bank
    ("025", 0.08),  # Krungsri
    ("011", 0.07),  # TMBThanachart
    ("034", 0.06),  # BAAC
    ("024", 0.02),  # UOB
    ("022", 0.01),  # CIMB Thai
    ("069", 0.01),  # Kiatnakin Phatra
    ("073", 0.01),  # LH Bank
    ("033", 0.01),  # Government Housing Bank
)
EWALLET = "TMW"  # e-wallet operator code used here (assumption)


_CODES = np.array([b for b, _ in BANKS])
#: Account number length of each bank (its first accepted length), from the indicator types.
_WIDTH = {code: bank.account_lengths[0] for code, bank in BANKS_BY_CODE.items()}
_WEIGHTS = np.array([w for _, w in BANKS]) / sum(w for _, w in BANKS)


@dataclass
class Accounts:
    """Accounts as parallel lists; numbers come from a pool of distinct 10-digit numbers."""

    pool: np.ndarray
    account_id: list[str] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    holder: list[int] = field(default_factory=list)
    opened_us: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)

    def bulk(
        self,
        rng: np.random.Generator,
        holder: np.ndarray,
        opened_us: np.ndarray,
        ewallet: np.ndarray,
    ) -> None:
        n = len(holder)
        start = len(self.account_id)
        bank = np.where(ewallet, EWALLET, _CODES[rng.choice(len(_CODES), n, p=_WEIGHTS)])
        pool = self.pool[start : start + n]
        codes, which = np.unique(bank, return_inverse=True)
        width = np.array([15 if c == EWALLET else _WIDTH.get(str(c), 10) for c in codes])[which]
        number = ids.digits(pool, 10)
        for w in (12, 15):
            number = pc.if_else(pa.array(width == w), ids.digits(pool, w), number)
        self.account_id.extend(ids.join(pa.array(bank), "-", number).to_pylist())
        self.bank.extend(bank.tolist())
        self.holder.extend(holder.tolist())
        self.opened_us.extend((opened_us // 1_000_000 * 1_000_000).tolist())
        self.kind.extend(np.where(ewallet, "ewallet", "personal").tolist())

    def add(self, rng: np.random.Generator, holder: int, opened_us: int, kind: str) -> int:
        if kind == "ewallet":
            bank = EWALLET
        else:
            bank = str(_CODES[int(rng.choice(len(_CODES), p=_WEIGHTS))])
        width = 15 if kind == "ewallet" else _WIDTH.get(bank, 10)
        number = f"{int(self.pool[len(self.account_id)]):0{width}d}"
        self.account_id.append(f"{bank}-{number}")
        self.bank.append(bank)
        self.holder.append(holder)
        self.opened_us.append(opened_us // 1_000_000 * 1_000_000)
        self.kind.append(kind)
        return len(self.account_id) - 1


@dataclass
class Ledger:
    """Transfers as parallel lists (account indexes; -1 for no destination)."""

    ts: list[int] = field(default_factory=list)
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    amount: list[float] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    victim: list[int] = field(default_factory=list)  # victim case index, -1 otherwise

    def add(
        self, ts: int, src: int, dst: int, amount: float, channel: str, victim: int = -1
    ) -> None:
        self.ts.append(ts)
        self.src.append(src)
        self.dst.append(dst)
        self.amount.append(round(amount, 2))
        self.channel.append(channel)
        self.victim.append(victim)


@dataclass
class MoneyWorld:
    accounts: Accounts
    people_first: np.ndarray  # holder -> index of their first account
    people_count: np.ndarray
    merchants: np.ndarray
    exchanges: np.ndarray
    platform: int
    mule_layer: dict[int, tuple[int, int]]  # account -> (gang, layer)
    circles: np.ndarray  # (n_person_accounts, 8) account indexes
    n_person_accounts: int


def open_accounts(w: World, n_people: int, rng: np.random.Generator) -> MoneyWorld:
    """Accounts of people (1–3 each), merchants, a delivery platform and crypto exchanges."""
    year = 365 * DAY_US
    per = 1 + (rng.random(n_people) < 0.3) + (rng.random(n_people) < 0.05)
    n_bulk = int(per.sum())
    acc = Accounts(pool=ids.unique_ints(rng, n_bulk + 200_000, 0, 10**10))
    first = np.concatenate([[0], np.cumsum(per)[:-1]]).astype(np.int64)
    holder = np.repeat(np.arange(n_people), per)
    age = (rng.exponential(6, n_bulk) * year).astype(np.int64) + rng.integers(
        1, 30, n_bulk
    ) * DAY_US
    acc.bulk(rng, holder, w.start_us - age, rng.random(n_bulk) < 0.08)
    n_person = len(acc.account_id)
    n_holders = len(w.holder_ids)
    # Riders are people too: one account each (their holders are above n_people).
    merchants = np.array(
        [
            acc.add(rng, n_holders + i, w.start_us - int(rng.uniform(1, 15) * year), "business")
            for i in range(max(20, n_people // 150))
        ]
    )
    base = n_holders + len(merchants)
    platform = acc.add(rng, base, w.start_us - 5 * year, "business")
    exchanges = np.array(
        [acc.add(rng, base + 1 + i, w.start_us - 4 * year, "exchange") for i in range(3)]
    )
    circles = rng.integers(0, n_person, (n_person, 8))
    return MoneyWorld(
        acc, first, per.astype(np.int64), merchants, exchanges, platform, {}, circles, n_person
    )


def everyday_transfers(
    w: World, m: MoneyWorld, day: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One day of legitimate transfers (vectorized): P2P, shops, ATM, payouts, crypto, abroad."""
    day_start = w.start_us + day * DAY_US
    n = m.n_person_accounts
    src_l, dst_l, amt_l, ch_l, ts_l = [], [], [], [], []

    def emit(src: np.ndarray, dst: np.ndarray, amount: np.ndarray, channel: int) -> None:
        src_l.append(src)
        dst_l.append(dst)
        amt_l.append(np.round(amount, 2))
        ch_l.append(np.full(len(src), channel, dtype=np.int8))
        hour = rng.choice(24, len(src), p=_SPEND_HOURS / _SPEND_HOURS.sum())
        ts_l.append(day_start + (hour * 3600 + rng.integers(0, 3600, len(src))) * 1_000_000)

    people = np.arange(n)
    p2p = np.repeat(people, rng.poisson(0.35, n))
    circle = m.circles[p2p, rng.integers(0, 8, len(p2p))]
    dst = np.where(rng.random(len(p2p)) < 0.8, circle, rng.integers(0, n, len(p2p)))
    emit(p2p, dst, rng.lognormal(np.log(500), 1.2, len(p2p)), 0)
    shop = np.repeat(people, rng.poisson(0.6, n))
    pop = np.minimum(rng.pareto(1.1, len(shop)).astype(np.int64), len(m.merchants) - 1)
    emit(shop, m.merchants[pop], rng.lognormal(np.log(250), 1.0, len(shop)), 0)
    atm = np.repeat(people, rng.poisson(0.08, n))
    emit(atm, np.full(len(atm), -1), rng.integers(1, 41, len(atm)) * 500.0, 2)
    crypto = np.repeat(people, rng.poisson(0.004, n))
    emit(
        crypto,
        m.exchanges[rng.integers(0, 3, len(crypto))],
        rng.lognormal(np.log(5000), 1.2, len(crypto)),
        3,
    )
    cashback = np.repeat(people, rng.poisson(0.002, n))
    emit(
        m.exchanges[rng.integers(0, 3, len(cashback))],
        cashback,
        rng.lognormal(np.log(8000), 1.2, len(cashback)),
        1,
    )
    abroad = np.repeat(people, rng.poisson(0.003, n))
    emit(abroad, np.full(len(abroad), -1), rng.lognormal(np.log(6000), 0.8, len(abroad)), 4)
    # The delivery platform pays each rider's account once a day: a legitimate fan-out.
    riders = rng.integers(0, n, max(1, int((w.role == Role.delivery_rider).sum())))
    emit(np.full(len(riders), m.platform), riders, rng.lognormal(np.log(900), 0.5, len(riders)), 1)
    # Merchants settle to their owners (fan-in to the shop, then out).
    emit(
        m.merchants,
        rng.integers(0, n, len(m.merchants)),
        rng.lognormal(np.log(20000), 1.0, len(m.merchants)),
        1,
    )
    return {
        "ts": np.concatenate(ts_l),
        "src": np.concatenate(src_l),
        "dst": np.concatenate(dst_l),
        "amount": np.concatenate(amt_l),
        "channel": np.concatenate(ch_l),
    }


CHANNELS = ("promptpay", "transfer", "atm_withdrawal", "crypto_exchange", "cross_border")
_SPEND_HOURS = np.array(
    [
        *(0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.0, 2.2, 2.3, 2.6),
        *(3.0, 2.6, 2.2, 2.1, 2.2, 2.5, 2.8, 2.7, 2.4, 2.0, 1.2, 0.6),
    ]
)


def _lag(rng: np.random.Generator, median_min: float) -> int:
    return (
        int(np.clip(rng.lognormal(np.log(median_min), 0.9), 1, 24 * 60)) * MIN_US
        + int(rng.integers(0, 60)) * 1_000_000
    )


def launder(
    w: World,
    m: MoneyWorld,
    victim_person: np.ndarray,
    victim_ts: np.ndarray,
    victim_gang: np.ndarray,
    rng: np.random.Generator,
    ledger: Ledger,
) -> None:
    """Victims' payments to first-layer mules and the layering and cash-out that follow."""
    acc = m.accounts
    365 * DAY_US
    n_gangs = len(w.gangs)
    per_gang = np.bincount(victim_gang, minlength=n_gangs)
    layers: list[list[list[int]]] = []
    next_holder = len(w.holder_ids) + len(m.merchants) + 10
    for g in range(n_gangs):
        sizes = (3 + per_gang[g] // 3, 2 + per_gang[g] // 6, 2 + per_gang[g] // 12)
        gang_layers: list[list[int]] = []
        for layer, size in enumerate(sizes, start=1):
            accounts: list[int] = []
            for _ in range(int(size)):
                if layer == 1 and rng.random() < 0.35:
                    # A recruited ordinary person lends their old account.
                    a = int(rng.integers(0, m.n_person_accounts))
                    if a in m.mule_layer:
                        continue
                else:
                    fresh = w.start_us - int(rng.uniform(3, 90) * DAY_US)
                    kind = "ewallet" if rng.random() < 0.1 else "personal"
                    # Renters often open accounts at several banks on one ID card.
                    holder = (
                        next_holder
                        if rng.random() < 0.6 or not accounts
                        else acc.holder[accounts[-1]]
                    )
                    next_holder += 1
                    a = acc.add(rng, holder, fresh // 1_000_000 * 1_000_000, kind)
                m.mule_layer[a] = (g, layer)
                accounts.append(a)
            gang_layers.append(accounts)
        layers.append(gang_layers)

    def forward(acct: int, amount: float, ts: int, depth: int, g: int) -> None:
        """Pass money on from ``acct`` (layer ``depth``) and eventually cash it out."""
        gl = layers[g]
        amount *= 1 - rng.uniform(0.01, 0.04)  # the mule's cut stays behind
        ts += _lag(rng, 35)
        if depth >= 3 or (depth == 2 and rng.random() < 0.3):
            cash_out(acct, amount, ts)
            return
        nxt = gl[depth]
        style = rng.random()
        if style < 0.4:  # fan-out
            k = int(rng.integers(2, 5))
            parts = rng.dirichlet(np.ones(k)) * amount
            for part in parts:
                dst = nxt[int(rng.integers(0, len(nxt)))]
                ledger.add(ts, acct, dst, part, "transfer")
                forward(dst, part, ts, depth + 1, g)
                ts += int(rng.integers(20, 300)) * 1_000_000
        elif style < 0.85 or depth == 2:  # chain
            dst = nxt[int(rng.integers(0, len(nxt)))]
            ledger.add(ts, acct, dst, amount, "transfer")
            forward(dst, amount, ts, depth + 1, g)
        else:  # a cycle: out to the next layer and back to another first-layer account
            dst = nxt[int(rng.integers(0, len(nxt)))]
            ledger.add(ts, acct, dst, amount, "transfer")
            back = gl[0][int(rng.integers(0, len(gl[0])))]
            ts2 = ts + _lag(rng, 30)
            amount2 = amount * (1 - rng.uniform(0.01, 0.03))
            ledger.add(ts2, dst, back, amount2, "transfer")
            forward(back, amount2, ts2, 2, g)

    def cash_out(acct: int, amount: float, ts: int) -> None:
        how = rng.random()
        if how < 0.5:
            while amount > 1:
                piece = min(amount, 20_000.0)
                ledger.add(ts, acct, -1, piece, "atm_withdrawal")
                amount -= piece
                ts += int(rng.integers(30, 600)) * 1_000_000
        elif how < 0.8:
            ledger.add(
                ts, acct, int(m.exchanges[int(rng.integers(0, 3))]), amount, "crypto_exchange"
            )
        else:
            ledger.add(ts, acct, -1, amount, "cross_border")

    for case, (person, ts, g) in enumerate(zip(victim_person, victim_ts, victim_gang, strict=True)):
        holder = int(w.holder[person])
        src = int(m.people_first[holder] + rng.integers(0, m.people_count[holder]))
        total = float(
            np.clip(
                rng.lognormal(np.log(w.behaviour.loss_median_thb), w.behaviour.loss_sigma), 300, 5e6
            )
        )
        pays = 1 + int(rng.random() < 0.3) + int(rng.random() < 0.1)
        t = int(ts) + _lag(rng, 12)
        for part in rng.dirichlet(np.ones(pays) * 2) * total:
            first_layer = layers[g][0]
            dst = first_layer[min(int(rng.pareto(1.0)), len(first_layer) - 1)]
            channel = "promptpay" if rng.random() < 0.6 else "transfer"
            ledger.add(t, src, dst, float(part), channel, victim=case)
            forward(dst, float(part), t, 1, g)
            t += _lag(rng, 90)


def accounts_table(m: MoneyWorld, w: World) -> pa.Table:
    acc = m.accounts
    top = max(acc.holder) + 1
    names = pa.concat_arrays(
        [w.holder_ids, ids.holder_pseudonyms(top, f"tatsai-sim-{w.seed}", start=len(w.holder_ids))]
    )
    return pa.table(
        {
            "account_id": pa.array(acc.account_id),
            "bank": pa.array(acc.bank),
            "holder_id": names.take(pa.array(acc.holder)),
            "opened_at": pa.array(acc.opened_us, pa.timestamp("us", tz="UTC")),
            "kind": pa.array(acc.kind),
        }
    )
