"""The registry's HTTP API: lookups from the index, writes, feed, access, appeals."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tatsai.api import create_app
from tatsai.orgs.models import OrgKind, Role
from tests.factories import make_principal

SCAM_NUMBER = "+66812345678"


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _submit(client: TestClient, secret: str, **body: object) -> dict[str, object]:
    payload = {"type": "phone", "value": SCAM_NUMBER, "categories": ["scam_sim"], "tlp": "GREEN"}
    payload.update(body)  # type: ignore[arg-type]
    response = client.post("/v1/indicators", json=payload, headers=_auth(secret))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_partner_write_then_public_and_member_lookup(
    api_client: TestClient, db_session: Session
) -> None:
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    record = _submit(api_client, telco, value="081-234-5678", evidence={"confidence": 95})
    assert record["verdict"] == "block"
    assert record["evidence"][0]["owner_org_id"] is not None  # the caller's org

    public = api_client.get("/v1/lookup", params={"type": "phone", "value": "0812345678"})
    assert public.status_code == 200
    assert public.json() == {
        "type": "phone",
        "value": SCAM_NUMBER,
        "verdict": "block",
        "categories": ["scam_sim"],
    }
    _, gateway = make_principal(db_session, OrgKind.BANK, Role.GATEWAY)
    member = api_client.get(
        "/v1/lookup", params={"type": "phone", "value": SCAM_NUMBER}, headers=_auth(gateway)
    ).json()
    assert member["score"] >= 70
    assert member["state"] == "confirmed"
    assert member["matched"] == "exact"
    assert member["first_seen"]


def test_bad_lookups_say_why(api_client: TestClient) -> None:
    unknown = api_client.get("/v1/lookup", params={"type": "fax", "value": "1"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "type"
    assert "phone" in unknown.json()["detail"]  # names the known types
    malformed = api_client.get("/v1/lookup", params={"type": "phone", "value": "hello"})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "value"
    bad_key = api_client.get(
        "/v1/lookup", params={"type": "phone", "value": SCAM_NUMBER}, headers=_auth("tsk_x_y")
    )
    assert bad_key.status_code == 401


def test_batch_keeps_order_marks_bad_items_and_refuses_oversize(
    api_client: TestClient, db_session: Session
) -> None:
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    _submit(api_client, telco, evidence={"confidence": 95})
    items = [
        {"type": "phone", "value": "+66812345679"},
        {"type": "phone", "value": SCAM_NUMBER},
        {"type": "phone", "value": "garbage"},
        {"type": "url", "value": "https://www.scb.co.th/x"},
    ]
    response = api_client.post("/v1/lookup/batch", json={"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["verdict"] for r in results] == ["unknown", "block", "unknown", "allow"]
    assert "error" in results[2]
    too_many = [{"type": "phone", "value": SCAM_NUMBER}] * 10_001
    assert api_client.post("/v1/lookup/batch", json={"items": too_many}).status_code == 413
    assert api_client.post("/v1/lookup/batch", json={"nope": 1}).status_code == 422


def test_writes_need_a_key(api_client: TestClient) -> None:
    response = api_client.post("/v1/indicators", json={"type": "phone", "value": SCAM_NUMBER})
    assert response.status_code == 401
    assert api_client.get("/v1/feed").status_code == 401


def test_records_are_404_to_those_who_may_not_see_them(
    api_client: TestClient, db_session: Session
) -> None:
    _, bank = make_principal(db_session, OrgKind.BANK, Role.ANALYST)
    _, other_bank = make_principal(db_session, OrgKind.BANK, Role.ANALYST)
    record = _submit(
        api_client, bank, type="bank_account", value="004-1234567890", tlp="RED", categories=[]
    )
    mine = api_client.get(f"/v1/indicators/{record['id']}", headers=_auth(bank))
    assert mine.status_code == 200
    hidden = api_client.get(f"/v1/indicators/{record['id']}", headers=_auth(other_bank))
    absent = api_client.get("/v1/indicators/999999", headers=_auth(other_bank))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"] == absent.json()["detail"]


def test_feed_pages_by_cursor(api_client: TestClient, db_session: Session) -> None:
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    for n in range(3):
        _submit(api_client, telco, value=f"+6681234567{n}")
    first = api_client.get("/v1/feed", params={"limit": 2}, headers=_auth(telco)).json()
    assert [i["value"] for i in first["items"]] == ["+66812345670", "+66812345671"]
    assert first["more"] is True
    rest = api_client.get(
        "/v1/feed", params={"since": first["cursor"]}, headers=_auth(telco)
    ).json()
    assert [i["value"] for i in rest["items"]] == ["+66812345672"]
    assert rest["more"] is False


def test_a_write_reaches_another_workers_index_within_a_second(
    clean_engine: Engine, db_session: Session
) -> None:
    """Two app instances on one database: the second follows the change sequence."""
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    writer_app, reader_app = create_app(clean_engine), create_app(clean_engine)
    with TestClient(writer_app) as writer, TestClient(reader_app) as reader:
        query = {"type": "phone", "value": SCAM_NUMBER}
        assert reader.get("/v1/lookup", params=query).json()["verdict"] == "unknown"
        _submit(writer, telco, evidence={"confidence": 95})
        written = time.monotonic()
        verdict = "unknown"
        while verdict != "block" and time.monotonic() - written < 1.0:
            time.sleep(0.02)
            verdict = reader.get("/v1/lookup", params=query).json()["verdict"]
        assert verdict == "block"
        assert reader_app.state.indicator_lookup.cursor >= 1


def test_appeal_is_filed_and_upheld_by_the_operator(
    api_client: TestClient, db_session: Session
) -> None:
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    _, bank = make_principal(db_session, OrgKind.BANK, Role.ANALYST)
    _submit(api_client, telco, evidence={"confidence": 95})
    filed = api_client.post(
        "/v1/appeals",
        json={"type": "phone", "value": SCAM_NUMBER, "appellant": "owner", "reason": "my shop"},
    )
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    listed = api_client.get("/v1/appeals", headers=_auth(telco)).json()
    assert [a["id"] for a in listed] == [appeal_id]
    decision = {"upheld": True, "note": "the subscriber is a registered business"}
    path = f"/v1/appeals/{appeal_id}/decision"
    assert api_client.post(path, json=decision, headers=_auth(bank)).status_code == 403
    assert api_client.post(path, json=decision, headers=_auth(telco)).json()["status"] == "upheld"
    after = api_client.get("/v1/lookup", params={"type": "phone", "value": SCAM_NUMBER})
    assert after.json()["verdict"] == "unknown"
    again = api_client.post(path, json=decision, headers=_auth(telco))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("GET", "/v1/indicators/99999999999999999999999", "record_id"),
        ("POST", "/v1/indicators/9223372036854775808/transitions", "record_id"),
        ("POST", "/v1/appeals/99999999999999999999999/decision", "appeal_id"),
        ("GET", "/v1/feed?since=99999999999999999999999", "since"),
    ],
)
def test_ids_beyond_bigint_are_422_naming_the_field(
    api_client: TestClient, method: str, url: str, field: str
) -> None:
    body = {"state": "expired", "reason": "x"} if "transitions" in url else {"upheld": True}
    response = api_client.request(method, url, json=body if method == "POST" else None)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"evidence": {"observed_at": "2026-03-01T10:00:00"}}, "observed_at"),  # no zone
        ({"categories": ["x" * 100]}, "categories"),  # not a category name
    ],
)
def test_submissions_breaking_evidence_rules_are_422_naming_the_field(
    api_client: TestClient, db_session: Session, body: dict[str, object], field: str
) -> None:
    _, telco = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    payload = {"type": "phone", "value": SCAM_NUMBER, **body}
    response = api_client.post("/v1/indicators", json=payload, headers=_auth(telco))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
