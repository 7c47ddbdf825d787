"""The CLI as a user runs it: a real process against the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def tatsai(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tatsai", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )


def test_org_and_key_create_on_a_fresh_store(tmp_path: Path) -> None:
    assert tatsai("db", "upgrade").returncode == 0
    created = tatsai("org", "create", "--name", "Demo Bank", "--kind", "bank")
    assert created.returncode == 0, created.stderr
    key = tatsai("key", "create", "--org", "Demo Bank", "--role", "analyst")
    assert key.returncode == 0, key.stderr
    last_line = key.stdout.strip().splitlines()[-1]
    assert last_line.startswith("tsk_")
    assert " " not in last_line
    assert (tmp_path / "data" / "tatsai.db").exists()


def test_bad_input_is_one_line_and_exit_2() -> None:
    tatsai("db", "upgrade")
    for args in (
        ["org", "create", "--name", "X", "--kind", "casino"],
        ["key", "create", "--org", "nobody", "--role", "admin"],
        ["org", "create", "--kind", "bank"],
    ):
        result = tatsai(*args)
        assert result.returncode == 2, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_duplicate_org_is_refused_without_change() -> None:
    tatsai("db", "upgrade")
    assert tatsai("org", "create", "--name", "AIS", "--kind", "telco").returncode == 0
    again = tatsai("org", "create", "--name", "AIS", "--kind", "bank")
    assert again.returncode == 2
    assert "already exists" in again.stderr
    listed = tatsai("org", "list")
    assert listed.stdout.count("AIS") == 1


def test_config_masks_the_secret() -> None:
    shown = tatsai("config")
    assert shown.returncode == 0
    assert "test-secret-key" not in shown.stdout
    assert "TATSAI_DATABASE_URL" in shown.stdout


def test_audit_verify_on_a_fresh_store() -> None:
    tatsai("db", "upgrade")
    tatsai("org", "create", "--name", "AIS", "--kind", "telco")
    result = tatsai("audit", "verify")
    assert result.returncode == 0
    assert "intact" in result.stdout


def test_a_bank_is_created_with_its_code_and_a_bad_code_is_refused() -> None:
    assert tatsai("db", "upgrade").returncode == 0
    created = tatsai("org", "create", "--name", "SCB desk", "--kind", "bank", "--bank-code", "014")
    assert created.returncode == 0, created.stderr
    assert "bank code 014" in created.stdout
    bad = tatsai("org", "create", "--name", "Other", "--kind", "bank", "--bank-code", "12")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "bank_code" in bad.stderr or "bank code" in bad.stderr
    listed = tatsai("org", "list")
    assert "014" in listed.stdout
    assert "Other" not in listed.stdout


def test_audit_list_refuses_a_limit_past_its_bound() -> None:
    assert tatsai("db", "upgrade").returncode == 0
    result = tatsai("audit", "list", "--limit", "99999999999999999999999")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--limit" in result.stderr
