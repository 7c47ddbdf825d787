"""Train on one simulated world and measure on another, against the world's truth.

Measures (SIM level): precision and recall of scam SIMs (``truth_scam_sims``); detection delay
= first flag time − first scam call, in hours; the share of legitimate heavy callers flagged
(``truth_roles`` call centres, delivery riders, sales; business lines when that table is
absent); the share of SIM-box SIMs caught. The naive baseline beside it is the regulator's
rule alone (more than 100 calls a day, business lines exempt) as the suspect list.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco import model as scam_model
from tatsai.analytics.telco.features import FeatureParams, hourly_features_sql, sim_summary_sql
from tatsai.analytics.telco.linkage import ReportLink, link_reports
from tatsai.analytics.telco.load import load_world, part_files, table_path
from tatsai.analytics.telco.model import ScamSimModel
from tatsai.analytics.telco.scan import BATCH_ROWS, ScanResult, compute, scan_each
from tatsai.core.errors import InvalidInput, NotFound

HEAVY_ROLES = frozenset({"call_centre", "delivery_rider", "sales"})
BEGIN, END = "<!-- telco:begin -->", "<!-- telco:end -->"


def _read_truth(data: Path, name: str) -> list[dict[str, object]] | None:
    where = table_path(data, name)
    if where is None:
        return None
    rows: list[dict[str, object]] = []
    for part in part_files(where):
        rows += pq.read_table(part).to_pylist()
    return rows


def first_scam_hours(data: Path) -> dict[str, int]:
    """IMSI → UTC hour index of the SIM's first scam call, from ``truth_scam_sims``."""
    return {imsi: int(ts // 3600) for imsi, ts in first_scam_times(data).items()}


def first_scam_times(data: Path) -> dict[str, float]:
    """IMSI → epoch seconds of the SIM's first scam call, from ``truth_scam_sims``."""
    truth = _read_truth(data, "truth_scam_sims")
    if truth is None:
        raise NotFound(f"{data}: no truth_scam_sims table to learn from", field="data")
    out = {}
    for row in truth:
        ts = row["first_scam_ts"]
        if not isinstance(ts, dt.datetime):
            raise InvalidInput(f"{data}: truth_scam_sims.first_scam_ts is not a time", field="data")
        out[str(row["imsi"])] = ts.timestamp()
    return out


def heavy_callers(data: Path, summary: list[dict[str, object]] | None = None) -> set[str]:
    """IMSIs of the world's legitimate heavy callers: ``truth_roles`` call centres, riders and
    sales; without that table, registered business lines in ``summary``."""
    roles = _read_truth(data, "truth_roles")
    if roles:
        return {str(r["imsi"]) for r in roles if r["role"] in HEAVY_ROLES}
    return {str(s["imsi"]) for s in summary or [] if s["business_line"]}


def train_on_world(
    data: Path,
    *,
    window_h: int = 24,
    rounds: int = scam_model.ROUNDS,
    reporter_secret: str | None = None,
    heavy_weight: float = scam_model.HEAVY_WEIGHT,
    sample: float = 1.0,
    seed: int = 7,
    memory_limit: str | None = None,
) -> ScamSimModel:
    """A model fitted on the world in ``data`` (DuckDB), its threshold chosen on that world's
    out-of-fold scores with at most 0.1% of its heavy legitimate callers flagged.

    ``sample`` < 1 keeps memory bounded on long worlds: the hourly features are streamed and
    only the rows of scam SIMs, of heavy legitimate callers, and of a seeded share ``sample``
    of the other SIMs (chosen by a hash of the IMSI) are kept; the kept ordinary SIMs' rows
    weigh ``1 / sample`` in training and in the threshold's precision. ``memory_limit`` caps
    DuckDB's memory (e.g. ``"6GB"``; it spills to disk beyond), DuckDB's default otherwise."""
    if not 0 < sample <= 1:
        raise InvalidInput("sample must be in (0, 1]", field="sample")
    first = first_scam_hours(data)
    params = FeatureParams(window_h=window_h)
    with open_engine("duckdb", memory_limit=memory_limit) as engine:
        load_world(engine, data, reporter_secret=reporter_secret)
        if sample >= 1:
            features, summary = compute(engine, params)
            heavy = heavy_callers(data, summary)
            row_weight = None
        else:
            summary = engine.query(sim_summary_sql(params)).to_pylist()
            heavy = heavy_callers(data, summary)
            del summary
            features, row_weight = _sampled_features(
                engine.query_batches(hourly_features_sql(params)),
                whole=set(first) | heavy,
                sample=sample,
                seed=seed,
            )
    model = scam_model.train(
        features,
        first,
        rounds=rounds,
        heavy=heavy,
        heavy_weight=heavy_weight,
        row_weight=row_weight,
    )
    model.meta["trained_on"] = str(data)
    model.meta["sample"] = sample
    return model


def _sampled_features(
    batches: Iterable[pa.RecordBatch], *, whole: set[str], sample: float, seed: int
) -> tuple[pa.Table, npt.NDArray[np.float64]]:
    """The rows of SIMs in ``whole`` and of a seeded share ``sample`` of the others, with each
    row's weight (1, or ``1 / sample`` for a sampled SIM)."""
    cut = int(sample * 2**32)
    kept: list[pa.RecordBatch] = []
    weights: list[npt.NDArray[np.float64]] = []
    for batch in batches:
        # Decided once per SIM (a batch holds each SIM's hours side by side), not per row.
        sims, of_row = np.unique(
            np.array(batch.column("imsi").to_pylist(), dtype=object), return_inverse=True
        )
        always = np.array([s in whole for s in sims], dtype=bool)[of_row]
        drawn = np.array([zlib.crc32(f"{seed}:{s}".encode()) < cut for s in sims], dtype=bool)
        mask = always | drawn[of_row]
        if mask.any():
            kept.append(batch.filter(pa.array(mask)))
            weights.append(np.where(always[mask], 1.0, 1.0 / sample))
    if not kept:
        raise InvalidInput("no feature rows to learn from", field="data")
    return pa.Table.from_batches(kept), np.concatenate(weights)


@dataclass
class Quality:
    """One scorer's figures on one world."""

    name: str
    flagged: int
    precision: float
    recall: float
    median_detection_h: float | None
    p90_detection_h: float | None
    heavy_flagged: int
    heavy_total: int
    sim_box_caught: int
    sim_box_total: int

    @property
    def heavy_share(self) -> float:
        return self.heavy_flagged / self.heavy_total if self.heavy_total else 0.0


@dataclass
class EvalReport:
    world: str
    sims: int
    scam_sims: int
    cdr_rows: int
    seconds: float
    rows: list[Quality] = field(default_factory=list)
    # (report truth, linkage verdict) → phone reports, for the deciding scorer
    linkage: dict[tuple[str, str], int] = field(default_factory=dict)


def quality(
    name: str,
    flagged: Mapping[str, dt.datetime | None],
    first_scam: dict[str, float],
    roles: dict[str, str],
) -> Quality:
    """Figures for ``flagged`` (IMSI → first flag time, when known) against the truth."""
    hits = [s for s in flagged if s in first_scam]
    delays = sorted(
        (ts.timestamp() - first_scam[s]) / 3600 for s in hits if (ts := flagged[s]) is not None
    )
    heavy = [s for s, role in roles.items() if role in HEAVY_ROLES]
    boxes = [s for s, role in roles.items() if role == "sim_box"]
    return Quality(
        name=name,
        flagged=len(flagged),
        precision=len(hits) / len(flagged) if flagged else 0.0,
        recall=len(hits) / len(first_scam) if first_scam else 0.0,
        median_detection_h=statistics.median(delays) if delays else None,
        p90_detection_h=delays[int(0.9 * (len(delays) - 1))] if delays else None,
        heavy_flagged=sum(s in flagged for s in heavy),
        heavy_total=len(heavy),
        sim_box_caught=sum(s in flagged for s in boxes),
        sim_box_total=len(boxes),
    )


def evaluate_world(
    data: Path,
    *,
    model: ScamSimModel | None,
    reporter_secret: str | None = None,
    memory_limit: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> EvalReport:
    """Scan ``data`` with ``model`` (and the rules, and the baseline) and measure each;
    ``memory_limit`` caps DuckDB's memory as in :func:`train_on_world`.

    The hourly features are streamed ``batch_rows`` at a time and scored by the model and the
    rules in the same pass (:func:`.scan.scan_each`), as the scan does: memory does not grow
    with the number of SIM-hours."""
    first_scam = first_scam_times(data)
    roles_rows = _read_truth(data, "truth_roles") or []
    roles = {str(r["imsi"]): str(r["role"]) for r in roles_rows}
    started = time.perf_counter()
    with open_engine("duckdb", memory_limit=memory_limit) as engine:
        load_world(engine, data, reporter_secret=reporter_secret)
        scorers = [model, None] if model is not None else [None]
        results = scan_each(engine, models=scorers, batch_rows=batch_rows)
        n_cdr = int(engine.query("SELECT COUNT(*) AS n FROM cdr").column("n")[0].as_py())
        truth_of = {
            str(r["report_id"]): str(r["truth"])
            for r in engine.query("SELECT report_id, truth FROM reports").to_pylist()
        }
        links = link_reports(engine, results[0])
    seconds = time.perf_counter() - started
    # Every SIM of the summary has a verdict, in every result.
    sims = results[-1].verdicts
    if not roles:  # no role truth: business lines stand for the heavy legitimate callers
        roles = {v.imsi: "call_centre" for v in sims if v.business_line}
    report = EvalReport(str(data), len(sims), len(first_scam), n_cdr, seconds)
    measure(report, results, links, truth_of, first_scam, roles)
    return report


def measure(
    report: EvalReport,
    results: Sequence[ScanResult],
    links: Iterable[ReportLink],
    truth_of: dict[str, str],
    first_scam: dict[str, float],
    roles: dict[str, str],
) -> None:
    """Fill ``report``: the linkage counts by report truth, one quality row per scan result
    (the rules' last), and the 100-calls baseline read off the last result's verdicts."""
    for link in links:
        key = (truth_of.get(link.report_id, "?"), link.verdict)
        report.linkage[key] = report.linkage.get(key, 0) + 1
    for result in results:
        flagged = {v.imsi: v.first_flag_ts for v in result.verdicts if v.is_suspect}
        label = "model + rules" if result.scored_by == "model" else "rules only"
        report.rows.append(quality(label, flagged, first_scam, roles))
    baseline = {v.imsi: None for v in results[-1].verdicts if v.reverify_owner}
    report.rows.append(quality("baseline: > 100 calls/day", baseline, first_scam, roles))


def _h(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} h"


def render_block(report: EvalReport, *, data: Path, command: str | None = None) -> str:
    """The markdown block for docs/evaluation.md (between the telco markers)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = command or f"tatsai telco eval --data {data}"
    lines = [
        BEGIN,
        "## Telco analytics — scam SIMs",
        "",
        f"Measured {now} on {platform.machine()} (2-core, 24 GB shared machine); world "
        f"`{report.world}`: {report.sims:,} active SIMs, {report.scam_sims:,} scam SIMs, "
        f"{report.cdr_rows:,} call records; features and scoring took {report.seconds:.1f} s.",
        f"Command: `{cmd}`. Targets: precision ≥ 0.95, recall ≥ 0.90, median detection ≤ 2 h, "
        "≤ 0.1% of legitimate heavy callers flagged.",
        "",
        "| scorer | flagged | precision | recall | median detection | p90 detection | "
        "heavy legit flagged | SIM-box SIMs caught |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for q in report.rows:
        lines.append(
            f"| {q.name} | {q.flagged:,} | {q.precision:.3f} | {q.recall:.3f} | "
            f"{_h(q.median_detection_h)} | {_h(q.p90_detection_h)} | "
            f"{q.heavy_flagged}/{q.heavy_total} ({100 * q.heavy_share:.2f}%) | "
            f"{q.sim_box_caught}/{q.sim_box_total} |"
        )
    if report.linkage:
        verdicts = ["escalate", "review", "possible_false_report", "not_on_network"]
        lines += [
            "",
            f"Report linkage ({report.rows[0].name}): phone reports by the simulator's truth "
            "(rows) and the linkage verdict (columns).",
            "",
            "| report truth | " + " | ".join(v.replace("_", " ") for v in verdicts) + " |",
            "|---|" + "---|" * len(verdicts),
        ]
        for truth in sorted({t for t, _ in report.linkage}):
            cells = [str(report.linkage.get((truth, v), 0)) for v in verdicts]
            lines.append(f"| {truth} | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def write_block(doc: Path, block: str) -> None:
    """Replace the telco block of ``doc`` (create the file or append the block if missing)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Evaluation\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
