"""The registry's commands, run in-process through ``tatsai.cli.main`` as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tatsai.cli import main


def tatsai(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_add_show_lookup_export_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert tatsai(capsys, "db", "upgrade")[0] == 0
    assert tatsai(capsys, "org", "create", "--name", "Demo Telco", "--kind", "telco")[0] == 0
    rc, out, _ = tatsai(capsys, "indicators", "seed-allowlist")
    assert rc == 0
    assert "added" in out
    rc, out, err = tatsai(
        capsys,
        "indicators",
        "add",
        "phone",
        "081-234-5678",
        "--org",
        "Demo Telco",
        "--category",
        "scam_sim",
        "--confidence",
        "95",
    )
    assert rc == 0, err
    assert "block" in out
    rc, out, _ = tatsai(capsys, "indicators", "show", "phone", "+66812345678")
    assert rc == 0
    assert "scam_sim" in out
    rc, out, _ = tatsai(capsys, "lookup", "phone", "0812345678")
    assert json.loads(out)["verdict"] == "block"
    rc, out, _ = tatsai(capsys, "lookup", "url", "https://www.scb.co.th/")
    assert json.loads(out)["verdict"] == "allow"

    rc, out, _ = tatsai(capsys, "indicators", "export", "--format", "e164")
    assert "+66812345678" in out.splitlines()
    bundle = tmp_path / "bundle.json"
    rc, _, _ = tatsai(capsys, "indicators", "export", "--format", "stix", "--output", str(bundle))
    assert rc == 0
    assert json.loads(bundle.read_text())["type"] == "bundle"

    handover = tmp_path / "mules.csv"
    handover.write_text(
        "type,value,categories,confidence,note,channel,reference,tlp\n"
        "bank_account,004-1234567890,mule_account,90,,analysis:money,run-9,AMBER\n"
    )
    rc, out, err = tatsai(capsys, "indicators", "import", "--format", "csv", str(handover))
    assert rc == 0, err
    assert "imported 1" in out


def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    tatsai(capsys, "db", "upgrade")
    for args in (
        ["lookup", "fax", "123"],
        ["lookup", "phone", "hello"],
        ["indicators", "show", "phone", "+66812345678"],
        ["indicators", "add", "phone", "+66812345678", "--org", "nobody"],
        ["indicators", "export", "--format", "pdf"],
    ):
        rc, _, err = tatsai(capsys, *args)
        assert rc == 2, args
        assert len(err.strip().splitlines()) == 1, (args, err)


def test_import_of_a_file_that_is_not_utf8_names_it_and_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    handover = tmp_path / "mules.csv"
    handover.write_bytes(b"type,value,note\nbank_account,004-1234567890,caf\xe9\n")
    rc, _, err = tatsai(capsys, "indicators", "import", "--format", "csv", str(handover))
    assert rc == 2
    assert err == (
        f"error (file): {handover} line 2: not UTF-8 text (byte 0xe9 at offset 47); "
        "save it as UTF-8\n"
    )
