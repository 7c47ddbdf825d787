"""A text file that is not UTF-8 is one error naming the option, the line and the byte."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tatsai.core.errors import InvalidInput
from tatsai.core.textfile import csv_records, not_utf8, read_utf8


def test_utf8_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("ยินดีด้วย\nline 2\n", encoding="utf-8")
    assert read_utf8(path, field="input") == "ยินดีด้วย\nline 2\n"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            b"\xff\xfeU\x00T\x00F\x00-\x001\x006\x00",
            "line 1: not UTF-8 text (byte 0xff at offset 0)",
        ),
        (
            "a,b\nok,ยินดี\n".encode() + b"x,\xe0\xb8\n",
            "line 3: not UTF-8 text (byte 0xe0 at offset 25)",
        ),
        ("ยินดี".encode("tis-620"), "line 1: not UTF-8 text (byte 0xc2 at offset 0)"),
    ],
)
def test_not_utf8_names_field_line_and_byte(tmp_path: Path, content: bytes, where: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as info:
        read_utf8(path, field="input")
    assert info.value.field == "input"
    assert info.value.detail == f"{path} {where}; save it as UTF-8"


def test_not_utf8_without_the_file_still_names_it(tmp_path: Path) -> None:
    gone = not_utf8(tmp_path / "gone.csv", field="input")
    assert gone.detail == f"{tmp_path / 'gone.csv'}: not UTF-8 text; save it as UTF-8"


def test_csv_records_start_lines_and_refused_records(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,text\n"
        '1,"two\nlines"\n'  # lines 2-3: one record
        "\n"  # blank: skipped
        '2,"stray"quote\n'  # line 5: refused, reading goes on
        f'3,"{"x" * 200_000}"\n'  # line 6: over the csv module's field limit
        "4,after\n"
        '5,"never closed\n'
        "6,swallowed\n",
        encoding="utf-8",
    )
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv_records(handle))
    assert [(line, fields) for line, fields, _ in records] == [
        (1, ["id", "text"]),
        (2, ["1", "two\nlines"]),
        (5, None),
        (6, None),
        (7, ["4", "after"]),
        (8, None),
    ]
    assert records[2][2] == "',' expected after '\"'"
    assert records[3][2] == "a field is longer than 131,072 characters"
    assert records[5][2] == "a quoted field is not closed before the end of the file"


def test_csv_records_refuse_long_fields_whatever_the_csv_module_allows(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f'a,b\n1,"{"x" * 200_000}"\n2,ok\n', encoding="utf-8")
    saved = csv.field_size_limit(1 << 30)  # as a library imported elsewhere may set it
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv_records(handle))
    finally:
        csv.field_size_limit(saved)
    assert records[1] == (2, None, "a field is longer than 131,072 characters")
    assert records[2] == (3, ["2", "ok"], None)
