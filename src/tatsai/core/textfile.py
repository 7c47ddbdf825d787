"""Users' text files: UTF-8 (one that is not is bad input naming the option, line and byte),
and CSV read record by record with the line each record starts on."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tatsai.core.errors import InvalidInput

# In the message of Arrow's CSV reader refusing text that is not UTF-8.
ARROW_NOT_UTF8 = "invalid UTF8"


def read_utf8(path: Path, *, field: str) -> str:
    """The text of ``path``; :func:`not_utf8` when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, field=field) from exc


def not_utf8(path: Path, *, field: str) -> InvalidInput:
    """The error for ``path`` (given as ``field``) not being UTF-8 text, naming the 1-based
    line and the 0-based byte offset in the file of the first byte that is not. The file is
    read again, a line at a time, on this error path only; a newline byte is never part of
    a UTF-8 sequence, so lines can be decoded one by one."""
    where = detail = ""
    try:
        with path.open("rb") as handle:
            offset = 0
            for number, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    where = f" line {number}"
                    detail = f" (byte 0x{raw[exc.start]:02x} at offset {offset + exc.start})"
                    break
                offset += len(raw)
    except OSError:
        pass  # unreadable now: say what is known
    return InvalidInput(f"{path}{where}: not UTF-8 text{detail}; save it as UTF-8", field=field)


MAX_CSV_FIELD = 131_072
"""The longest CSV field read (the csv module's default limit). The module's limit is
process-wide and other libraries raise it on import, so records are checked here as well:
the answer does not depend on what else the process has imported."""


def csv_records(handle: IO[str]) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """``(line, fields, None)`` for each record of the CSV text in ``handle`` (opened with
    ``newline=""``), ``line`` being the line it starts on (a quoted field may span lines);
    blank lines are skipped. A record the csv module refuses (a stray quote, a quoted field
    still open at the end of the file) or with a field over :data:`MAX_CSV_FIELD` characters
    is ``(line, None, why)`` rather than an exception or a record merged with its
    neighbours; reading goes on at the next line."""
    too_long = f"a field is longer than {MAX_CSV_FIELD:,} characters"
    reader = csv.reader(handle, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = str(exc)
            if why == "unexpected end of data":
                why = "a quoted field is not closed before the end of the file"
            elif why.startswith("field larger than field limit"):
                why = too_long
            yield start, None, why
            continue
        if any(len(value) > MAX_CSV_FIELD for value in record):
            yield start, None, too_long
        elif record:
            yield start, record, None
