"""Tiny made-up transfers for the money tests (written here, nothing copied from any dataset).

``small_world`` is a few hundred ordinary accounts paying each other a fixed amount each (as
people do: rent, a salary, a phone bill), plus mule rings: victims pay a first-layer mule, which
passes the money on within minutes, keeping a cut, through two more layers to an ATM.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tatsai.analytics.money.trace import Trail
from tatsai.sim.schemas import TRANSFERS

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

#: One transfer of the trace tests: txn id, time, source, destination, THB, channel.
Row = tuple[str, dt.datetime, str, str | None, float, str]


def at(minutes: float) -> dt.datetime:
    """``minutes`` after T0."""
    return T0 + dt.timedelta(minutes=minutes)


def conserved(trail: Trail) -> float:
    """What the trail holds on accounts plus what it cashed out."""
    return sum(a.held for a in trail.accounts.values()) + trail.cashed_out


def traced(trail: Trail) -> dict[str, float]:
    """THB traced through each transfer of the trail."""
    return {e.txn_id: round(e.traced, 6) for e in trail.edges}


def account(bank: str, number: int) -> str:
    return f"{bank}-{number:010d}"


def cli_trace_held(transfers: Path, out: Path, options: list[str]) -> dict[str, float]:
    """``tatsai money trace --txn v1`` on ``transfers`` with ``options``: THB held per freeze
    point (the command must exit 0)."""
    from tatsai.cli import main

    args = ["money", "trace", "--transfers", str(transfers), "--txn", "v1", "--output", str(out)]
    with pytest.raises(SystemExit) as ok:
        main([*args, *options])
    assert ok.value.code == 0
    points = json.loads(out.read_text())["freeze_points"]
    return {p["account_id"]: p["held_thb"] for p in points}


def transfers_table(rows: list[Row]) -> pa.Table:
    cols = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [
            pa.array(cols[0], pa.string()),
            pa.array(cols[1], TRANSFERS.schema.field("ts").type),
            pa.array(cols[2], pa.string()),
            pa.array(cols[3], pa.string()),
            pa.array(cols[4], pa.float64()),
            pa.array(cols[5], pa.string()),
        ],
        schema=TRANSFERS.schema,
    )


@dataclass
class World:
    transfers: pa.Table
    mules: set[str]
    accounts: list[str]
    victim_txns: list[str]


def make_world(seed: int, n_people: int = 300, n_rings: int = 6) -> World:
    rng = np.random.default_rng(seed)
    banks = ["002", "004", "014"]
    people = [account(banks[i % 3], 1_000_000 + seed * 10_000 + i) for i in range(n_people)]
    usual = rng.choice([150.0, 299.0, 450.0, 1200.0, 3500.0], size=n_people)
    rows: list[tuple[str, dt.datetime, str, str | None, float, str]] = []
    n = 0

    def add(ts: dt.datetime, src: str, dst: str | None, amt: float, channel: str) -> str:
        nonlocal n
        n += 1
        txn = f"t{seed}-{n}"
        rows.append((txn, ts, src, dst, round(amt, 2), channel))
        return txn

    for i, payer in enumerate(people):
        payees = rng.choice(n_people, size=int(rng.integers(2, 6)), replace=False)
        for j in payees:
            if j == i:
                continue
            ts = T0 + dt.timedelta(hours=float(rng.uniform(0, 24 * 20)))
            add(ts, payer, people[j], float(usual[i]), "promptpay")
    mules: set[str] = set()
    victim_txns = []
    for r in range(n_rings):
        layer1 = [account("004", 5_000_000 + seed * 1000 + r * 10 + k) for k in range(2)]
        layer2 = [account("014", 6_000_000 + seed * 1000 + r * 10 + k) for k in range(2)]
        layer3 = [account("002", 7_000_000 + seed * 1000 + r * 10)]
        mules.update(layer1 + layer2 + layer3)
        victims = rng.choice(n_people, size=4, replace=False)
        for v in victims:
            ts = T0 + dt.timedelta(hours=float(rng.uniform(0, 24 * 18)))
            amt = float(rng.uniform(5_000, 80_000))
            first = layer1[int(rng.integers(0, 2))]
            victim_txns.append(add(ts, people[v], first, amt, "transfer"))
            amt *= 0.97
            half = round(amt / 2, 2)
            t1 = ts + dt.timedelta(minutes=float(rng.uniform(3, 30)))
            for k, mid in enumerate(layer2):
                add(t1 + dt.timedelta(minutes=k), first, mid, half, "transfer")
                t2 = t1 + dt.timedelta(minutes=float(rng.uniform(10, 60)))
                add(t2, mid, layer3[0], half * 0.98, "transfer")
            t3 = t1 + dt.timedelta(hours=2)
            add(t3, layer3[0], None, amt * 0.97, "atm_withdrawal")
    rows.sort(key=lambda r: r[1])
    return World(transfers_table(rows), mules, people, victim_txns)


@pytest.fixture(scope="session")
def small_world() -> World:
    return make_world(seed=1)


@pytest.fixture(scope="session")
def other_world() -> World:
    return make_world(seed=2)
