"""Reading the LightGBM models the analytics areas ship (telco scam SIMs, money mules)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tatsai.core.errors import InvalidInput

if TYPE_CHECKING:
    import lightgbm as lgb


def model_sha256(text: str) -> str:
    """The checksum saved beside a model text (SHA-256 of its UTF-8), checked when it loads."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def booster_from_text(text: str, unreadable: str, *, sha256: str | None = None) -> lgb.Booster:
    """The booster in a LightGBM model ``text``; :class:`InvalidInput` (field ``model``, message
    ``unreadable``) when it is not one, and nothing else on stdout or stderr.

    ``sha256``, the checksum saved with the model (:func:`model_sha256`), is checked first
    when given: a text damaged or edited after it was saved is refused before LightGBM reads
    it, which is what keeps a tree damaged in place (see below) from reaching LightGBM.
    Models saved before checksums were recorded have none and get only the checks below.

    Checked before LightGBM sees it: the header; that every tree the header's ``tree_sizes``
    points at starts where it says, inside the text; and that the parameters section is
    whole. LightGBM trusts both, so a truncated text made it read past its end and crash the
    process (segmentation fault), not raise. What it still refuses it also prints (a
    ``[LightGBM] [Fatal]`` line on stderr, warnings on stdout): silenced for the load.
    Not caught by these checks, only by the checksum: a tree damaged in place (its size
    intact) aborts the process inside LightGBM 4.7's parallel tree parser."""
    if sha256 is not None and model_sha256(text) != sha256:
        raise InvalidInput(
            f"{unreadable}: its text does not match the checksum saved with it "
            "(damaged or edited since)",
            field="model",
        )
    data = text.encode("utf-8")  # what LightGBM is handed
    if not data.startswith(b"tree\n") or not _trees_where_sizes_say(data):
        raise InvalidInput(unreadable, field="model")
    if not _parameters_whole(data):
        raise InvalidInput(unreadable, field="model")
    import lightgbm as lgb

    try:
        with _native_output_silenced():
            return lgb.Booster(model_str=text)
    except (lgb.basic.LightGBMError, ValueError) as exc:  # ValueError: its JSON last line
        raise InvalidInput(unreadable, field="model") from exc


def _trees_where_sizes_say(data: bytes) -> bool:
    """Whether the tree blocks ``tree_sizes`` (bytes, in order from the first ``Tree=`` line)
    describes each start with ``Tree=`` and all end inside ``data``. Without ``tree_sizes``
    LightGBM reads the trees one after another and needs no such check."""
    first_tree = re.search(rb"^Tree=", data, re.MULTILINE)
    header = data if first_tree is None else data[: first_tree.start()]
    sizes_line = re.search(rb"^tree_sizes=([^\r\n]*)", header, re.MULTILINE)
    if sizes_line is None:
        return True
    sizes = sizes_line.group(1).split()
    if first_tree is None or not sizes or not all(s.isdigit() for s in sizes):
        return False
    at = first_tree.start()
    for size in sizes:
        if not data.startswith(b"Tree=", at):
            return False
        at += int(size)
    return at <= len(data)


_PARAMETER = re.compile(rb"\[[^\]:\n]+: [^\n]*\]")


def _parameters_whole(data: bytes) -> bool:
    """Whether the ``parameters:`` section, when there is one, ends (``end of parameters``)
    and holds only ``[name: value]`` lines: LightGBM reads past a cut one."""
    lines = data.split(b"\n")
    if b"parameters:" not in lines:
        return True
    start = lines.index(b"parameters:") + 1
    if b"end of parameters" not in lines[start:]:
        return False
    end = lines.index(b"end of parameters", start)
    return all(_PARAMETER.fullmatch(line) for line in lines[start:end] if line)


@contextlib.contextmanager
def _native_output_silenced() -> Iterator[None]:
    """Discard what LightGBM writes while the block runs: its C++ code prints errors straight
    to file descriptor 2, whatever its ``verbosity``, and routes warnings to Python's stdout
    through a callback. Process-wide for the block (a model load: milliseconds), so only for
    the commands that load a model, never around a server's requests."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
