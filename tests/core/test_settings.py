from __future__ import annotations

from pathlib import Path

import pytest

from tatsai.core.settings import get_settings


def test_defaults_put_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = get_settings()
    assert settings.data_dir == tmp_path / "data"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'tatsai.db'}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATSAI_DATABASE_URL", "postgresql+psycopg://u:hunter2@db.example/tatsai")
    monkeypatch.setenv("TATSAI_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.retention_days == 30
    shown = settings.shown()
    assert "hunter2" not in shown["database_url"]
    assert shown["secret_key"] == "**********"
    assert "test-secret-key" not in str(shown)


def test_bad_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATSAI_RETENTION_DAYS", "zero")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="retention_days"):
        get_settings()


def test_unparseable_database_url_is_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tatsai.cli import main

    monkeypatch.setenv("TATSAI_DATABASE_URL", "not a url:hunter2")
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as done:
        main(["config"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error (database_url): Value error, not a database URL")
    assert err.count("\n") == 1
    assert "hunter2" not in err
