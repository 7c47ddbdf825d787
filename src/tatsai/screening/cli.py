"""``tatsai screen`` (firewall mode, ``train``, ``eval``) and ``tatsai url-check``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from tatsai.core.errors import InvalidInput

screen_app = typer.Typer(
    help="Screen Thai/English messages for scams: firewall mode, training, evaluation.",
    no_args_is_help=False,
    invoke_without_command=True,
)


@screen_app.callback(invoke_without_command=True)
def screen_command(
    ctx: typer.Context,
    input_path: Path | None = typer.Option(
        None, "--input", "-i", help="CSV with a 'text' column, or JSONL with a 'text' field."
    ),
    output_path: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        dir_okay=False,
        help="Where to write the input plus verdict/score/category/reasons.",
    ),
    text: str | None = typer.Option(None, "--text", "-t", help="Screen one message and print it."),
) -> None:
    """Firewall mode: screen every message of --input into --output, in constant memory."""
    if ctx.invoked_subcommand is not None:
        return
    if text is not None:
        if not text.strip():
            raise InvalidInput("no text given", field="text")  # as `tatsai extract` and url-check
        from dataclasses import asdict

        from tatsai.screening.service import screen_text

        result = asdict(screen_text(text))
        result["urls"] = [{"url": u["url"], "score": u["score"], "verdict": u["verdict"],
                           "reasons": u["reasons"]} for u in result["urls"]]  # fmt: skip
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if input_path is None or output_path is None:
        raise InvalidInput("give --input FILE and --output FILE (or --text MESSAGE)", field="input")
    if not input_path.exists():
        raise InvalidInput(f"no such file: {input_path}", field="input")
    if input_path.is_dir():
        raise InvalidInput(f"{input_path} is a folder; give a CSV or JSONL file", field="input")
    from tatsai.screening.firewall import screen_file

    started = time.perf_counter()
    summary = screen_file(input_path, output_path)
    seconds = time.perf_counter() - started
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(summary.verdicts.items()))
    typer.echo(f"screened {summary.rows} rows in {seconds:.1f} s → {output_path} ({verdicts})")
    if summary.malformed_lines:
        shown = ", ".join(str(n) for n in summary.malformed_lines[:20])
        more = len(summary.malformed_lines) - 20
        typer.echo(
            f"malformed rows at lines {shown}" + (f" and {more} more" if more > 0 else ""),
            err=True,
        )


@screen_app.command("train")
def train_command(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="The shared datasets folder (default ../shared/data)."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Model folder (default: the packaged model, overwritten)."
    ),
) -> None:
    """Rebuild the shipped model from the licensed datasets (fixed seeds: reproducible)."""
    from tatsai.screening import data
    from tatsai.screening.model import shipped_model_dir
    from tatsai.screening.train import train_model

    directory = data_dir or data.default_data_dir()
    examples = data.training_set(directory)
    sources: dict[str, int] = {}
    for example in examples:
        sources[example.source] = sources.get(example.source, 0) + 1
    typer.echo(f"training on {len(examples)} messages from {directory}: {sources}")
    model = train_model(examples, sources=sources)
    target = output or shipped_model_dir()
    model.save(target)
    typer.echo(
        f"saved {target} (C {model.metadata['c']:g}, scam threshold "
        f"{model.metadata['scam_threshold']:.3f}, {model.metadata['train_seconds']} s)"
    )


@screen_app.command("eval")
def eval_command(
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Default ../shared/data."),
    docs: Path = typer.Option(
        Path("docs/evaluation.md"),
        "--docs",
        dir_okay=False,
        help="Markdown file whose screening block is rewritten.",
    ),
) -> None:
    """Measure the model and the plain baseline side by side; write docs/evaluation.md."""
    from tatsai.screening import data
    from tatsai.screening.evaluate import run_evaluation

    report = run_evaluation(data_dir or data.default_data_dir(), docs)
    typer.echo(report)


def url_check_command(
    url: str = typer.Argument(..., help="The URL or domain to check."),
) -> None:
    """Say how risky URL looks (lookalike of a Thai brand or official domain) and why."""
    from tatsai.screening.urlrisk import assess

    if not url.strip():
        raise InvalidInput("no URL given", field="URL")
    risk = assess(url)
    typer.echo(f"{risk.verdict} (risk {risk.score:.2f}) {risk.host or url}")
    if risk.registrable_domain:
        typer.echo(f"  registrable domain: {risk.registrable_domain}")
    if risk.brand:
        typer.echo(f"  imitates: {risk.brand}")
    for reason in risk.reasons:
        typer.echo(f"  - {reason}")
    sys.stdout.flush()
