"""The ``tatsai`` command's shared behaviour: a folder given where a file is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tatsai.cli import main

# Each command with the output option that gets the folder (other options just enough to
# reach it: the folder is refused while the command line is read, before any work).
OUTPUT_FILES = [
    ("--output", ["screen", "--input", "{file}"]),
    ("--output", ["indicators", "export", "--format", "stix"]),
    ("--rejects", ["reports", "import", "{file}"]),
    ("--output", ["telco", "scan", "--data", "{folder}"]),
    ("--holders", ["telco", "scan", "--data", "{folder}", "--output", "{file}"]),
    ("--output", ["telco", "border", "--data", "{folder}"]),
    ("--doc", ["telco", "eval"]),
    ("--freeze", ["money", "trace", "--transfers", "{file}", "--account", "004-1"]),
    ("--model", ["money", "train", "--transfers", "{file}", "--labels", "{file}"]),
    ("--rings", ["money", "score", "--transfers", "{file}", "--model", "{file}", "--output", "o"]),
    ("--doc", ["money", "eval"]),
]


@pytest.mark.parametrize(("option", "args"), OUTPUT_FILES, ids=lambda v: str(v))
def test_a_folder_given_as_an_output_file_is_named_by_its_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, args: list[str]
) -> None:
    (tmp_path / "in.csv").write_text("text\nhello\n", encoding="utf-8")
    given = {"file": str(tmp_path / "in.csv"), "folder": str(tmp_path)}
    with pytest.raises(SystemExit) as done:
        main([a.format(**given) for a in args] + [option, str(tmp_path)])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert err.startswith(f"error: Invalid value for '{option}'"), err
    assert err.endswith(f"'{tmp_path}' is a directory.\n")
    assert err.count("\n") == 1
