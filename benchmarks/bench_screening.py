"""Screening speed: messages per second on one core, tatsai beside the plain baseline.

Run: ``.venv/bin/python benchmarks/bench_screening.py [--write docs/benchmarks.md]``

Both are measured in the same run on the same messages (every licensed message the model was
trained on plus ScamGuard, repeated to ~20k), as messages per CPU-second of the process (the
per-core figure: on a shared machine the wall clock also counts waiting for a core) and per
wall-clock second, in batches of 10,000, median of 5 runs, with
numpy/BLAS limited to one thread. tatsai's figure is the whole ``screen_texts`` path
(unreadable check, normalization, URL risk, features, calibrated probabilities, rules and
result objects); the baseline's is ``pipeline.predict`` alone (TF-IDF char 2–4-grams + LR).
Also: model load time (fresh process) and peak resident memory of a screening process.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import datetime as dt
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BATCH = 10_000
RUNS = 5
BEGIN, END = "<!-- screening:begin -->", "<!-- screening:end -->"


def _load_time_and_memory() -> tuple[float, float]:
    """A fresh process: seconds to load the model and screen one message; then its peak RSS
    (MB) after screening a 10,000-message batch."""
    code = (
        "import time, resource; t=time.process_time();"
        "from tatsai.screening.service import load_model, screen_texts;"
        "screen_texts(['ทดสอบ'], model=load_model()); load=time.process_time()-t;"
        "from tatsai.screening import data;"
        "texts=[e.text for e in data.training_set(data.default_data_dir())][:10000];"
        "screen_texts(texts);"
        "print(load, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run(  # noqa: S603 - runs this same interpreter on a fixed snippet
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    load, memory = out.stdout.split()
    return float(load), float(memory)


def _rate(fn: object, texts: list[str]) -> tuple[float, float]:
    """Messages per CPU-second of this process and per wall-clock second (medians of RUNS).

    On a machine shared with other jobs the wall clock counts time spent waiting for a core;
    CPU time does not, so it is the per-core figure."""
    assert callable(fn)
    cpu, wall = [], []
    for _ in range(RUNS):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for i in range(0, len(texts), BATCH):
            fn(texts[i : i + BATCH])
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    return len(texts) / statistics.median(cpu), len(texts) / statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=Path, default=None, help="docs file to update")
    args = parser.parse_args()

    from tatsai.screening import data
    from tatsai.screening.service import load_model, screen_texts
    from tatsai.screening.train import plain_baseline

    load_seconds, screening_mb = _load_time_and_memory()
    directory = data.default_data_dir()
    training = data.training_set(directory)
    texts = [e.text for e in training] + [e.text for e in data.load_scamguard(directory)]
    texts = (texts * (20_000 // len(texts) + 1))[:20_000]
    model = load_model()
    baseline = plain_baseline().fit([e.text for e in training], [e.label for e in training])
    screen_texts(texts[:100], model=model)  # warm the caches of the tables, not of the texts
    ours = _rate(lambda batch: screen_texts(batch, model=model), texts)
    theirs = _rate(baseline.predict, texts)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    lines = [
        BEGIN,
        "## Screening throughput",
        "",
        f"Measured {when} UTC on {platform.machine()} (2-core, 24 GB machine shared with other "
        f"jobs), one thread, `python benchmarks/bench_screening.py`; {len(texts):,} messages "
        f"(Thai and English), batches of {BATCH:,}, median of {RUNS} runs.",
        "",
        "| what | messages per CPU-second (one core) | messages per wall-clock second |",
        "|---|---|---|",
        f"| tatsai `screen_texts` (full path: normalize, URL risk, model, rules) "
        f"| {ours[0]:,.0f} | {ours[1]:,.0f} |",
        f"| plain baseline `predict` (TF-IDF char 2–4 + LR) "
        f"| {theirs[0]:,.0f} | {theirs[1]:,.0f} |",
        "",
        f"Ratio (CPU time): tatsai is {ours[0] / theirs[0]:.1f}× the baseline. Load average "
        f"during the run: {os.getloadavg()[0]:.1f} on 2 cores.",
        "",
        f"Model load (fresh process, imports and first screening included, CPU time): "
        f"{load_seconds:.2f} s. "
        f"Peak resident memory of a process that loads the model and screens a 10,000-message "
        f"batch: {screening_mb:,.0f} MB.",
        END,
    ]
    block = "\n".join(lines)
    print(block)
    if args.write:
        from tatsai.screening.evaluate import write_block

        write_block(args.write, block, title="# Benchmarks")


if __name__ == "__main__":
    main()
