"""Telco scan speed: call records per second through feature computation, from Parquet, DuckDB.

Writes a synthetic world in the canonical schemas (``--rows`` call records of ``rows / 40``
SIMs over 7 days, 2,000 cells, one SIM in 500 in a handset of 8), then runs in separate
processes, side by side:

* floor — bare DuckDB ``SELECT a_imsi, count(*) … GROUP BY a_imsi`` over the same files;
* window — the least any sliding-window feature needs, over the same files: the outgoing records
  grouped per SIM and hour, and one trailing 24-hour window sum over those rows;
* contacts — the least callee novelty needs: the first contact per (SIM, callee) pair;
* features — the scan's work before scoring: load and check the world (one pass), the per-SIM
  summary and the hourly sliding-window features, read in record batches as the scan reads them;
* scan — the whole scan as ``tatsai telco scan`` runs it (features scored batch by batch with
  the shipped model, one verdict per SIM), without writing the CSV.

With ``--world DIR`` the stages run on a world the simulator wrote (``tatsai simulate``; its
``TATSAI_SECRET_KEY`` in the environment) instead of the synthetic one, and ``--rows`` is
ignored: the synthetic SIMs all make calls at about the same modest rate, while a simulated
world has the heavy tail of call centres, riders, SIM boxes and scam SIMs.

With ``--baseline SRC`` (the ``src`` folder of an earlier checkout, e.g. from ``git archive``)
a further stage, ``baseline``, runs the features stage on that version of the package, in the
same interleaved loop, so a change is measured before and after on the same machine load.

Prints a table with seconds (median of ``--repeat`` runs), records/s, the ratio to the floor and
each process's peak resident memory. Usage::

    python benchmarks/bench_telco_scan.py --rows 10000000 [--repeat 3] [--memory-limit 6GB]
        [--stages floor,features,scan] [--baseline SRC] [--world DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tatsai.sim.schemas import TABLES

START_S = 1_772_409_600  # 2026-03-02 00:00 UTC
DAYS = 7
CHUNK = 2_000_000
STAGES = ("floor", "window", "contacts", "features", "scan", "baseline")

#: The parts of the features no formulation of them can skip, each alone (see the docstring).
SKELETON = {
    "window": """
        WITH h AS (
            SELECT a_imsi AS imsi, CAST(FLOOR(epoch(ts) / 3600) AS BIGINT) AS hour, count(*) AS n
            FROM cdr_files WHERE direction = 'mo' GROUP BY 1, 2
        )
        SELECT count(*), sum(w) FROM (
            SELECT sum(n) OVER (PARTITION BY imsi ORDER BY hour
                RANGE BETWEEN 23 PRECEDING AND CURRENT ROW) AS w
            FROM h
        )""",
    "contacts": """
        SELECT count(*) FROM (
            SELECT a_imsi, b_msisdn, min(ts) AS first FROM cdr_files WHERE direction = 'mo'
            GROUP BY 1, 2
        )""",
}


def _ids(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    """The synthetic world: heavy-tailed activity per SIM, mostly daytime, a few SIM boxes."""
    rng = np.random.default_rng(seed)
    sims = max(rows // 40, 100)
    cells = 2000
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdr").mkdir(exist_ok=True)
    sim_ids = np.arange(sims)
    pq.write_table(
        pa.table(
            {
                "msisdn": _ids("+6681", sim_ids, 7),
                "imsi": _ids("52001", sim_ids, 10),
                "operator": pa.array(rng.choice(["AIS", "TRUE", "DTAC"], sims)),
                "plan": pa.array(["prepaid"] * sims),
                "activated_at": pa.array(
                    (START_S - rng.integers(3600, 3 * 365 * 86400, sims)) * 1_000_000,
                    pa.int64(),
                ).cast(TABLES["subscribers"].schema.field("activated_at").type),
                "holder_id": _ids("psn_holder_", sim_ids // 2, 8),
                "province": pa.array(["Bangkok"] * sims),
                "business_line": pa.array(rng.random(sims) < 0.001),
            },
            schema=TABLES["subscribers"].schema,
        ),
        folder / "subscribers.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "cell_id": _ids("C", np.arange(cells), 5),
                "lat": pa.array(rng.uniform(6, 20, cells)),
                "lon": pa.array(rng.uniform(98, 105, cells)),
                "province": pa.array(["x"] * cells),
                "operator": pa.array(["AIS"] * cells),
                "border_km": pa.array(rng.uniform(0, 300, cells)),
                "border_country": pa.array(rng.choice(["MM", "LA", "KH", "MY"], cells)),
            },
            schema=TABLES["cells"].schema,
        ),
        folder / "cells.parquet",
    )
    weight = rng.gamma(1.5, 1.0, sims)
    weight /= weight.sum()
    home = rng.integers(0, cells, sims)
    ts_all = np.sort(rng.integers(START_S, START_S + DAYS * 86400, rows))
    schema = TABLES["cdr"].schema
    for part, begin in enumerate(range(0, rows, CHUNK)):
        n = min(CHUNK, rows - begin)
        caller = rng.choice(sims, n, p=weight)
        callee = rng.integers(0, sims * 2, n)
        kind = np.where(rng.random(n) < 0.9, "call", "sms")
        answered = (rng.random(n) < 0.75) & (kind == "call")
        cell = np.where(rng.random(n) < 0.8, home[caller], rng.integers(0, cells, n))
        boxed = caller // 8 % 500 == 0
        table = pa.table(
            {
                "event_id": pa.array(np.arange(begin, begin + n), pa.int64()),
                "ts": pa.array(ts_all[begin : begin + n] * 1_000_000, pa.int64()).cast(
                    schema.field("ts").type
                ),
                "kind": pa.array(kind),
                "a_msisdn": _ids("+6681", caller, 7),
                "b_msisdn": _ids("+6681", callee, 7),
                "a_imsi": _ids("52001", caller, 10),
                # One handset per SIM, but one SIM in 500 sits in a box of 8 (SIM boxes,
                # call-centre gateways).
                "a_imei": _ids("35", np.where(boxed, sims + caller // 8, caller), 13),
                "cell_id": _ids("C", cell, 5),
                "duration_s": pa.array(
                    np.where(answered, rng.gamma(2.0, 60.0, n).astype(np.int32), 0), pa.int32()
                ),
                "answered": pa.array(answered),
                "direction": pa.array(np.full(n, "mo")),
            },
            schema=schema,
        )
        pq.write_table(table, folder / "cdr" / f"part-{part:05d}.parquet", row_group_size=1_000_000)


def _stage(stage: str, folder: Path, threads: int, memory_limit: str) -> dict[str, float]:
    from tatsai.analytics.engine import DuckDBEngine
    from tatsai.analytics.telco.features import hourly_features_sql, sim_summary_sql
    from tatsai.analytics.telco.load import load_world
    from tatsai.analytics.telco.model import load_shipped
    from tatsai.analytics.telco.scan import scan

    engine = DuckDBEngine(threads=threads, memory_limit=memory_limit)
    started = time.perf_counter()
    if stage == "floor":
        engine.register("cdr_files", folder / "cdr")  # a view over read_parquet, nothing more
        out = engine.query("SELECT a_imsi, count(*) AS n FROM cdr_files GROUP BY a_imsi")
        produced = out.num_rows
    elif stage in ("window", "contacts"):
        engine.register("cdr_files", folder / "cdr")
        out = engine.query(SKELETON[stage])
        produced = int(out.column(0)[0].as_py())
    elif stage in ("features", "baseline"):
        load_world(engine, folder)
        summary = engine.query(sim_summary_sql())
        hourly = sum(b.num_rows for b in engine.query_batches(hourly_features_sql()))
        produced = hourly + summary.num_rows
    else:
        load_world(engine, folder)
        produced = len(scan(engine, model=load_shipped()).verdicts)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rows_out": produced, "peak_mb": peak_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "tatsai-bench-telco"
    )
    parser.add_argument("--stages", default="floor,features,scan", help="Comma-separated stages.")
    parser.add_argument(
        "--baseline", type=Path, help="src folder of an earlier version: adds stage 'baseline'"
    )
    parser.add_argument("--world", type=Path, help="a simulated world to use instead")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    stages = [s for s in args.stages.split(",") if s]
    if args.baseline is not None and "baseline" not in stages:
        stages.append("baseline")
    if "baseline" in stages and (args.baseline is None or not args.baseline.is_dir()):
        parser.error("--baseline: the src folder of an earlier version is needed")
    if not stages or any(s not in STAGES for s in stages) or "floor" not in stages:
        parser.error(f"--stages: a comma-separated choice of {', '.join(STAGES)}, with floor")
    folder = args.world or args.data / f"rows-{args.rows}"
    if args.stage:
        print(json.dumps(_stage(args.stage, folder, args.threads, args.memory_limit)))
        return
    if args.world is not None:
        args.rows = pq.ParquetDataset(args.world / "cdr").read(columns=["event_id"]).num_rows
    elif not (folder / "cells.parquet").exists():
        print(f"writing {args.rows:,} synthetic call records to {folder} …", file=sys.stderr)
        generate(folder, args.rows)
    results: dict[str, list[dict[str, float]]] = {stage: [] for stage in stages}
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        for stage in results:  # interleaved, so both see the same machine load
            command = [sys.executable, __file__, "--stage", stage, "--rows", str(args.rows)]
            command += ["--threads", str(args.threads), "--memory-limit", args.memory_limit]
            command += ["--data", str(args.data)]
            if args.world is not None:
                command += ["--world", str(args.world)]
            env = dict(os.environ)
            if stage == "baseline":  # the earlier package shadows the installed one
                env["PYTHONPATH"] = str(args.baseline.resolve())
            done = subprocess.run(  # noqa: S603
                command, check=True, capture_output=True, text=True, env=env
            )
            results[stage].append(json.loads(done.stdout.strip().splitlines()[-1]))
    floor = statistics.median(r["seconds"] for r in results["floor"])
    load_after = os.getloadavg()
    print(f"world={folder} rows={args.rows:,} threads={args.threads}", end=" ")
    print(f"memory_limit={args.memory_limit}")
    print(
        "load average (1/5/15 min) before "
        + "/".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + "/".join(f"{x:.2f}" for x in load_after)
    )
    print(f"{'stage':<10} {'median s':>9} {'records/s':>12} {'× floor':>8} {'peak MB':>8}")
    for stage, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        rate = args.rows / seconds
        print(f"{stage:<10} {seconds:>9.2f} {rate:>12,.0f} {seconds / floor:>8.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
