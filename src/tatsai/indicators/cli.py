"""``tatsai extract``: indicators found in free text, as JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import typer

from tatsai.core.errors import InvalidInput
from tatsai.indicators.extract import extract_indicators


def extract_command(
    text: str = typer.Argument(..., help="Free text, or - to read standard input."),
) -> None:
    """Print the typed, normalized indicators found in TEXT as JSON."""
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise InvalidInput("no text given", field="TEXT")
    found = extract_indicators(text)
    typer.echo(json.dumps([asdict(f) for f in found], ensure_ascii=False, indent=2))
