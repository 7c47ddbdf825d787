"""Citizens' reports of the simulated world: late, partial, and not always right.

Victims report (about half of them) hours to days after losing money, naming the number that
called, the account they paid or the link they clicked, often without an amount or a time.
Bystanders who got a scam call or SMS report a few of them. Some reports are false (a telesales
call, a typo in the number, a bank's own sender ID) and some malicious (a group flooding reports
against one person's number). Indicator values go through the indicator types' ``clean`` when
``tatsai.indicators.types`` is installed, so they are normalized exactly as intake would.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from tatsai.sim import ids
from tatsai.sim.population import HOUR_US, World

CHANNELS = ("sms-1185", "ussd", "web", "api")
CHANNEL_SHARE = np.array([0.35, 0.15, 0.38, 0.12])


@dataclass
class ReportSeeds:
    """Who reports what, when (parallel lists); truth is true | false | malicious."""

    reporter: list[int] = field(default_factory=list)  # subscriber index
    ts: list[int] = field(default_factory=list)
    indicator_type: list[str] = field(default_factory=list)
    indicator_raw: list[str] = field(default_factory=list)  # as the reporter typed it
    indicator_canonical: list[str] = field(default_factory=list)  # the world's own value
    kind: list[str] = field(default_factory=list)
    amount: list[float | None] = field(default_factory=list)
    incident_ts: list[int | None] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)
    case: list[int] = field(default_factory=list)  # victim case, -1 otherwise

    def add(
        self,
        reporter: int,
        ts: int,
        itype: str,
        raw: str,
        canonical: str,
        kind: str,
        truth: str,
        amount: float | None = None,
        incident: int | None = None,
        case: int = -1,
    ) -> None:
        self.reporter.append(reporter)
        self.ts.append(ts)
        self.indicator_type.append(itype)
        self.indicator_raw.append(raw)
        self.indicator_canonical.append(canonical)
        self.kind.append(kind)
        self.truth.append(truth)
        self.amount.append(amount)
        self.incident_ts.append(incident)
        self.case.append(case)


def _cleaner() -> Callable[[str, str, str], str]:
    """``clean(type, raw, canonical)``: the indicator type's ``clean(raw)`` when the types are
    installed, else the world's own canonical value."""
    try:
        types = importlib.import_module("tatsai.indicators.types")
    except ImportError:
        return lambda _t, _raw, canonical: canonical

    def clean(itype: str, raw: str, _canonical: str) -> str:
        return str(types.get_type(itype).clean(raw))

    return clean


def as_typed(msisdn: str, rng: np.random.Generator) -> str:
    """A number the way a person types it: 0812345678, 081-234-5678 or +66…"""
    local = "0" + msisdn[3:]
    style = int(rng.integers(0, 3))
    if style == 0:
        return local
    if style == 1:
        return f"{local[:3]}-{local[3:6]}-{local[6:]}"
    return msisdn


def delay(rng: np.random.Generator, median_h: float) -> int:
    return int(rng.lognormal(np.log(median_h), 1.0) * HOUR_US) // 1_000_000 * 1_000_000


def malicious_floods(w: World, seeds: ReportSeeds, rng: np.random.Generator, end_us: int) -> None:
    """Groups that flood reports against one ordinary person's number."""
    n_ord = w.scale.subscribers
    for _ in range(max(1, n_ord // 200_000)):
        target = int(rng.integers(0, n_ord))
        t0 = w.start_us + int(rng.uniform(0, max(1, end_us - w.start_us - 3 * HOUR_US)))
        for _ in range(int(rng.integers(5, 16))):
            seeds.add(
                int(rng.integers(0, n_ord)),
                t0 + int(rng.uniform(0, 2) * HOUR_US),
                "phone",
                as_typed(str(w.msisdn[target]), rng),
                str(w.msisdn[target]),
                "call",
                "malicious",
            )


def reports_table(
    w: World, seeds: ReportSeeds, end_us: int, rng: np.random.Generator
) -> tuple[pa.Table, dict[int, str]]:
    """The reports filed within the window, sorted by time, and victim case -> report_id."""
    clean = _cleaner()
    ts = np.array(seeds.ts, dtype=np.int64)
    keep = np.flatnonzero(ts < end_us)
    order = keep[np.lexsort((np.array(seeds.reporter)[keep], ts[keep]))]
    report_ids = [f"R{i + 1:08d}" for i in range(len(order))]
    secret = f"tatsai-sim-{w.seed}"
    channel = rng.choice(len(CHANNELS), len(order), p=CHANNEL_SHARE)
    case_report: dict[int, str] = {}
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "report_id",
            "ts",
            "channel",
            "reporter",
            "indicator_type",
            "indicator_value",
            "kind",
            "amount_lost_thb",
            "truth",
            "incident_ts",
        )
    }
    for rid, i, ch in zip(report_ids, order, channel, strict=True):
        rows["report_id"].append(rid)
        rows["ts"].append(int(ts[i]))
        rows["channel"].append(CHANNELS[int(ch)])
        rows["reporter"].append(ids.reporter_pseudonym(str(w.msisdn[seeds.reporter[i]]), secret))
        rows["indicator_type"].append(seeds.indicator_type[i])
        rows["indicator_value"].append(
            clean(seeds.indicator_type[i], seeds.indicator_raw[i], seeds.indicator_canonical[i])
        )
        rows["kind"].append(seeds.kind[i])
        rows["amount_lost_thb"].append(seeds.amount[i])
        rows["truth"].append(seeds.truth[i])
        rows["incident_ts"].append(seeds.incident_ts[i])
        if seeds.case[i] >= 0:
            case_report.setdefault(seeds.case[i], rid)
    table = pa.table(
        {
            k: pa.array(v, pa.timestamp("us", tz="UTC") if k in ("ts", "incident_ts") else None)
            for k, v in rows.items()
        }
    )
    return table, case_report
