"""Per-IP limits on anonymous intake: in memory by default, shared through Redis when set.

The Redis tests talk to a real server named by ``TATSAI_TEST_REDIS_URL`` (CI sets it); without
it they skip, and with ``TATSAI_REQUIRE_REDIS=1`` they fail instead.
"""

from __future__ import annotations

import os
import re
import secrets

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tatsai.api import create_app
from tatsai.reports import config
from tatsai.reports.config import ReportsSettings
from tatsai.reports.models import Report

REPORT = {"kind": "call", "indicators": [{"type": "phone", "value": "02 123 4567"}]}


def _redis_url() -> str:
    url = os.environ.get("TATSAI_TEST_REDIS_URL")
    if not url:
        if os.environ.get("TATSAI_REQUIRE_REDIS") == "1":
            pytest.fail("TATSAI_REQUIRE_REDIS=1 but TATSAI_TEST_REDIS_URL is not set")
        pytest.skip("set TATSAI_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("TATSAI_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {url} is required but unreachable: {exc}")
        pytest.skip(f"Redis at {url} unreachable: {exc}")
    return url


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Report)).scalar_one())


def _an_ip() -> str:
    return f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # documentation range


def test_the_api_refuses_an_address_over_its_limit(clean_engine: Engine) -> None:
    config.use_settings(ReportsSettings(per_ip_per_minute=3))
    with TestClient(create_app(clean_engine), client=("203.0.113.7", 5000)) as client:
        codes = [client.post("/v1/reports", json=REPORT).status_code for _ in range(4)]
        refused = client.post("/v1/reports", json=REPORT)
    with TestClient(create_app(clean_engine), client=("203.0.113.8", 5000)) as other:
        assert other.post("/v1/reports", json=REPORT).status_code == 202
    assert codes == [202, 202, 202, 429]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "too many reports from this address" in refused.json()["detail"]
    assert _stored(clean_engine) == 4  # nothing refused was stored


def test_the_web_form_counts_against_the_same_limit(clean_engine: Engine) -> None:
    config.use_settings(ReportsSettings(per_ip_per_minute=2))
    with TestClient(create_app(clean_engine), client=("203.0.113.9", 5000)) as client:
        assert client.post("/v1/reports", json=REPORT).status_code == 202
        page = client.get("/report?lang=en").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match is not None
        form = {
            "csrf_token": match.group(1),
            "lang": "en",
            "kind": "call",
            "indicator_type": "phone",
            "indicator_value": "02 123 4567",
        }
        assert client.post("/report", data=form).status_code == 202
        refused = client.post("/report", data=form)
    assert refused.status_code == 429
    assert "too many reports from this address" in refused.text
    assert "02 123 4567" in refused.text  # the form comes back filled in
    assert _stored(clean_engine) == 2


def test_redis_shares_the_limit_between_api_processes(clean_engine: Engine) -> None:
    url = _redis_url()
    config.use_settings(ReportsSettings(per_ip_per_minute=3, redis_url=url))
    ip = _an_ip()
    # Two apps stand for two worker processes (or hosts): each has its own memory.
    with (
        TestClient(create_app(clean_engine), client=(ip, 1)) as first,
        TestClient(create_app(clean_engine), client=(ip, 2)) as second,
    ):
        codes = [
            (first if n % 2 == 0 else second).post("/v1/reports", json=REPORT).status_code
            for n in range(4)
        ]
    assert codes == [202, 202, 202, 429]
    keys = redis.Redis.from_url(url).keys(f"tatsai:reports:ip:{ip}:*")
    assert len(keys) >= 1
    assert _stored(clean_engine) == 3


def test_an_unreachable_redis_fails_open(clean_engine: Engine) -> None:
    # Port 1 on loopback: nothing listens. A report is never refused for the limit store.
    config.use_settings(ReportsSettings(per_ip_per_minute=1, redis_url="redis://127.0.0.1:1/0"))
    with TestClient(create_app(clean_engine), client=("203.0.113.10", 5000)) as client:
        codes = [client.post("/v1/reports", json=REPORT).status_code for _ in range(3)]
    assert codes == [202, 202, 202]
    assert _stored(clean_engine) == 3
