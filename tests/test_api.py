from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tatsai.api import create_app
from tatsai.core.errors import Conflict
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


class Item(BaseModel):
    type: str
    amount: int = Field(ge=0)


def _app_with_echo(clean_engine: Engine) -> FastAPI:
    """The real app factory plus one route, to exercise the shared error mapping."""
    app = create_app(clean_engine, max_body_bytes=2048)

    @app.post("/echo")
    def echo(item: Item) -> Item:
        if item.type == "conflict":
            raise Conflict("already there", field="type")
        return item

    return app


def test_validation_errors_name_the_field(clean_engine: Engine) -> None:
    with TestClient(_app_with_echo(clean_engine)) as client:
        response = client.post("/echo", json={"type": "x", "amount": -1})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "amount"
        malformed = client.post(
            "/echo", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 422
        # The decoder's location is a character offset; the field at fault is the body.
        assert malformed.json()["errors"][0]["field"] == "body"


def test_domain_errors_keep_their_status(clean_engine: Engine) -> None:
    with TestClient(_app_with_echo(clean_engine)) as client:
        response = client.post("/echo", json={"type": "conflict", "amount": 1})
        assert response.status_code == 409
        assert response.json()["errors"] == [{"field": "type", "reason": "already there"}]


def test_oversize_bodies_are_refused(clean_engine: Engine) -> None:
    with TestClient(_app_with_echo(clean_engine)) as client:
        response = client.post("/echo", json={"type": "x" * 5000, "amount": 1})
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"


def test_the_served_app_freezes_its_heap_after_startup(tmp_path: Path) -> None:
    # In a child process: a frozen heap is the server's business, not the test runner's.
    code = (
        "import gc\n"
        "from fastapi.testclient import TestClient\n"
        "from tatsai.api import create_server_app\n"
        "app = create_server_app()\n"
        "assert gc.get_freeze_count() == 0\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "    print(gc.get_freeze_count())\n"
    )
    env = {**os.environ, "TATSAI_DATA_DIR": str(tmp_path)}
    env.pop("TATSAI_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "tatsai", "db", "upgrade"], env=env, check=True, timeout=120
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000  # the frameworks' objects at least
