"""Fixtures of the report center tests: fresh channel settings and a gateway key per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tatsai.orgs.models import OrgKind, Role
from tatsai.reports import config, lastcalls, links
from tests.factories import make_key, make_org


@pytest.fixture(autouse=True)
def _fresh_reports_settings() -> Iterator[None]:
    config.reset()
    lastcalls.set_provider(None)
    yield
    config.reset()
    lastcalls.set_provider(None)


@pytest.fixture
def gateway_key(db_session: Session) -> str:
    org = make_org(db_session, OrgKind.TELCO)
    return make_key(db_session, org, Role.GATEWAY)


@pytest.fixture
def gateway_headers(gateway_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {gateway_key}"}


__all__ = ["links"]
