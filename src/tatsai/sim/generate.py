"""``simulate``: build a world and write every canonical table, day by day.

Output (``fmt`` = parquet or csv), one file or folder per table, named as the table:
``cdr/``, ``sms_content/`` and ``transfers/`` hold one part per simulated day
(``part-00000.parquet`` …); the other tables are single files. Rows are sorted (events by time
then parties, static tables by key) and every random draw comes from PCG64 streams keyed on the
seed, so the same seed, scale, days and start give byte-identical files. Memory is bounded by one
day of events plus the static world.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.core.errors import InvalidInput
from tatsai.sim import assemble, money, reports, schemas, texts
from tatsai.sim.config import BANGKOK_OFFSET_S, BEHAVIOUR, DEFAULT_START, Scale, get_scale
from tatsai.sim.population import DAY_US, build_world
from tatsai.sim.traffic import simulate_day
from tatsai.sim.writer import FORMATS, conform, write

Progress = Callable[[str, int, int], None]


@dataclass
class Summary:
    out: Path
    scale: str
    days: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _ts(values: object) -> pa.Array:
    return pa.array(values, pa.timestamp("us", tz="UTC"))


def _emit(
    out: Path,
    name: str,
    data: pa.Table,
    fmt: str,
    scale: Scale,
    summary: Summary,
    part: int | None = None,
) -> None:
    table = schemas.TABLES[name]
    data = conform(data, table)
    if part is None:
        data = data.sort_by([(k, "ascending") for k in table.key])
        path = out / name
    else:
        path = out / name / f"part-{part:05d}"
    write(data, path, fmt, row_group_rows=scale.row_group_rows, dictionary=frozenset(table.enums))
    summary.rows[name] = summary.rows.get(name, 0) + data.num_rows


def simulate(
    out: Path,
    *,
    scale: str | Scale = "small",
    days: int | None = None,
    seed: int = 7,
    fmt: str = "parquet",
    start: datetime = DEFAULT_START,
    progress: Progress | None = None,
) -> Summary:
    """Simulate a world into the folder ``out`` (replaced if it exists). See the module doc."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    sc = get_scale(scale) if isinstance(scale, str) else scale
    days = sc.default_days if days is None else days
    if not 1 <= days <= 366:
        raise InvalidInput("days must be between 1 and 366", field="days")
    if seed < 0:
        raise InvalidInput("seed must be a non-negative integer", field="seed")
    if start.tzinfo is None:
        raise InvalidInput("start must carry a timezone", field="start")
    # Local midnight in Bangkok of the start date, as a UTC instant.
    start_us = (int(start.timestamp()) // 86_400 * 86_400 - BANGKOK_OFFSET_S) * 1_000_000
    end_us = start_us + days * DAY_US
    tick = progress or (lambda _stage, _done, _total: None)
    steps = 3 + 2 * days
    done = 0

    if out.exists():
        # Replace an earlier world, never anything else someone pointed --out at by mistake.
        if not out.is_dir() or (
            any(out.iterdir()) and not any((out / f"cells.{f}").exists() for f in FORMATS)
        ):
            raise InvalidInput(
                f"{out} exists and is not a simulated world; choose a new or empty folder",
                field="out",
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    summary = Summary(out, sc.name, days, seed)
    tick("world", done, steps)
    w = build_world(sc, seed=seed, days=days, start_us=start_us, behaviour=BEHAVIOUR)
    _emit(out, "cells", assemble.cells_table(w), fmt, sc, summary)
    _emit(out, "subscribers", assemble.subscribers_table(w), fmt, sc, summary)
    drng = np.random.Generator(np.random.PCG64([seed, 7]))
    _emit(out, "devices", assemble.devices_table(w, drng), fmt, sc, summary)
    done += 1
    tick("world", done, steps)

    rng = np.random.Generator(np.random.PCG64([seed, 4]))
    campaigns = texts.make_campaigns(rng, len(w.gangs), start_us, end_us)
    by_gang = [[c for c in campaigns if c.gang == g] for g in range(len(w.gangs))]
    starts = [np.array([c.start_us for c in cs]) for cs in by_gang]

    def campaign_at(g: int, ts: int) -> texts.Campaign:
        k = max(0, int(np.searchsorted(starts[g], ts, side="right")) - 1)
        return by_gang[g][k]

    seeds = reports.ReportSeeds()
    first_scam = np.full(w.n, np.iinfo(np.int64).max, dtype=np.int64)
    v_person: list[np.ndarray] = []
    v_ts: list[np.ndarray] = []
    v_sim: list[np.ndarray] = []
    v_sms: list[np.ndarray] = []
    carry: dict[str, np.ndarray] | None = None
    event_base = 0
    switch_dev = np.full(w.n, -1, dtype=np.int64)
    switch_at = np.zeros(w.n, dtype=np.int64)
    for dev, sim, at, _ in w.extra_devices:
        switch_dev[sim], switch_at[sim] = dev, at
    for day in range(days):
        events, victims = simulate_day(w, day)
        ev = events.arrays()
        if carry is not None:
            ev = {k: np.concatenate([carry[k], ev[k]]) for k in ev}
        day_end = start_us + (day + 1) * DAY_US
        later = ev["ts"] >= day_end
        carry = {k: v[later] for k, v in ev.items()} if day + 1 < days else None
        ev = {k: v[~later] for k, v in ev.items()}
        order = np.lexsort((ev["b"], ev["a"], ev["ts"]))
        ev = {k: v[order] for k, v in ev.items()}
        m = len(ev["a"])
        event_id = event_base + np.arange(m, dtype=np.int64)
        event_base += m
        a, b = ev["a"], ev["b"]
        device = w.device[a]
        switched = (switch_dev[a] >= 0) & (ev["ts"] >= switch_at[a])
        device[switched] = switch_dev[a[switched]]
        cdr = {
            "event_id": event_id,
            "ts": _ts(ev["ts"]),
            "kind": pa.array(np.where(ev["sms"], "sms", "call")),
            "a_msisdn": w.msisdn.take(a),
            "b_msisdn": w.msisdn.take(b),
            "a_imsi": w.imsi.take(a),
            "a_imei": w.imei.take(device),
            "cell_id": w.cells.ids.take(ev["cell"]),
            "duration_s": ev["duration"],
            "answered": ev["answered"],
            "direction": pa.array(np.full(m, "mo")),
        }
        _emit(out, "cdr", pa.table(cdr), fmt, sc, summary, part=day)
        del cdr
        scam = ev["scam"]
        np.minimum.at(first_scam, a[scam], ev["ts"][scam])
        crng = np.random.Generator(np.random.PCG64([seed, 3, day]))
        sms_rows = assemble.sms_content(w, ev, event_id, crng, campaign_at, day)
        _emit(out, "sms_content", sms_rows, fmt, sc, summary, part=day)
        assemble.report_seeds(w, ev, crng, campaign_at, seeds)
        v_person += victims.person
        v_ts += victims.ts
        v_sim += victims.sim
        v_sms += victims.via_sms
        done += 1
        tick(f"calls day {day + 1}", done, steps)

    # Money: accounts, everyday payments, and what victims lost.
    person = np.concatenate(v_person) if v_person else np.empty(0, np.int64)
    vts = np.concatenate(v_ts) if v_ts else np.empty(0, np.int64)
    vsim = np.concatenate(v_sim) if v_sim else np.empty(0, np.int64)
    vsms = np.concatenate(v_sms) if v_sms else np.empty(0, bool)
    order = np.lexsort((person, vts))
    person, vts, vsim, vsms = person[order], vts[order], vsim[order], vsms[order]
    vgang = w.gang[vsim]
    mrng = np.random.Generator(np.random.PCG64([seed, 5]))
    n_people = int(w.holder[: w.scale.subscribers].max()) + 1
    mw = money.open_accounts(w, n_people, mrng)
    ledger = money.Ledger()
    money.launder(w, mw, person, vts, vgang, mrng, ledger)
    assemble.victim_reports(w, mw, ledger, vsim, vts, vsms, person, campaign_at, mrng, seeds)
    reports.malicious_floods(w, seeds, mrng, end_us)
    done += 1
    tick("money", done, steps)

    scam_t: dict[str, np.ndarray] = {
        "ts": np.array(ledger.ts, dtype=np.int64),
        "src": np.array(ledger.src, dtype=np.int64),
        "dst": np.array(ledger.dst, dtype=np.int64),
        "amount": np.array(ledger.amount, dtype=np.float64),
        "channel": np.array([money.CHANNELS.index(c) for c in ledger.channel], dtype=np.int8),
        "victim": np.array(ledger.victim, dtype=np.int64),
    }
    account_ids = pa.array(mw.accounts.account_id)
    txn_base = 0
    victim_txn: list[tuple[str, int, int]] = []
    used_accounts = np.zeros(len(mw.accounts.account_id), dtype=bool)
    for day in range(days):
        drng = np.random.Generator(np.random.PCG64([seed, 6, day]))
        legit = money.everyday_transfers(w, mw, day, drng)
        legit["victim"] = np.full(len(legit["ts"]), -1, dtype=np.int64)
        lo, hi = start_us + day * DAY_US, start_us + (day + 1) * DAY_US
        mine = (scam_t["ts"] >= lo) & (scam_t["ts"] < hi)
        t = {k: np.concatenate([legit[k], scam_t[k][mine]]) for k in legit}
        order = np.lexsort((t["amount"], t["dst"], t["src"], t["ts"]))
        t = {k: v[order] for k, v in t.items()}
        n = len(t["ts"])
        txn = [f"T{txn_base + i + 1:011d}" for i in range(n)]
        txn_base += n
        for i in np.flatnonzero(t["victim"] >= 0):
            victim_txn.append((txn[i], int(t["src"][i]), int(t["victim"][i])))
        # Truth lists the mules that moved scam money inside the window, nothing else.
        moved = scam_t["src"][mine], scam_t["dst"][mine]
        used_accounts[moved[0]] = True
        used_accounts[moved[1][moved[1] >= 0]] = True
        table = pa.table(
            {
                "txn_id": pa.array(txn),
                "ts": _ts(t["ts"]),
                "src_account": account_ids.take(pa.array(t["src"])),
                "dst_account": account_ids.take(pa.array(t["dst"], mask=t["dst"] < 0).fill_null(0)),
                "amount_thb": t["amount"],
                "channel": pa.array(np.array(money.CHANNELS)[t["channel"]]),
            }
        )
        nulls = pa.array(t["dst"] < 0)
        table = table.set_column(
            3, "dst_account", pc.if_else(nulls, pa.scalar(None, pa.string()), table.column(3))
        )
        _emit(out, "transfers", table, fmt, sc, summary, part=day)
        done += 1
        tick(f"transfers day {day + 1}", done, steps)
    _emit(out, "accounts", money.accounts_table(mw, w), fmt, sc, summary)

    report_table, case_report = reports.reports_table(w, seeds, end_us, mrng)
    _emit(out, "reports", report_table, fmt, sc, summary)
    truth = assemble.truth_tables(
        w, first_scam, mw, used_accounts, victim_txn, case_report, campaigns, account_ids
    )
    for name, table in truth.items():
        _emit(out, name, table, fmt, sc, summary)
    done += 1
    tick("truth", done, steps)
    summary.counts = {
        "SIMs (all roles)": w.n,
        "gangs": len(w.gangs),
        "scam SIMs": int((first_scam < np.iinfo(np.int64).max).sum()),
        "victims": len(person),
        "victim loss THB": int(
            sum(a for a, v in zip(ledger.amount, ledger.victim, strict=True) if v >= 0)
        ),
    }
    return summary
