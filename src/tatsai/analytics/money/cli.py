"""``tatsai money …``: trace victims' money, train and score the mule model, evaluate."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import pyarrow.csv as pacsv
import typer

from tatsai.analytics.engine import AnalyticsEngine, EngineName, open_engine
from tatsai.analytics.money import export
from tatsai.analytics.money.features import account_features
from tatsai.analytics.money.io import LoadReport, load_accounts, load_transfers
from tatsai.analytics.money.model import MuleModel, train
from tatsai.analytics.money.rings import rings_in_process, rings_on_engine, suspicious_edges
from tatsai.analytics.money.service import (
    label_vector,
    read_known_mules,
    read_labels,
    score_accounts,
)
from tatsai.analytics.money.trace import (
    ATTRIBUTIONS,
    EARMARK_CUTS,
    EARMARK_DELAY_S,
    EARMARK_PAUSE_S,
    EARMARK_RUN,
    EARMARK_SKIP,
    EARMARK_TOLERANCE,
    Attribution,
    EarmarkCut,
    TransferIndex,
    trace,
)
from tatsai.core.errors import InvalidInput

money_app = typer.Typer(help="Money trail and mule accounts: trace, train, score.")

ENGINE = typer.Option("duckdb", "--engine", help="duckdb (default) or spark.")
SKIP = typer.Option(
    False, "--skip-bad-rows", help="Leave bad rows out (and list them), don't fail."
)
LAYOUT = typer.Option(
    "canonical", "--layout", help="canonical (txn_id,ts,src_account,…) or amlsim."
)
ACCOUNTS = typer.Option(
    None, "--accounts", help="Canonical accounts table: checks unknown accounts."
)


def parse_window(text: str, field: str = "window") -> int:
    """``72h``, ``3d``, ``90m`` → seconds (1 minute to 30 days)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", text.lower())
    if not match:
        raise InvalidInput(f"{field} {text!r}: use e.g. 90m, 72h or 3d", field=field)
    seconds = int(match.group(1)) * {"m": 60, "h": 3600, "d": 86400}[match.group(2)]
    if not 60 <= seconds <= 30 * 86400:
        raise InvalidInput(f"{field} must be between 1m and 30d", field=field)
    return seconds


def _engine(name: str) -> AnalyticsEngine:
    if name not in ("duckdb", "spark"):
        raise InvalidInput(f"unknown engine {name!r}; use duckdb or spark", field="engine")
    engine_name: EngineName = "spark" if name == "spark" else "duckdb"
    return open_engine(engine_name)


def _load(path: Path, layout: str, accounts: Path | None, skip: bool):  # type: ignore[no-untyped-def]
    report = LoadReport()
    table = load_transfers(
        path,
        layout=layout,
        accounts=load_accounts(accounts) if accounts else None,
        skip_bad_rows=skip,
        report=report,
    )
    for bad in report.bad_rows[:20]:
        typer.echo(f"skipped {path} {bad.line()}", err=True)
    if len(report.bad_rows) > 20:
        typer.echo(f"… and {len(report.bad_rows) - 20} more bad rows", err=True)
    if report.rows_skipped_generic:
        typer.echo(f"skipped {report.rows_skipped_generic} malformed rows in {path}", err=True)
    return table


