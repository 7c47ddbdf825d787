"""``tatsai extract``: indicators found in free text, as JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import typer

from tatsai.core.errors import InvalidInput
from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.types import get_type


def extract_command(
    text: str = typer.Argument(..., help="Free text, or - to read standard input."),
    types: list[str] | None = typer.Option(
        None,
        "--type",
        "-t",
        help="Only indicators of this type (repeatable): phone, url, bank_account, …",
    ),
) -> None:
    """Print the typed, normalized indicators found in TEXT as JSON.

    Each item has type, value (normalized), raw (as written), start and end (character offsets).
    """
    wanted = {get_type(name).name for name in types or []}
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise InvalidInput("no text given", field="TEXT")
    found = [f for f in extract_indicators(text) if not wanted or f.type in wanted]
    typer.echo(json.dumps([asdict(f) for f in found], ensure_ascii=False, indent=2))
