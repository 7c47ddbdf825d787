"""Benchmark: simulate the small and the medium world; time, peak memory, rows, disk.

Run: ``.venv/bin/python benchmarks/bench_sim_medium.py [--days 7] [--out DIR] [--no-record]``.
Each scale runs in a child process so its peak resident memory (ru_maxrss) is its own. Targets
(issue #6): small ≤ 5 s; medium (≈ 1 million subscribers, 7 days) ≥ 50 million call records in
≤ 10 minutes and ≤ 4 GB. The results replace the ``sim`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
CHILD = """
import json, sys, time
from pathlib import Path
from tatsai.sim.generate import simulate
started = time.perf_counter()
s = simulate(Path(sys.argv[1]), scale=sys.argv[2], days=int(sys.argv[3]), seed=7)
print(json.dumps({"seconds": time.perf_counter() - started, "rows": s.rows, "counts": s.counts}))
"""


def run_scale(scale: str, days: int, out: Path) -> dict[str, object]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    done = subprocess.run(  # noqa: S603 - runs this interpreter on our own child script
        [sys.executable, "-c", CHILD, str(out), scale, str(days)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{scale} failed:\n{done.stderr}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_gib"] = max(peak_kib, before) / 1024**2
    # CPU seconds are what an otherwise idle machine would need (the simulator is one thread).
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime - cpu_before
    result["disk_mib"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1024**2
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    base = args.out or Path(tempfile.mkdtemp(prefix="tatsai-bench-sim-"))
    load_before = os.getloadavg()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = {
        "small (3 days)": run_scale("small", 3, base / "small"),
        f"medium ({args.days} days)": run_scale("medium", args.days, base / "medium"),
    }
    load_after = os.getloadavg()
    table = Table(
        "world", "wall s", "CPU s", "peak RSS GiB", "cdr rows", "transfers", "disk MiB", "target"
    )
    targets = {
        "small (3 days)": "≤ 5 s",
        f"medium ({args.days} days)": "≥ 50 M cdr, ≤ 600 s, ≤ 4 GiB",
    }
    lines = [
        "| world | wall s | CPU s | peak RSS GiB | cdr rows | transfers | subscribers | disk MiB "
        "| target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        rows = r["rows"]
        assert isinstance(rows, dict)
        cells = (
            f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['peak_rss_gib']:.2f}",
            f"{rows['cdr']:,}",
            f"{rows['transfers']:,}",
            f"{r['disk_mib']:.0f}",
        )
        table.add_row(name, *cells, targets[name])
        lines.append(
            f"| {name} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} | "
            f"{rows['subscribers']:,} | {cells[5]} | {targets[name]} |"
        )
    Console().print(table)
    if args.out is None:
        shutil.rmtree(base, ignore_errors=True)
    if args.no_record:
        return
    block = "\n".join(
        [
            "<!-- sim:begin -->",
            "## Simulator (`tatsai simulate`)",
            "",
            f"Measured {started} on {platform.machine()} with {os.cpu_count()} cores "
            "(the shared 2-core, 24 GB machine), Python "
            f"{platform.python_version()}, Parquet output; load average before "
            f"{load_before[0]:.1f}, after {load_after[0]:.1f} (other engineers' jobs ran "
            "alongside). Command: `.venv/bin/python benchmarks/bench_sim_medium.py`.",
            "Peak RSS is the child process's maximum resident set; CPU s is its user + system "
            "time, roughly what an otherwise idle machine would need (the simulator is mostly "
            "single-threaded), "
            "while wall s grows with the load. The baseline is the small world, measured in the "
            "same run.",
            "",
            *lines,
            "<!-- sim:end -->",
        ]
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if "<!-- sim:begin -->" in text:
        head, rest = text.split("<!-- sim:begin -->", 1)
        text = head + block + rest.split("<!-- sim:end -->", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