@money_app.command("trace")
def trace_command(
    transfers: Path = typer.Option(
        ..., "--transfers", help="Transfers (CSV/Parquet file or folder)."
    ),
    txn: str | None = typer.Option(None, "--txn", help="Trace from this transfer."),
    account: str | None = typer.Option(
        None, "--account", help="Trace all money this account sent."
    ),
    hops: int = typer.Option(5, "--hops", min=1, max=20, help="Transfers to follow at most."),
    window: str = typer.Option("72h", "--window", help="How long after the start (e.g. 72h)."),
    attribution: str = typer.Option(
        "fifo",
        "--attribution",
        help="Which money leaves a mixed account first: fifo (oldest first; proportional "
        "where the balance is unknown), libr (lowest intermediate balance rule: the "
        "holder's own money first) or earmark (an incoming transfer pays the first later "
        "outflow of about its amount, or a run of outflows that adds up to it; fifo "
        "otherwise).",
    ),
    earmark_tolerance: float = typer.Option(
        EARMARK_TOLERANCE,
        "--earmark-tolerance",
        help="earmark: how much less than the incoming amount a matching outflow may be "
        "(a share: 0.05 = 5 %, for fees and cuts).",
    ),
    earmark_delay: str = typer.Option(
        f"{EARMARK_DELAY_S // 3600}h",
        "--earmark-delay",
        help="earmark: how long after the incoming transfer a matching outflow may leave.",
    ),
    earmark_run: int = typer.Option(
        EARMARK_RUN,
        "--earmark-run",
        min=1,
        max=16,
        help="earmark: when no single outflow matches, an incoming transfer may pay a run of "
        "up to this many consecutive unmatched outflows whose sum matches (a fan-out); "
        "1 = single outflows only. The default was checked on the training world.",
    ),
    earmark_skip: int = typer.Option(
        EARMARK_SKIP,
        "--earmark-skip",
        min=0,
        max=8,
        help="earmark runs: when no single outflow or consecutive run matches, how many "
        "other unmatched outflows may leave between a run's first and last (0 = "
        "consecutive runs only).",
    ),
    earmark_pause: str = typer.Option(
        f"{EARMARK_PAUSE_S // 60}m",
        "--earmark-pause",
        help="earmark runs: runs whose parts each leave within this pause of the one before "
        "(in one go: a fan-out, a cash-out in pieces) come before runs spread out.",
    ),
    earmark_cut: str = typer.Option(
        "mix",
        "--earmark-cut",
        help="earmark: what is left of a matched transfer after its outflows leave (the "
        "mule's cut): mix (becomes ordinary money of the account) or keep (stays on the "
        "account: the holder's other payments do not take it).",
    ),
    earmark_ahead: bool = typer.Option(
        True,
        "--earmark-ahead/--no-earmark-ahead",
        help="earmark: a match with an outflow whose receiver does not pass the money on "
        "(no outflow or run of about its amount on the receiver's statement within the "
        "delay) gives way to one whose receivers all do (a gang's forward before a "
        "holder's own payment).",
    ),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="Write the JSON trail here."
    ),
    ftm_out: Path | None = typer.Option(
        None, "--ftm", dir_okay=False, help="Write FollowTheMoney entities (JSON lines)."
    ),
    graphml: Path | None = typer.Option(
        None, "--graphml", dir_okay=False, help="Write the trail as GraphML."
    ),
    freeze: Path | None = typer.Option(
        None, "--freeze", dir_okay=False, help="Write freeze requests per bank (CSV)."
    ),
    layout: str = LAYOUT,
    accounts: Path | None = ACCOUNTS,
    skip_bad_rows: bool = SKIP,
) -> None:
    """Follow money forward from a transfer or an account; print the trail as JSON."""
    if attribution not in ATTRIBUTIONS:
        raise InvalidInput(
            f"--attribution must be one of {', '.join(ATTRIBUTIONS)}", field="attribution"
        )
    if not 0 <= earmark_tolerance < 1:
        raise InvalidInput("--earmark-tolerance must be in [0, 1)", field="earmark_tolerance")
    if earmark_cut not in EARMARK_CUTS:
        raise InvalidInput(
            f"--earmark-cut must be one of {', '.join(EARMARK_CUTS)}", field="earmark_cut"
        )
    delay_s = parse_window(earmark_delay, "earmark_delay")
    table = _load(transfers, layout, accounts, skip_bad_rows)
    trail = trace(
        TransferIndex(table),
        txn=txn,
        account=account,
        hops=hops,
        window_s=parse_window(window),
        attribution=cast(Attribution, attribution),  # checked above
        earmark_tolerance=earmark_tolerance,
        earmark_delay_s=delay_s,
        earmark_run=earmark_run,
        earmark_cut=cast(EarmarkCut, earmark_cut),  # checked above
        earmark_skip=earmark_skip,
        earmark_pause_s=parse_window(earmark_pause, "earmark_pause"),
        earmark_ahead=earmark_ahead,
    )
    data = export.trail_json(trail)
    if ftm_out is not None:
        ftm_out.write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in export.trail_ftm(trail)),
            encoding="utf-8",
        )
    if graphml is not None:
        export.trail_graphml(trail, graphml)
    if freeze is not None:
        export.write_csv(
            freeze, export.FREEZE_COLUMNS, export.freeze_rows(trail, None, reference=trail.start)
        )
    if output is not None:
        export.write_json(output, data)
    else:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@money_app.command("train")
