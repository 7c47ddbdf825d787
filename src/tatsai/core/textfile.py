"""Users' text files are UTF-8; one that is not is bad input naming the option, line and byte."""

from __future__ import annotations

from pathlib import Path

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
