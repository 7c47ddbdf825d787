"""A tiny hand-made world in the canonical schemas, with one of each behaviour telco analytics
must tell apart (two days from 2026-03-02 00:00 UTC, 10 cells, ~60 SIMs, ~3,000 records):

* 40 ordinary people calling a few contacts in daytime, who call back and are answered;
* ``CALL_CENTRE``: a registered business line making ~150 calls a day to strangers;
* ``TELESALES``: an unregistered seller making ~110 calls a day (the regulator's re-verification);
* ``SCAMMERS``: three young SIMs on border cells, 25 short calls an hour to strangers from
  hour 30, mostly unanswered and never called back; one is reported by two of its victims
  (subscribers, so their numbers match the reports' reporter pseudonyms), and one victim of
  another scammer reports a bank account;
* ``SIM_BOX``: one handset cycling eight SIMs of one ID holder, 15 calls each;
* ``SMS_BLASTER``: 80 SMS in one hour;
* spoofed inbound calls from +697 and +698 numbers to ordinary people;
* a false report against an ordinary person.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tatsai.core.pseudonym import pseudonym
from tatsai.sim.schemas import TABLES

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
CALL_CENTRE = "520010000000901"
TELESALES = "520010000000902"
SCAMMERS = ("520010000000951", "520010000000952", "520010000000953")
SIM_BOX = tuple(f"5200100000009{60 + i}" for i in range(8))
SIM_BOX_IMEI = "353000000000960"
SMS_BLASTER = "520010000000970"
REPORTED_SCAMMER = SCAMMERS[0]
REPORTED_CALLEES_SCAMMER = SCAMMERS[1]  # not reported itself; one victim reports a bank account
FALSELY_REPORTED = "520010000000005"
SCAM_START_HOUR = 30
# The pseudonym key every test runs under (tests/conftest.py), so scans match the reporters.
WORLD_SECRET = "test-secret-key"


def msisdn_of(imsi: str) -> str:
    return "+6681" + imsi[-7:]


def imei_of(imsi: str) -> str:
    return "35" + imsi[-13:]


def build_world(seed: int = 1) -> dict[str, pa.Table]:
    rng = random.Random(seed)
    cells = {
        "cell_id": [f"C{i}" for i in range(10)],
        "lat": [20.3, 20.4, 14.0, 13.75, 13.76, 13.8, 13.7, 13.72, 18.8, 7.9],
        "lon": [99.9, 100.1, 99.5, 100.5, 100.52, 100.55, 100.48, 100.6, 98.98, 98.4],
        "province": ["Chiang Rai", "Chiang Rai", "Kanchanaburi"] + ["Bangkok"] * 5 + ["x", "y"],
        "operator": ["AIS"] * 10,
        "border_km": [2.0, 4.0, 8.0, 150, 150, 150, 150, 150, 60, 300],
        "border_country": ["MM", "LA", "MM", "KH", "KH", "KH", "KH", "KH", "MM", "MY"],
    }
    people = [f"5200100000000{i:02d}" for i in range(40)]
    subs: list[dict[str, object]] = []

    def add_sim(imsi: str, holder: str, age_days: float, business: bool = False) -> None:
        subs.append(
            {
                "msisdn": msisdn_of(imsi),
                "imsi": imsi,
                "operator": rng.choice(["AIS", "TRUE", "DTAC"]),
                "plan": "prepaid",
                "activated_at": START - dt.timedelta(days=age_days),
                "holder_id": holder,
                "province": "Bangkok",
                "business_line": business,
            }
        )

    for i, imsi in enumerate(people):
        add_sim(imsi, f"psn_holder_p{i}", rng.uniform(200, 2000))
    add_sim(CALL_CENTRE, "psn_holder_cc", 900, business=True)
    add_sim(TELESALES, "psn_holder_ts", 700)
    for imsi in SCAMMERS:
        add_sim(imsi, f"psn_holder_{imsi[-3:]}", 1.0)
    for imsi in SIM_BOX:
        add_sim(imsi, "psn_holder_box", 3.0)
    add_sim(SMS_BLASTER, "psn_holder_sms", 2.0)

    cdr: list[dict[str, object]] = []

    def event(
        ts: dt.datetime, kind: str, a: str, b: str, a_imsi: str | None, cell: str, **kw: object
    ) -> None:
        cdr.append(
            {
                "event_id": len(cdr) + 1,
                "ts": ts,
                "kind": kind,
                "a_msisdn": a,
                "b_msisdn": b,
                "a_imsi": a_imsi,
                "a_imei": kw.get("imei", imei_of(a_imsi) if a_imsi else None),
                "cell_id": cell,
                "duration_s": int(kw.get("duration", 0)),  # type: ignore[call-overload]
                "answered": bool(kw.get("answered", False)),
                "direction": kw.get("direction", "mo"),
            }
        )

    def call(ts: dt.datetime, a_imsi: str, b: str, cell: str, answered: bool, dur: int) -> None:
        event(ts, "call", msisdn_of(a_imsi), b, a_imsi, cell, answered=answered, duration=dur)

    contacts = {p: rng.sample([q for q in people if q != p], 6) for p in people}
    for p in people:
        home = rng.choice(["C3", "C4", "C5", "C6", "C7", "C8"])
        for day in range(2):
            for _ in range(rng.randint(3, 8)):
                ts = START + dt.timedelta(days=day, hours=rng.uniform(1, 14))
                b = rng.choice(contacts[p])
                answered = rng.random() < 0.85
                call(ts, p, msisdn_of(b), home, answered, rng.randint(40, 400) if answered else 0)
                if not answered or rng.random() < 0.3:  # called back within the hour
                    call(ts + dt.timedelta(minutes=20), b, msisdn_of(p), home, True, 90)
    strangers = [f"+66899{n:06d}" for n in range(5000)]
    for imsi, per_day, cell in ((CALL_CENTRE, 150, "C5"), (TELESALES, 110, "C6")):
        for day in range(2):
            for _ in range(per_day):
                ts = START + dt.timedelta(days=day, hours=rng.uniform(2, 10))
                answered = rng.random() < 0.6
                dur = rng.randint(60, 240) if answered else 0
                call(ts, imsi, rng.choice(strangers), cell, answered, dur)
    victims = [msisdn_of(p) for p in people] + strangers
    for n, imsi in enumerate(SCAMMERS):
        cell = ["C0", "C1", "C2"][n]
        for hour in range(SCAM_START_HOUR, SCAM_START_HOUR + 6):
            for _ in range(25):
                ts = START + dt.timedelta(hours=hour, minutes=rng.uniform(0, 59))
                answered = rng.random() < 0.3
                dur = rng.choice([8, 15, 25, 600]) if answered else 0
                call(ts, imsi, rng.choice(victims), cell, answered, dur)
    # Scam calls to known subscribers, who report later (no random draws: the stream above
    # stays as it was).
    for n, (imsi, person) in enumerate(
        ((REPORTED_SCAMMER, 36), (REPORTED_SCAMMER, 37), (REPORTED_CALLEES_SCAMMER, 38))
    ):
        ts = START + dt.timedelta(hours=SCAM_START_HOUR + 1, minutes=10 * n + 5)
        call(ts, imsi, msisdn_of(people[person]), ["C0", "C1"][imsi != REPORTED_SCAMMER], True, 20)
    for n, imsi in enumerate(SIM_BOX):
        for _ in range(15):
            ts = START + dt.timedelta(hours=20 + n, minutes=rng.uniform(0, 59))
            event(
                ts,
                "call",
                msisdn_of(imsi),
                rng.choice(strangers),
                imsi,
                "C7",
                imei=SIM_BOX_IMEI,
                answered=rng.random() < 0.3,
                duration=rng.choice([0, 12]),
            )
    for _ in range(80):
        ts = START + dt.timedelta(hours=33, minutes=rng.uniform(0, 59))
        event(ts, "sms", msisdn_of(SMS_BLASTER), rng.choice(victims), SMS_BLASTER, "C1")
    for n in range(6):
        spoofed = f"+69{7 + n % 2}{n:07d}"
        target = msisdn_of(people[n])
        event(
            START + dt.timedelta(hours=10 + n), "call", spoofed, target, None, "C3", direction="mt"
        )

    cdr.sort(key=lambda r: r["ts"])  # type: ignore[arg-type, return-value]
    for i, row in enumerate(cdr, start=1):
        row["event_id"] = i
    subscriber_numbers = {msisdn_of(p) for p in people}

    def victims_of(imsi: str) -> list[str]:
        called = [str(r["b_msisdn"]) for r in cdr if r["a_imsi"] == imsi]
        return sorted(set(called) & subscriber_numbers, key=called.index)

    first, second = victims_of(REPORTED_SCAMMER)[:2]
    reports = [
        _report("R1", SCAM_START_HOUR + 5, msisdn_of(REPORTED_SCAMMER), "true", first),
        _report("R2", SCAM_START_HOUR + 9, msisdn_of(REPORTED_SCAMMER), "true", second),
        _report("R3", 20, msisdn_of(FALSELY_REPORTED), "false", msisdn_of(people[39])),
        _report(
            "R4",
            SCAM_START_HOUR + 7,
            "123-4-56789-0",
            "true",
            victims_of(REPORTED_CALLEES_SCAMMER)[0],
            indicator_type="bank_account",
        ),
    ]
    scam = [*SCAMMERS, *SIM_BOX, SMS_BLASTER]
    truth_sims = [
        {
            "msisdn": msisdn_of(s),
            "imsi": s,
            "gang_id": "G1",
            "first_scam_ts": min(r["ts"] for r in cdr if r["a_imsi"] == s),
        }
        for s in scam
    ]
    roles = [
        {"imsi": CALL_CENTRE, "msisdn": msisdn_of(CALL_CENTRE), "role": "call_centre"},
        {"imsi": TELESALES, "msisdn": msisdn_of(TELESALES), "role": "sales"},
        *({"imsi": s, "msisdn": msisdn_of(s), "role": "scam_caller"} for s in SCAMMERS),
        *({"imsi": s, "msisdn": msisdn_of(s), "role": "sim_box"} for s in SIM_BOX),
        {"imsi": SMS_BLASTER, "msisdn": msisdn_of(SMS_BLASTER), "role": "scam_sms"},
    ]
    for role in roles:
        role["gang_id"] = "G1" if role["role"].startswith(("scam", "sim")) else None
    return {
        "cells": pa.Table.from_pydict(cells, schema=TABLES["cells"].schema),
        "subscribers": pa.Table.from_pylist(subs, schema=TABLES["subscribers"].schema),
        "cdr": pa.Table.from_pylist(cdr, schema=TABLES["cdr"].schema),
        "reports": pa.Table.from_pylist(reports, schema=TABLES["reports"].schema),
        "truth_scam_sims": pa.Table.from_pylist(
            truth_sims, schema=TABLES["truth_scam_sims"].schema
        ),
        "truth_sim_boxes": pa.Table.from_pylist(
            [{"imei": SIM_BOX_IMEI, "gang_id": "G1"}], schema=TABLES["truth_sim_boxes"].schema
        ),
        "truth_roles": pa.Table.from_pylist(roles, schema=_ROLES),
    }


_ROLES = pa.schema(
    [
        ("imsi", pa.string()),
        ("msisdn", pa.string()),
        ("role", pa.string()),
        ("gang_id", pa.string()),
    ]
)


def _report(
    report_id: str,
    hour: int,
    value: str,
    truth: str,
    reporter: str,
    indicator_type: str = "phone",
) -> dict[str, object]:
    """A report by ``reporter`` (a number, pseudonymized under the tests' key)."""
    return {
        "report_id": report_id,
        "ts": START + dt.timedelta(hours=hour),
        "channel": "sms-1185",
        "reporter": pseudonym(reporter, purpose="reporter", secret=WORLD_SECRET),
        "indicator_type": indicator_type,
        "indicator_value": value,
        "kind": "call",
        "amount_lost_thb": None,
        "truth": truth,
    }


def write_world(folder: Path, tables: dict[str, pa.Table] | None = None) -> Path:
    """The world as ``<name>.parquet`` files in ``folder`` (cdr as a folder of two parts)."""
    tables = tables if tables is not None else build_world()
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if name == "cdr":
            (folder / "cdr").mkdir(exist_ok=True)
            half = table.num_rows // 2
            pq.write_table(table.slice(0, half), folder / "cdr" / "part-00000.parquet")
            pq.write_table(table.slice(half), folder / "cdr" / "part-00001.parquet")
        else:
            pq.write_table(table, folder / f"{name}.parquet")
    return folder