def train_command(
    transfers: list[Path] = typer.Option(..., "--transfers", help="Transfers (repeat per set)."),
    labels: list[Path] = typer.Option(..., "--labels", help="account_id,is_mule (one per set)."),
    model: Path = typer.Option(
        ..., "--model", dir_okay=False, help="Where to write the model (+ .json sidecar)."
    ),
    layout: str = LAYOUT,
    engine: str = ENGINE,
    skip_bad_rows: bool = SKIP,
) -> None:
    """Train the mule model on one or more labelled transfer sets."""
    if len(transfers) != len(labels):
        raise InvalidInput("give one --labels per --transfers", field="labels")
    feats, ys = [], []
    with _engine(engine) as eng:
        for tpath, lpath in zip(transfers, labels, strict=True):
            f = account_features(eng, _load(tpath, layout, None, skip_bad_rows))
            feats.append(f)
            ys.append(label_vector(f, read_labels(lpath)))
    trained = train(feats, ys)
    trained.save(model)
    typer.echo(
        f"model written to {model} ({trained.facts['rows']} accounts, "
        f"{trained.facts['positives']} mules, out-of-fold F1 {trained.facts['oof_f1']}, "
        f"threshold {trained.threshold:.3f})"
    )


@money_app.command("score")
def score_command(
    transfers: Path = typer.Option(..., "--transfers", help="Transfers (CSV/Parquet)."),
    model: Path = typer.Option(..., "--model", help="A model written by `tatsai money train`."),
    output: Path = typer.Option(
        ..., "--output", dir_okay=False, help="CSV: account_id,score,is_mule,reasons."
    ),
    evidence: Path | None = typer.Option(
        None, "--evidence", dir_okay=False, help="Registry evidence CSV."
    ),
    freeze: Path | None = typer.Option(
        None, "--freeze", dir_okay=False, help="Freeze requests per bank (CSV)."
    ),
    reference: str = typer.Option("money-score", "--reference", help="Reference on evidence."),
    known_mules: Path | None = typer.Option(
        None, "--known-mules", help="Accounts known as mules: one id a line, or CSV account_id."
    ),
    rings: Path | None = typer.Option(
        None, "--rings", dir_okay=False, help="Write mule rings (CSV account_id,ring_id,ring_size)."
    ),
    layout: str = LAYOUT,
    accounts: Path | None = ACCOUNTS,
    engine: str = ENGINE,
    skip_bad_rows: bool = SKIP,
) -> None:
    """Score every account seen in the transfers with the mule model."""
    mule_model = MuleModel.load(model)
    table = _load(transfers, layout, accounts, skip_bad_rows)
    seeds = read_known_mules(known_mules) if known_mules is not None else None
    with _engine(engine) as eng:
        scores = score_accounts(eng, table, mule_model, known_mules=seeds)
        if rings is not None:
            flagged = [
                a
                for a, f in zip(
                    scores.column("account_id").to_pylist(),
                    scores.column("is_mule").to_pylist(),
                    strict=True,
                )
                if f
            ]
            edges = suspicious_edges(table, flagged)
            found = rings_on_engine(eng, edges) if engine == "spark" else rings_in_process(edges)
            rings.parent.mkdir(parents=True, exist_ok=True)
            pacsv.write_csv(found, rings)
            n_rings = len(set(found.column("ring_id").to_pylist()))
            typer.echo(f"{n_rings} rings ({found.num_rows} accounts) → {rings}")
    output.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(scores, output)
    if evidence is not None:
        export.write_csv(
            evidence, export.EVIDENCE_COLUMNS, export.evidence_rows(scores, reference=reference)
        )
    if freeze is not None:
        export.write_csv(
            freeze, export.FREEZE_COLUMNS, export.freeze_rows(None, scores, reference=reference)
        )
    flagged = sum(scores.column("is_mule").to_pylist())
    typer.echo(f"{scores.num_rows} accounts scored, {flagged} flagged as mules → {output}")


