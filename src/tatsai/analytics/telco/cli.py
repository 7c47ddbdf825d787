"""``tatsai telco …``: scan call records for scam SIMs, link reports, rank border cells."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from tatsai.analytics.engine import AnalyticsEngine, EngineName, check_memory_limit, open_engine
from tatsai.analytics.telco import export
from tatsai.analytics.telco.border import BORDER_COLUMNS, rank_border_cells
from tatsai.analytics.telco.features import FeatureParams
from tatsai.analytics.telco.linkage import LINK_COLUMNS, link_reports
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.model import ScamSimModel, load_shipped
from tatsai.analytics.telco.scan import ScanResult, scan, write_scan_csv
from tatsai.core.errors import InvalidInput

telco_app = typer.Typer(help="Telco analytics: scam SIMs, SIM boxes, reports, border cells.")

DATA = typer.Option(..., "--data", help="Folder with cdr, subscribers, cells (and reports).")
ENGINE = typer.Option("duckdb", "--engine", help="duckdb (default) or spark.")
SKIP = typer.Option(False, "--skip-bad-rows", help="Leave bad call records out, don't fail.")
MODEL = typer.Option(None, "--model", help="Model folder (default shipped).")
RULES_ONLY = typer.Option(False, "--rules-only", help="Score by the rules alone.")


def parse_window(text: str) -> int:
    """``24h``, ``90m`` is refused, ``2d`` → hours (1-720)."""
    match = re.fullmatch(r"\s*(\d+)\s*([hd])\s*", text.lower())
    if not match:
        raise InvalidInput(f"window {text!r}: use hours or days, e.g. 24h or 2d", field="window")
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
    if not 1 <= hours <= 720:
        raise InvalidInput("window must be between 1h and 30d", field="window")
    return hours


def _engine(name: str) -> AnalyticsEngine:
    if name not in ("duckdb", "spark"):
        raise InvalidInput(f"unknown engine {name!r}; use duckdb or spark", field="engine")
    engine_name: EngineName = "spark" if name == "spark" else "duckdb"
    return open_engine(engine_name)


def _model(model_dir: Path | None, rules_only: bool) -> ScamSimModel | None:
    if rules_only:
        return None
    if model_dir is not None:
        return ScamSimModel.load(model_dir)
    return load_shipped()


def run_scan(
    engine: AnalyticsEngine,
    data: Path,
    *,
    window_h: int = 24,
    model: ScamSimModel | None = None,
    skip_bad_rows: bool = False,
) -> ScanResult:
    loaded = load_world(engine, data, skip_bad_rows=skip_bad_rows)
    if loaded.skipped_rows:
        why = ", ".join(f"{n} {reason}" for reason, n in loaded.skipped_why.items())
        typer.echo(f"skipped {loaded.skipped_rows} bad call records ({why})", err=True)
    return scan(engine, params=FeatureParams(window_h=window_h), model=model)


@telco_app.command("scan")
def scan_command(
    data: Path = DATA,
    output: Path = typer.Option(
        ..., "--output", dir_okay=False, help="CSV: msisdn,imsi,score,is_suspect,…"
    ),
    engine: str = ENGINE,
    window: str = typer.Option("24h", "--window", help="Sliding window, e.g. 24h or 2d."),
    model_dir: Path | None = MODEL,
    rules_only: bool = RULES_ONLY,
    skip_bad_rows: bool = SKIP,
    indicators: Path | None = typer.Option(
        None,
        "--indicators",
        dir_okay=False,
        help="Also write registry evidence rows (suspects, prefixes).",
    ),
    suspensions: Path | None = typer.Option(
        None,
        "--suspensions",
        dir_okay=False,
        help="Also write suspension requests for suspect SIMs.",
    ),
    holders: Path | None = typer.Option(
        None, "--holders", dir_okay=False, help="Also write ID holders with more than six SIMs."
    ),
) -> None:
    """Score every SIM that called or texted; write the ranked verdicts with reasons."""
    hours = parse_window(window)
    model = _model(model_dir, rules_only)
    with _engine(engine) as eng:
        result = run_scan(eng, data, window_h=hours, model=model, skip_bad_rows=skip_bad_rows)
        rows = write_scan_csv(result, output)
        suspects = result.suspects()
        typer.echo(
            f"{rows} SIMs scanned ({result.scored_by}), {len(suspects)} suspects, "
            f"{sum(v.reverify_owner for v in result.verdicts)} for owner re-verification → {output}"
        )
        if indicators is not None:
            prefixes = export.spoofed_prefixes(eng)
            n = export.write_indicator_csv(
                [*export.suspect_rows(suspects), *export.prefix_rows(prefixes)], indicators
            )
            typer.echo(f"{n} indicator rows ({len(prefixes)} spoofed prefixes) → {indicators}")
        if suspensions is not None:
            n = export.write_suspension_requests(result, suspensions)
            typer.echo(f"{n} suspension requests → {suspensions}")
        if holders is not None:
            listed = export.holder_rows(eng, result)
            export.write_rows(listed, export.HOLDER_COLUMNS, holders)
            typer.echo(f"{len(listed)} holders with more than six SIMs → {holders}")


@telco_app.command("border")
def border_command(
    data: Path = DATA,
    output: Path = typer.Option(
        ..., "--output", dir_okay=False, help="CSV of border cells, ranked."
    ),
    engine: str = ENGINE,
    radius_km: float = typer.Option(20.0, "--radius-km", min=0.0, help="Border cell radius."),
    model_dir: Path | None = MODEL,
    rules_only: bool = RULES_ONLY,
    skip_bad_rows: bool = SKIP,
) -> None:
    """Rank cells near the border by suspect traffic, with the legitimate cost of a power cut."""
    model = _model(model_dir, rules_only)
    with _engine(engine) as eng:
        result = run_scan(eng, data, model=model, skip_bad_rows=skip_bad_rows)
        cells = rank_border_cells(eng, result, radius_km=radius_km)
    export.write_rows([c.as_row() for c in cells], BORDER_COLUMNS, output)
    cut = sum(c.recommendation.startswith("lower power") for c in cells)
    typer.echo(f"{len(cells)} border cells ranked, {cut} to lower power → {output}")


@telco_app.command("link")
def link_command(
    data: Path = DATA,
    output_dir: Path = typer.Option(..., "--output-dir", help="Folder for the two lists."),
    engine: str = ENGINE,
    model_dir: Path | None = MODEL,
    rules_only: bool = RULES_ONLY,
    skip_bad_rows: bool = SKIP,
) -> None:
    """Match phone reports with call behaviour: escalations and possible false reports."""
    model = _model(model_dir, rules_only)
    with _engine(engine) as eng:
        result = run_scan(eng, data, model=model, skip_bad_rows=skip_bad_rows)
        links = link_reports(eng, result)
    for verdict, name in (
        ("escalate", "escalations.csv"),
        ("possible_false_report", "possible_false_reports.csv"),
    ):
        chosen = [link.as_row() for link in links if link.verdict == verdict]
        export.write_rows(chosen, LINK_COLUMNS, output_dir / name)
        typer.echo(f"{len(chosen)} {verdict.replace('_', ' ')} → {output_dir / name}")


MEMORY_LIMIT = typer.Option(
    None,
    "--memory-limit",
    help="Cap on DuckDB's memory, e.g. 6GB (it spills to disk beyond); DuckDB's default if unset.",
)


@telco_app.command("train")
def train_command(
    data: Path = DATA,
    model_out: Path = typer.Option(..., "--model-out", help="Folder for the model files."),
    window: str = typer.Option("24h", "--window", help="Sliding window, e.g. 24h."),
    heavy_weight: float = typer.Option(
        1.0, "--heavy-weight", min=1.0, help="Training weight of heavy legitimate callers' rows."
    ),
    sample: float = typer.Option(
        1.0,
        "--sample",
        min=0.001,
        max=1.0,
        help="Share of ordinary SIMs kept for training (all scam SIMs and heavy callers are "
        "kept); below 1 the features are streamed, for long worlds.",
    ),
    memory_limit: str | None = MEMORY_LIMIT,
) -> None:
    """Train the scam-SIM model on a simulated world's truth (LightGBM text model + JSON)."""
    from tatsai.analytics.telco.evaluate import train_on_world

    model = train_on_world(
        data,
        window_h=parse_window(window),
        heavy_weight=heavy_weight,
        sample=sample,
        memory_limit=check_memory_limit(memory_limit),
    )
    model.save(model_out)
    typer.echo(
        f"model trained ({model.meta['positive_rows']} scam rows), "
        f"threshold {model.threshold} → {model_out}"
    )


@telco_app.command("eval")
def eval_command(
    data: Path = DATA,
    model_dir: Path | None = MODEL,
    doc: Path | None = typer.Option(
        None,
        "--doc",
        dir_okay=False,
        help="Rewrite the telco block of this file (docs/evaluation.md).",
    ),
    memory_limit: str | None = MEMORY_LIMIT,
) -> None:
    """Measure the scan against a simulated world's truth, beside the 100-calls baseline."""
    from tatsai.analytics.telco.evaluate import evaluate_world, render_block, write_block

    model = _model(model_dir, False)
    report = evaluate_world(data, model=model, memory_limit=check_memory_limit(memory_limit))
    text = render_block(report, data=data)
    typer.echo(text)
    if doc is not None:
        write_block(doc, text)
        typer.echo(f"→ {doc}")
