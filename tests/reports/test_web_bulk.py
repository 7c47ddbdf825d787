"""The web form (no JavaScript, CSRF-protected) and bulk import with a rejects file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tatsai.cli import main
from tatsai.reports import bulk, web
from tatsai.reports.models import Report


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_web_form_reports_with_a_valid_csrf_token(
    api_client: TestClient, db_session: Session
) -> None:
    page = api_client.get("/report")
    assert page.status_code == 200
    assert "แจ้งสายหรือข้อความหลอกลวง" in page.text
    assert "<script" not in page.text
    token = _token(page.text)
    form = {
        "csrf_token": token,
        "lang": "en",
        "kind": "call",
        "indicator_type": "phone",
        "indicator_value": "02 123 4567",
        "text": "said he was police",
        "amount_lost_thb": "1,500",
    }
    done = api_client.post("/report", data=form)
    assert done.status_code == 202
    assert "Received, thank you" in done.text
    report = db_session.execute(select(Report)).scalar_one()
    assert report.channel == "web"
    assert report.amount_lost_thb == 1500
    code = report.tracking_code
    assert code in done.text
    track = api_client.get("/track", params={"code": code, "lang": "en"})
    assert "Received, waiting to be processed" in track.text


def test_web_form_refuses_a_missing_or_forged_token(
    api_client: TestClient, db_session: Session
) -> None:
    token = _token(api_client.get("/report?lang=en").text)
    base = {"kind": "call", "indicator_type": "phone", "indicator_value": "0212345678"}
    assert api_client.post("/report", data=base).status_code == 403
    forged = token.rsplit(".", 1)[0] + ".0000000000000000"
    assert api_client.post("/report", data={**base, "csrf_token": forged}).status_code == 403
    api_client.cookies.clear()  # a cross-site post carries no cookie of ours
    assert api_client.post("/report", data={**base, "csrf_token": token}).status_code == 403
    assert db_session.execute(select(func.count()).select_from(Report)).scalar_one() == 0
    assert not web.csrf_valid(token, token, now=10**10)  # expired


def test_web_form_shows_the_field_in_error(api_client: TestClient) -> None:
    token = _token(api_client.get("/report?lang=en").text)
    bad = api_client.post(
        "/report",
        data={
            "csrf_token": token,
            "lang": "en",
            "kind": "call",
            "indicator_type": "phone",
            "indicator_value": "12",
        },
    )
    assert bad.status_code == 422
    assert "indicators.0.value" in bad.text
    assert 'value="12"' in bad.text  # the form keeps what the citizen typed


def test_web_check_page(api_client: TestClient) -> None:
    page = api_client.get("/check", params={"type": "phone", "value": "0812345678", "lang": "en"})
    assert page.status_code == 200
    assert "No reports yet" in page.text or "DANGER" in page.text or "Caution" in page.text


def test_bulk_import_validates_each_row(
    tmp_path: Path, db_session: Session, clean_engine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partner.csv"
    path.write_text(
        "report_id,ts,kind,indicator_type,indicator_value,reporter,amount_lost_thb\n"
        "p1,2026-11-01T10:00:00+07:00,call,phone,0812345678,0891112222,\n"
        "p2,2026-11-01T11:00:00+07:00,fax,phone,0812345678,,\n"
        "p3,2026-11-01T12:00:00+07:00,sms,url,https://kbank-verify.top,psn_reporter_abc,200\n"
        "p4,yesterday,call,phone,0812345678,,\n",
        encoding="utf-8",
    )
    result = bulk.import_rows(
        db_session=db_session, rows=bulk.read_rows(path), source_org_id=None, source="t"
    )
    db_session.commit()
    assert (result.accepted, result.rejected) == (2, 2)
    assert [(r["line"], r["field"]) for r in result.rejects] == [(3, "kind"), (5, "occurred_at")]
    again = bulk.import_rows(
        db_session=db_session, rows=bulk.read_rows(path), source_org_id=None, source="t"
    )
    db_session.commit()
    assert again.accepted == 2
    assert db_session.execute(select(func.count()).select_from(Report)).scalar_one() == 2


def test_bulk_import_rejects_rows_the_csv_module_refuses_and_short_rows(
    tmp_path: Path, db_session: Session, clean_engine
) -> None:
    path = tmp_path / "partner.csv"
    path.write_text(
        "report_id,kind,indicator_type,indicator_value,text\n"
        'p1,call,phone,0812345678,"a ""quoted"" word\nand a second line"\n'
        'p2,call,phone,0812345679,"stray"quote\n'
        "p3,call,phone\n"
        "p4,sms,phone,0812345670,ok\n",
        encoding="utf-8",
    )
    result = bulk.import_rows(
        db_session=db_session, rows=bulk.read_rows(path), source_org_id=None, source="t"
    )
    db_session.commit()
    assert (result.accepted, result.rejected) == (2, 2)
    assert [r["line"] for r in result.rejects] == [4, 5]
    assert result.rejects[1]["reason"] == "3 fields, header has 5"


@pytest.fixture
def cli_database(clean_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database as the one `tatsai` commands open (their pooled connections are
    closed before the test ends)."""
    monkeypatch.setenv(
        "TATSAI_DATABASE_URL", str(clean_engine.url.render_as_string(hide_password=False))
    )
    from tatsai.core.db import get_engine
    from tatsai.core.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield get_engine()
    finally:
        get_engine().dispose()


def test_bulk_import_command_writes_rejects(
    tmp_path: Path, cli_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partner.jsonl"
    path.write_text(
        json.dumps({"kind": "sms", "text": "ยินดีด้วย คุณได้รับรางวัล"}, ensure_ascii=False)
        + "\n"
        + "{broken\n"
        + json.dumps({"kind": "call", "indicator_type": "phone", "indicator_value": "x"})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["reports", "import", str(path)])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "accepted 1, rejected 2" in out
    rejects = [
        json.loads(line)
        for line in (tmp_path / "partner.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [(r["line"], r["field"]) for r in rejects] == [(2, "row"), (3, "indicators.0.value")]


def test_bulk_import_imports_nothing_when_the_rejects_cannot_be_written(
    tmp_path: Path, cli_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partner.jsonl"
    path.write_text(
        json.dumps({"kind": "sms", "text": "ยินดีด้วย คุณได้รับรางวัล"}, ensure_ascii=False)
        + "\n{broken\n",
        encoding="utf-8",
    )
    unwritable = tmp_path / "no-such-folder" / "rejects.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        main(["reports", "import", str(path), "--rejects", str(unwritable)])
    with cli_database.connect() as conn:
        imported = conn.execute(select(func.count()).select_from(Report)).scalar_one()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error (rejects): cannot write rejects to")
    # Nothing committed: the rejected row is not lost, and a rerun imports the file whole.
    assert imported == 0


@pytest.mark.parametrize("name", ["partner.csv", "partner.jsonl"])
def test_bulk_import_of_a_file_that_is_not_utf8_names_it_and_the_line(
    tmp_path: Path, cli_database: Engine, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = tmp_path / name
    first = '{"kind": "sms", "text": "hello"}' if name.endswith(".jsonl") else "kind,text"
    path.write_bytes(first.encode() + b"\n" + "ยินดี".encode("tis-620") + b"\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["reports", "import", str(path)])
    with cli_database.connect() as conn:
        imported = conn.execute(select(func.count()).select_from(Report)).scalar_one()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"error (path): {path} line 2: not UTF-8 text (byte 0xc2 at offset {len(first) + 1}); "
        "save it as UTF-8\n"
    )
    assert imported == 0
