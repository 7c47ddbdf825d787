"""Earmarking: what becomes of a matched transfer's cut (``earmark_cut``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.trace import Trail, TransferIndex, trace
from tatsai.cli import main
from tatsai.core.errors import InvalidInput

from .conftest import Row, World, at, cli_trace_held, conserved, transfers_table
from .test_evaluate import write_world

VICTIM, L1, SHOP, FRIEND = "002-0000000001", "004-0000000041", "002-0000000077", "014-0000000078"
M1, M2, M3 = "004-0000000011", "014-0000000021", "014-0000000022"


def lent_rows(before: list[Row]) -> list[Row]:
    """A lent account receives a victim's 3,000; 30 minutes later the gang forwards 2,910 (the
    90 left is the mule's cut); the next day the holder pays a shop 400 and a friend 50."""
    return [
        *before,
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("fwd", at(30), L1, M2, 2_910.0, "transfer"),
        ("shop", at(24 * 60), L1, SHOP, 400.0, "transfer"),
        ("friend", at(24 * 60 + 5), L1, FRIEND, 50.0, "transfer"),
    ]


def edges(trail: Trail) -> list[tuple[str, float]]:
    return [(e.txn_id, round(e.traced, 6)) for e in trail.edges]


def test_a_known_balance_keeps_the_cut_off_the_holders_payments() -> None:
    # The holder had 300 before (a known balance: FIFO for money that is not earmarked).
    index = TransferIndex(
        transfers_table(lent_rows([("pre", at(-60), "002-0000000099", L1, 300.0, "transfer")]))
    )
    mix = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    # The 90 cut joins the queue behind the holder's 300: the shop's 400 takes both (and 10
    # unknown money), so the shop gets the whole cut.
    assert mix.accounts[M2].received == pytest.approx(2_910.0)
    assert mix.accounts[SHOP].received == pytest.approx(90.0)
    assert FRIEND not in mix.accounts
    assert mix.accounts[L1].held == pytest.approx(0.0)
    keep = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    # Kept, the cut pays neither payment (the shop's 100 beyond the 300 and the friend's 50
    # are unknown money) and stays on the lent account.
    assert keep.accounts[M2].received == pytest.approx(2_910.0)
    assert SHOP not in keep.accounts
    assert FRIEND not in keep.accounts
    assert keep.accounts[L1].held == pytest.approx(90.0)
    assert conserved(mix) == pytest.approx(3_000.0)
    assert conserved(keep) == pytest.approx(3_000.0)


def test_an_unknown_balance_keeps_the_cut_too() -> None:
    # The history goes negative (money from before the data): proportional for the rest, with
    # a balance of 600 - 500 = 100 before the victim's payment.
    before: list[Row] = [
        ("x", at(-120), L1, "002-0000000098", 500.0, "transfer"),
        ("y", at(-100), "002-0000000099", L1, 600.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(lent_rows(before)))
    mix = trace(index, txn="v1", attribution="earmark")
    assert mix.accounts[L1].rule == "earmark+proportional"
    # Balance 100 + 90 cut: the shop's 400 (more than the 190) takes all 90 traced.
    assert mix.accounts[SHOP].received == pytest.approx(90.0)
    keep = trace(index, txn="v1", attribution="earmark", earmark_cut="keep")
    assert SHOP not in keep.accounts
    assert keep.accounts[L1].held == pytest.approx(90.0)
    assert conserved(keep) == pytest.approx(3_000.0)


def test_only_the_traced_part_of_a_cut_is_kept() -> None:
    # M1 mixes the victim's 2,000 with 2,000 of other money and passes 4,000 to L1 (half
    # traced); L1 pays it on in a run of 2,000 + 1,900 and keeps a 100 cut, 50 of it traced.
    rows: list[Row] = [
        ("v1", at(0), VICTIM, M1, 2_000.0, "transfer"),
        ("s", at(1), "002-0000000097", M1, 2_000.0, "transfer"),
        ("m", at(5), M1, L1, 4_000.0, "transfer"),
        ("a", at(30), L1, M2, 2_000.0, "transfer"),
        ("b", at(31), L1, M3, 1_900.0, "transfer"),
        ("shop", at(90), L1, SHOP, 100.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    mix = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert mix.accounts[SHOP].received == pytest.approx(50.0)
    keep = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert keep.accounts[M2].received == pytest.approx(1_000.0)
    assert keep.accounts[M3].received == pytest.approx(950.0)
    # The untraced 50 of the cut is ordinary money: it pays half the shop, the rest is unknown.
    assert SHOP not in keep.accounts
    assert keep.accounts[L1].held == pytest.approx(50.0)
    assert conserved(keep) == pytest.approx(2_000.0)


@pytest.mark.parametrize("attribution", ["fifo", "libr"])
def test_the_cut_rule_changes_nothing_but_earmarking(attribution: str) -> None:
    index = TransferIndex(
        transfers_table(lent_rows([("pre", at(-60), "002-0000000099", L1, 300.0, "transfer")]))
    )
    plain = trace(index, txn="v1", attribution=attribution)  # type: ignore[arg-type]
    kept = trace(index, txn="v1", attribution=attribution, earmark_cut="keep")  # type: ignore[arg-type]
    assert edges(plain) == edges(kept)


def test_without_a_match_keeping_the_cut_changes_nothing() -> None:
    # The gang forwards 2,000 (67 %): no earmark, FIFO for all, whatever the cut rule.
    rows = [
        r if r[0] != "fwd" else ("fwd", at(30), L1, M2, 2_000.0, "transfer")
        for r in lent_rows([("pre", at(-60), "002-0000000099", L1, 300.0, "transfer")])
    ]
    index = TransferIndex(transfers_table(rows))
    mix = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    keep = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(mix) == edges(keep)
    assert keep.accounts[SHOP].received > 0


def test_a_bad_cut_rule_is_refused() -> None:
    index = TransferIndex(transfers_table(lent_rows([])))
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="earmark", earmark_cut="spend")  # type: ignore[arg-type]
    assert bad.value.field == "earmark_cut"


def test_cli_trace_keeps_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    rows = lent_rows([("pre", at(-60), "002-0000000099", L1, 300.0, "transfer")])
    pq.write_table(transfers_table(rows), path)
    held = {
        cut: cli_trace_held(
            path,
            tmp_path / f"{cut}.json",
            ["--attribution", "earmark", *([] if cut == "default" else ["--earmark-cut", cut])],
        )
        for cut in ("mix", "keep", "default")
    }
    assert held["mix"][SHOP] == 90.0
    assert held["keep"] == {M2: 2_910.0, L1: 90.0}
    assert held["default"] == held["mix"]
    with pytest.raises(SystemExit) as bad:
        main(["money", "trace", "--transfers", str(path), "--txn", "v1", "--earmark-cut", "x"])
    assert bad.value.code != 0


def test_cli_eval_traces_with_the_cut_kept(
    tmp_path: Path, other_world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world = write_world(tmp_path / "world", other_world)
    with pytest.raises(SystemExit) as ok:
        main(["money", "eval-traces", "--world", str(world), "--rules", "earmark-keep"])
    assert ok.value.code == 0
    out = capsys.readouterr().out
    assert "| earmark + runs (≤ 4 outflows), cut kept |" in out
    assert "| earmark + runs (≤ 4 outflows) |" not in out
