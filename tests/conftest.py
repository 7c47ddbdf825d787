"""Fixtures every test shares.

Databases: each test that takes ``db_session`` (or ``engine``) runs once on SQLite and once on
PostgreSQL when ``TATSAI_TEST_POSTGRES_URL`` is set. The PostgreSQL run creates its own
database and drops it at the end; if the server cannot be reached the tests error, never skip.
After each test every table is emptied, so tests see committed behaviour as it really is.

Shared data: ``shared_data("name")`` is ``../shared/data/name`` beside the checkout; tests
that need it skip with the reason when it is absent, and fail when
``TATSAI_REQUIRE_SHARED_DATA=1`` (as in CI).

Fixtures written here (tiny, made up for the tests) live in ``tests/fixtures/``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tatsai.api import create_app
from tatsai.core import migrate
from tatsai.core.db import Base, get_engine, make_engine, session_factory
from tatsai.core.settings import get_settings
from tatsai.tables import import_all_tables

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("TATSAI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def require_shared_data(name: str) -> Path:
    """The path of a dataset in ../shared/data; skips (or fails in CI) when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        reason = f"../shared/data/{name} is not beside this checkout"
        if os.environ.get("TATSAI_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{reason} and TATSAI_REQUIRE_SHARED_DATA=1")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    return require_shared_data


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data dir and no inherited TATSAI_* configuration."""
    for name in list(os.environ):
        if name.startswith("TATSAI_") and not name.startswith(("TATSAI_TEST_", "TATSAI_REQUIRE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TATSAI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TATSAI_SECRET_KEY", "test-secret-key")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


def _create_postgres_database(server_url: str) -> str:
    name = f"tatsai_test_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each backend, shared by the session's tests."""
    import_all_tables()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tatsai.db'}"
        eng = make_engine(url)
        migrate.upgrade(eng)
        yield eng
        eng.dispose()
        return
    assert POSTGRES_URL is not None
    url = _create_postgres_database(POSTGRES_URL)
    eng = make_engine(url)
    try:
        migrate.upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        _drop_postgres_database(POSTGRES_URL, url)


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clean_engine(engine: Engine) -> Iterator[Engine]:
    """The backend's engine, emptied after the test."""
    try:
        yield engine
    finally:
        _empty_all_tables(engine)


@pytest.fixture
def db_session(clean_engine: Engine) -> Iterator[Session]:
    """A session on each backend; the test commits as the application would."""
    session = session_factory(clean_engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def api_client(clean_engine: Engine) -> Iterator[TestClient]:
    """An HTTP client for the app on each backend."""
    with TestClient(create_app(clean_engine)) as client:
        yield client
