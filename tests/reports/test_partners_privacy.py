"""Partners see reports with pseudonyms only; review moves reputation; call records for USSD."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tatsai.cli import main
from tatsai.orgs.models import OrgKind, Role
from tatsai.reports import lastcalls, pipeline
from tatsai.sim.schemas import CDR
from tests.factories import make_principal


def test_partner_reads_a_pseudonym_and_reviews(
    api_client: TestClient, db_session: Session, clean_engine: Engine
) -> None:
    accepted = api_client.post(
        "/v1/reports",
        json={"kind": "call", "text": "ขู่ว่าเป็นตำรวจ โทรจาก 021234567", "contact": "0891112222"},
    ).json()
    pipeline.drain(clean_engine)
    _, analyst = make_principal(db_session, OrgKind.POLICE, Role.ANALYST)
    _, reader = make_principal(db_session, OrgKind.BANK, Role.READER)
    url = f"/v1/reports/by-id/{accepted['report_id']}"
    assert api_client.get(url).status_code == 401
    body = api_client.get(url, headers={"Authorization": f"Bearer {reader}"}).json()
    assert body["reporter"].startswith("psn_reporter_")
    assert "891112222" not in str(body)
    assert {"type": "phone", "value": "+6621234567"} in [
        {"type": i["type"], "value": i["value"]} for i in body["indicators"]
    ]
    review = f"{url}/review?outcome=confirmed"
    assert api_client.post(review, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    done = api_client.post(review, headers={"Authorization": f"Bearer {analyst}"})
    assert done.status_code == 200


def test_purge_needs_yes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["purge"])
    assert exit_info.value.code == 2
    assert "--yes" in capsys.readouterr().err


def test_last_callers_from_call_records() -> None:
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    rows = [
        # (caller, callee, minutes ago, kind)
        ("+6621234567", "+66891234567", 3, "call"),
        ("+66822222222", "+66891234567", 1, "call"),
        ("+66822222222", "+66891234567", 2, "call"),  # the same caller twice: listed once
        ("+66833333333", "+66891234567", 90, "call"),  # outside the window
        ("+66844444444", "+66891234567", 1, "sms"),  # not a call
        ("+66855555555", "+66800000000", 1, "call"),  # someone else's
    ]
    columns: dict[str, list[object]] = {name: [] for name in CDR.columns}
    for i, (a, b, ago, kind) in enumerate(rows):
        values = {
            "event_id": i,
            "ts": now - dt.timedelta(minutes=ago),
            "kind": kind,
            "a_msisdn": a,
            "b_msisdn": b,
            "a_imsi": "520000000000001",
            "a_imei": "490154203237518",
            "cell_id": "c1",
            "duration_s": 30,
            "answered": True,
            "direction": "mt",
        }
        for name in CDR.columns:
            columns[name].append(values[name])
    table = pa.table(columns, schema=CDR.schema)
    provider = lastcalls.CdrLastCalls(table)
    callers = provider.last_callers("+66891234567", now=now, window=dt.timedelta(minutes=30))
    assert callers == ["+66822222222", "+6621234567"]
