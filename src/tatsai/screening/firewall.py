"""Firewall mode: screen a CSV or JSONL file of any size in constant memory.

Input: CSV with a header that has a ``text`` column, or JSON Lines whose objects have a ``text``
field (chosen by the file extension ``.csv`` / ``.jsonl`` / ``.ndjson``, else sniffed from the
first character). Output: the same format, every input column kept, plus ``verdict``, ``score``,
``category`` and ``reasons`` (reasons joined by `` | `` in CSV, a list in JSONL).

Rows are read and written in chunks of :data:`CHUNK` so memory does not grow with the file.
A malformed row (CSV: wrong number of fields, a stray or unclosed quote, an oversized field;
JSONL: not a JSON object, or no string ``text``) is written with verdict ``unknown`` and a
reason naming the line it starts on, and that line number is reported in the summary.
Undecodable bytes are replaced (U+FFFD), which screening then reports as unreadable rather
than crashing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tatsai.core.errors import InvalidInput
from tatsai.core.textfile import csv_records
from tatsai.screening.service import LookupFn, ScreenResult, screen_texts

CHUNK = 2000
OUTPUT_FIELDS = ("verdict", "score", "category", "reasons")


@dataclass
class FirewallSummary:
    rows: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    malformed_lines: list[int] = field(default_factory=list)

    def count(self, verdict: str) -> None:
        self.rows += 1
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1


@dataclass
class _Row:
    line: int
    fields: dict[str, Any]
    text: str | None
    problem: str | None = None


def _detect_format(path: Path, handle: IO[str]) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    first = handle.read(1)
    handle.seek(0)
    return "jsonl" if first == "{" else "csv"


def _csv_rows(handle: IO[str]) -> tuple[list[str], Iterator[_Row]]:
    records = csv_records(handle)
    first = next(records, None)
    if first is None:
        raise InvalidInput("input CSV is empty (no header)", field="input")
    _, header, problem = first
    if header is None:
        raise InvalidInput(f"input CSV header: {problem}", field="input")
    if "text" not in header:
        raise InvalidInput(f"input CSV has no 'text' column (columns: {header})", field="input")
    position = header.index("text")

    def rows() -> Iterator[_Row]:
        for line, record, refused in records:
            if record is None:
                yield _Row(line, {}, None, f"line {line}: {refused}")
                continue
            fields = dict(zip(header, record, strict=False))
            if len(record) != len(header):
                problem = f"line {line}: {len(record)} fields, header has {len(header)}"
                yield _Row(line, fields, None, problem)
            else:
                yield _Row(line, fields, record[position])

    return header, rows()


def _jsonl_rows(handle: IO[str]) -> Iterator[_Row]:
    for line, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield _Row(line, {}, None, f"line {line}: not JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            yield _Row(line, {}, None, f"line {line}: not a JSON object")
        elif not isinstance(value.get("text"), str):
            yield _Row(line, value, None, f"line {line}: no string 'text' field")
        else:
            yield _Row(line, value, value["text"])


def _chunks(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _screen_chunk(chunk: list[_Row], lookup_fn: LookupFn | None) -> list[ScreenResult]:
    good = [row for row in chunk if row.text is not None]
    screened = iter(screen_texts([row.text or "" for row in good], lookup_fn=lookup_fn))
    results: list[ScreenResult] = []
    for row in chunk:
        if row.text is None:
            results.append(ScreenResult("unknown", 0.0, None, [f"malformed row ({row.problem})"]))
        else:
            results.append(next(screened))
    return results


def screen_file(
    input_path: Path, output_path: Path, *, lookup_fn: LookupFn | None = None
) -> FirewallSummary:
    """Screen ``input_path`` into ``output_path`` (see the module docstring)."""
    summary = FirewallSummary()
    with (
        input_path.open(encoding="utf-8", errors="replace", newline="") as source,
        output_path.open("w", encoding="utf-8", newline="") as sink,
    ):
        kind = _detect_format(input_path, source)
        if kind == "csv":
            header, rows = _csv_rows(source)
            extra = [f for f in OUTPUT_FIELDS if f not in header]
            writer = csv.writer(sink)
            writer.writerow(header + extra)
        else:
            rows = _jsonl_rows(source)
        for chunk in _chunks(rows):
            for row, result in zip(chunk, _screen_chunk(chunk, lookup_fn), strict=True):
                summary.count(result.verdict)
                if row.problem is not None:
                    summary.malformed_lines.append(row.line)
                added = {
                    "verdict": result.verdict,
                    "score": result.score,
                    "category": result.category or "",
                    "reasons": result.reasons,
                }
                if kind == "csv":
                    fields = {**row.fields, **added, "reasons": " | ".join(result.reasons)}
                    writer.writerow([fields.get(name, "") for name in header + extra])
                else:
                    record = {**row.fields, **added}
                    if row.problem is not None and not row.fields:
                        record["line"] = row.line
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return summary
