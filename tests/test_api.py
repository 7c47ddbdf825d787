from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tatsai.orgs.models import OrgKind, Role
from tests.factories import make_principal


def test_healthz_and_openapi(api_client: TestClient) -> None:
    assert api_client.get("/healthz").json()["status"] == "ok"
    spec = api_client.get("/openapi.json").json()
    assert spec["info"]["title"] == "tatsai"
    assert "/healthz" in spec["paths"]


def test_key_authenticates(api_client: TestClient, db_session: Session) -> None:
    _, secret = make_principal(db_session, OrgKind.POLICE, Role.ANALYST)
    me = api_client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["kind"] == "police"
    assert api_client.get("/v1/me").json() == {"principal": "public"}


def test_bad_key_is_problem_json_401(api_client: TestClient) -> None:
    response = api_client.get("/v1/me", headers={"Authorization": "Bearer tsk_nope_nope"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["errors"][0]["field"] == "Authorization"


def test_unknown_route_is_problem_json(api_client: TestClient) -> None:
    response = api_client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
