"""Citizens' API: store first and acknowledge, idempotency, status, bad input."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tatsai.reports.models import Report


def _count(db_session: Session) -> int:
    return db_session.execute(select(func.count()).select_from(Report)).scalar_one()


def test_report_is_acknowledged_with_id_and_tracking_code(
    api_client: TestClient, db_session: Session
) -> None:
    response = api_client.post(
        "/v1/reports",
        json={
            "kind": "call",
            "indicators": [{"type": "phone", "value": "081-234-5678"}],
            "amount_lost_thb": 5000,
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"report_id", "tracking_code"}
    report = db_session.get(Report, body["report_id"])
    assert report is not None
    assert report.status == "received"
    assert json.loads(report.claimed_indicators) == [{"type": "phone", "value": "+66812345678"}]


def test_same_idempotency_key_returns_the_same_report(
    api_client: TestClient, db_session: Session
) -> None:
    payload = {"kind": "sms", "text": "คุณได้รับรางวัล กดลิงก์", "idempotency_key": "abc-12345678"}
    first = api_client.post("/v1/reports", json=payload).json()
    second = api_client.post("/v1/reports", json={**payload, "text": "other"}).json()
    assert first == second
    assert _count(db_session) == 1


def test_status_by_tracking_code_shows_nothing_about_others(api_client: TestClient) -> None:
    accepted = api_client.post(
        "/v1/reports", json={"kind": "url", "text": "phish at https://kbank-verify.top/login"}
    ).json()
    code = accepted["tracking_code"]
    response = api_client.get(f"/v1/reports/{code.lower().replace('-', '')}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received"
    assert body["tracking_code"] == code
    assert not {"reporter", "text", "indicators", "campaign_id", "report_id"} & set(body)
    assert api_client.get("/v1/reports/ZZZZZ-ZZZZZ").status_code == 404


def test_bad_input_names_the_field_and_stores_nothing(
    api_client: TestClient, db_session: Session
) -> None:
    cases = [
        ({"kind": "fax", "text": "x"}, "kind"),
        ({"kind": "call"}, "text"),
        ({"kind": "call", "indicators": [{"type": "phone", "value": "12"}]}, "indicators.0.value"),
        ({"kind": "call", "indicators": [{"type": "car", "value": "1"}]}, "indicators.0.type"),
        ({"kind": "call", "text": "x", "contact": "not a phone"}, "contact"),
        ({"kind": "call", "text": "x", "occurred_at": "2026-11-28T10:00:00"}, "occurred_at"),
    ]
    for payload, field in cases:
        response = api_client.post("/v1/reports", json=payload)
        assert response.status_code == 422, payload
        assert response.json()["errors"][0]["field"] == field
    malformed = api_client.post(
        "/v1/reports", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    huge = api_client.post("/v1/reports", json={"kind": "sms", "text": "x" * 2_000_000})
    assert huge.status_code == 413
    assert _count(db_session) == 0


def test_reporter_number_is_stored_only_as_a_pseudonym(
    api_client: TestClient, db_session: Session
) -> None:
    body = api_client.post(
        "/v1/reports", json={"kind": "call", "text": "ขู่ว่าเป็นตำรวจ", "contact": "0891112222"}
    ).json()
    report = db_session.get(Report, body["report_id"])
    assert report is not None
    assert report.reporter is not None
    assert report.reporter.startswith("psn_reporter_")
    assert "891112222" not in json.dumps(
        {c.name: str(getattr(report, c.name)) for c in Report.__table__.columns}
    )
