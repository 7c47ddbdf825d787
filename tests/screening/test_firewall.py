from __future__ import annotations

import csv
import json
from pathlib import Path

from tatsai.screening.firewall import screen_file


def test_csv_keeps_columns_and_reports_malformed_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,sender\n"
        "1,เว็บตรง สล็อต แจกเครดิตฟรี 100 คลิก https://lin.ee/abc,BET\n"
        "2,รหัส OTP ของท่านคือ 482913,BANK\n"
        "3,too,many,fields,here\n"
        "4,,EMPTY\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.csv"
    summary = screen_file(source, target)
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert set(rows[0]) == {"id", "text", "sender", "verdict", "score", "category", "reasons"}
    assert rows[0]["sender"] == "BET"
    assert rows[2]["verdict"] == "unknown"
    assert "line 4" in rows[2]["reasons"]
    assert rows[3]["verdict"] == "unknown"
    assert summary.malformed_lines == [4]
    assert summary.rows == 4


def test_jsonl_with_bad_lines_and_binary_garbage(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("wb") as handle:
        handle.write(json.dumps({"id": 1, "text": "see you at 5"}).encode() + b"\n")
        handle.write(b"{not json\n")
        handle.write(json.dumps({"id": 3, "body": "no text field"}).encode() + b"\n")
        handle.write(b'{"id": 4, "text": "\xff\xfe\xfd\xfc\xfb\xfa"}\n')
    target = tmp_path / "out.jsonl"
    summary = screen_file(source, target)
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4
    assert rows[0]["id"] == 1
    assert rows[0]["verdict"] in {"ham", "spam", "scam"}
    assert rows[1]["verdict"] == "unknown"
    assert rows[1]["line"] == 2
    assert rows[2]["verdict"] == "unknown"
    assert rows[2]["id"] == 3
    assert rows[3]["verdict"] == "unknown"
    assert summary.malformed_lines == [2, 3]


def test_csv_rows_the_csv_module_refuses_are_reported_not_fatal(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f'id,text\n1,"stray"quote\n2,"{"ก" * 200_000}"\n3,"สวัสดีครับ\nพรุ่งนี้เจอกัน"\n4,"never closed\n',
        encoding="utf-8",
    )
    target = tmp_path / "out.csv"
    summary = screen_file(source, target)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["verdict"] for r in rows] == ["unknown", "unknown", "ham", "unknown"]
    assert rows[2]["id"] == "3"
    assert rows[0]["reasons"].startswith("malformed row (line 2: ")
    assert "line 3: a field is longer than 131,072 characters" in rows[1]["reasons"]
    assert "line 6: a quoted field is not closed" in rows[3]["reasons"]
    assert summary.malformed_lines == [2, 3, 6]
