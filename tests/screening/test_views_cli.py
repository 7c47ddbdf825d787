from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient


def test_post_screen(api_client: TestClient) -> None:
    response = api_client.post(
        "/v1/screen", json={"texts": ["", "KBank: ยืนยันตัวตนที่ https://kbank-verify.top"]}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["verdict"] for r in results] == ["unknown", "scam"]
    assert results[1]["urls"][0]["verdict"] == "high"


def test_post_screen_refuses_more_than_10000_texts(api_client: TestClient) -> None:
    response = api_client.post("/v1/screen", json={"texts": ["a"] * 10_001})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_post_screen_uses_the_apps_indicator_lookup(api_client: TestClient) -> None:
    class Hit:
        verdict = "block"

    api_client.app.state.indicator_lookup = lambda kind, value: Hit()  # type: ignore[attr-defined]
    response = api_client.post("/v1/screen", json={"texts": ["lunch at https://x.example.com?"]})
    assert response.json()["results"][0]["verdict"] == "scam"


def _tatsai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tatsai", *args], capture_output=True, text=True, check=False
    )


def test_url_check_explains(tmp_path: Path) -> None:
    done = _tatsai("url-check", "hxxps://kbank-verify[.]com/login")
    assert done.returncode == 0
    assert done.stdout.startswith("high")
    assert "kbank" in done.stdout


def test_firewall_command_and_its_errors(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("text\nสวัสดีครับ\n", encoding="utf-8")
    done = _tatsai("screen", "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert done.returncode == 0, done.stderr
    assert "screened 1 rows" in done.stdout
    missing = _tatsai("screen", "--input", str(tmp_path / "nope.csv"), "--output", "x.csv")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("body\nhello\n", encoding="utf-8")
    no_text = _tatsai("screen", "--input", str(bad), "--output", str(tmp_path / "o2.csv"))
    assert no_text.returncode == 2
    assert "text" in no_text.stderr


def test_demo_stage_screens_samples(tmp_path: Path) -> None:
    from rich.console import Console

    from tatsai.screening import demo

    class Context:
        console = Console(record=True, width=160)
        shared: dict[str, object] = {"world": tmp_path / "no-world"}  # noqa: RUF012

    demo.run(Context())  # type: ignore[arg-type]
    output = Context.console.export_text()
    assert "scam" in output
    assert "no sms_content" in output
    assert Context.shared["screening"]


def test_screen_refuses_empty_text_and_a_folder_as_input(tmp_path: Path) -> None:
    empty = _tatsai("screen", "--text", "  ")
    assert empty.returncode == 2
    assert empty.stderr == "error (text): no text given\n"
    folder = _tatsai("screen", "--input", str(tmp_path), "--output", str(tmp_path / "o.csv"))
    assert folder.returncode == 2
    assert folder.stderr.startswith("error (input):")
    assert folder.stderr.count("\n") == 1
