"""``tatsai extract`` as a user runs it: a real process, JSON out.

Each process start imports the whole command (every context), so the tests share processes.
"""

from __future__ import annotations

import json

from tests.orgs.test_cli import tatsai

DONE_WHEN = "โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือกด bit . ly/abc โอนเข้า กสิกร 123-4-56789-0"


def test_the_done_when_message() -> None:
    result = tatsai("extract", DONE_WHEN)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(f["type"], f["value"]) for f in found] == [
        ("phone", "+66812345678"),
        ("url", "http://bit.ly/abc"),
        ("bank_account", "004-1234567890"),
    ]
    assert found[0]["raw"] == "๐๘๑-๒๓๔-๕๖๗๘"
    assert DONE_WHEN[found[2]["start"] : found[2]["end"]] == "123-4-56789-0"


def test_stdin_and_type_filter() -> None:
    result = tatsai("extract", "-", "--type", "url", "--type", "phone", stdin=DONE_WHEN)
    assert result.returncode == 0, result.stderr
    assert [f["type"] for f in json.loads(result.stdout)] == ["phone", "url"]


def test_nothing_found_is_an_empty_list() -> None:
    result = tatsai("extract", "ยอดเงินคงเหลือ 3,000.50 บาท")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_bad_input_is_one_line_and_exit_2() -> None:
    empty = tatsai("extract", "   ")
    unknown_type = tatsai("extract", "x", "--type", "fax")
    for result in (empty, unknown_type):
        assert result.returncode == 2, result
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    assert "no text given" in empty.stderr
    assert "known types: phone" in unknown_type.stderr