@money_app.command("eval")
def eval_command(
    amlsim: Path = typer.Option(
        Path("../shared/data/amlsim_ibm_20k_samples"), "--amlsim", help="AMLSim samples folder."
    ),
    doc: Path = typer.Option(
        Path("docs/evaluation.md"), "--doc", dir_okay=False, help="Write the results here."
    ),
    engine: str = ENGINE,
    train_world: Path | None = typer.Option(
        None, "--train-world", help="Simulated world to train on (with --test-world)."
    ),
    test_world: Path | None = typer.Option(
        None, "--test-world", help="Simulated world (another seed) to score and trace."
    ),
) -> None:
    """Measure the mule model (and the baseline) on AMLSim; rewrite the money block of --doc.

    With --train-world and --test-world, also the simulator targets: mules found in the test
    world by a model trained on the other, and how much of each victim's money traces recover.
    """
    from tatsai.analytics.money import evaluate as ev

    if not amlsim.exists():
        raise InvalidInput(f"{amlsim} does not exist", field="amlsim")
    if (train_world is None) != (test_world is None):
        raise InvalidInput("give both --train-world and --test-world, or neither", field="world")
    for name, folder in (("train_world", train_world), ("test_world", test_world)):
        if folder is not None and not folder.is_dir():
            raise InvalidInput(f"{folder} is not a folder", field=name)
    engine_name: EngineName = "spark" if engine == "spark" else "duckdb"
    results = ev.evaluate_amlsim(amlsim, engine_name=engine_name)
    command = f"tatsai money eval --amlsim {amlsim} --doc {doc}"
    world_lines = None
    if train_world is not None and test_world is not None:
        world = ev.evaluate_worlds(train_world, test_world)
        world_lines = ev.render_world(world, train_world, test_world)
        command += f" --train-world {train_world} --test-world {test_world}"
        for r in world.models:
            typer.echo(
                f"world, {r.name}: precision {r.precision:.3f} recall {r.recall:.3f} F1 {r.f1:.3f}"
            )
        typer.echo(
            f"world traces: {float((world.recovered >= 0.95).mean()):.1%} of victim transfers "
            f"recover ≥ 95 %, by amount {world.recovered_amount:.3f} (FIFO)"
        )
        for rule in ("libr", "earmark"):
            got = world.traces[rule]
            typer.echo(
                f"world traces: {float((got.recovered >= 0.95).mean()):.1%} of victim "
                f"transfers recover ≥ 95 %, by amount {got.recovered_amount:.3f} ({rule})"
            )
    diagnosis = ev.diagnose(amlsim, engine_name=engine_name)
    ev.write_block(doc, ev.render(results, command, diagnosis, world_lines))
    for r in results:
        typer.echo(f"{r.name}: precision {r.precision:.3f} recall {r.recall:.3f} F1 {r.f1:.3f}")


@money_app.command("eval-traces")
def eval_traces_command(
    world: Path = typer.Option(..., "--world", help="Simulated world (transfers and truth)."),
    rules: str = typer.Option(
        "fifo,libr,earmark,earmark-run,earmark-keep",
        "--rules",
        help="Comma-separated rules to measure.",
    ),
    earmark_run: int = typer.Option(
        EARMARK_RUN,
        "--earmark-run",
        min=2,
        max=16,
        help="earmark-run, earmark-keep: most outflows in a run.",
    ),
    earmark_skip: int = typer.Option(
        EARMARK_SKIP,
        "--earmark-skip",
        min=0,
        max=8,
        help="earmark-run, earmark-keep: when nothing else matches, most other outflows "
        "between a run's first and last.",
    ),
) -> None:
    """Trace every victim transfer of one world (5 hops / 72 h) under each rule; print how
    much of each victim's money reaches the receiving gang (Markdown rows, like `eval`)."""
    from tatsai.analytics.money import evaluate as ev

    names = [r.strip() for r in rules.split(",") if r.strip()]
    unknown = [r for r in names if r not in ev.TRACE_RULES]
    if unknown or not names:
        raise InvalidInput(f"--rules: use some of {', '.join(ev.TRACE_RULES)}", field="rules")
    if not world.is_dir():
        raise InvalidInput(f"{world} is not a folder", field="world")
    transfers, gang_of, victims = ev.load_world(world)
    index = TransferIndex(transfers)
    traces = {}
    for name in names:
        rule, run, cut = ev.TRACE_RULES[name]
        run = earmark_run if name in ("earmark-run", "earmark-keep") else run
        traces[name] = ev.trace_recovery(
            transfers, gang_of, victims, rule, index, run, cut, earmark_skip
        )
    typer.echo(
        f"{world}: {len(victims):,} victim transfers; earmark run ≤ {earmark_run}, "
        f"skipping ≤ {earmark_skip}"
    )
    typer.echo(
        "| attribution | victim transfers | recovered ≥ 95 % | median share | "
        "5th percentile | lowest | by amount |"
    )
    typer.echo("|---|---|---|---|---|---|---|")
    for line in ev.recovery_rows(traces, earmark_run):
        typer.echo(line)
