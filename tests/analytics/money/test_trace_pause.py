"""Earmarking with runs: runs whose parts leave in one go (``earmark_pause_s``) come before
runs whose parts are spread out."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.trace import EARMARK_PAUSE_S, TransferIndex, trace
from tatsai.core.errors import InvalidInput

from .conftest import Row, at, cli_trace_held, transfers_table
from .conftest import traced as edges

VICTIM, L1, SHOP, OLD = "002-0000000001", "004-0000000041", "002-0000000077", "002-0000000099"
M2, M3, M4 = "014-0000000021", "014-0000000022", "004-0000000031"


def holder_before_rows(spread: float = 2.0) -> list[Row]:
    """A lent account holding 300 of its own receives a victim's 10,000; 20 minutes later
    the holder pays a shop 500, and half an hour after that the gang fans out 4,000 + 5,200
    + 600 = 9,800 (98 %), ``spread`` minutes apart."""
    return [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 10_000.0, "transfer"),
        ("shop", at(20), L1, SHOP, 500.0, "promptpay"),
        ("a", at(50), L1, M2, 4_000.0, "transfer"),
        ("b", at(50 + spread), L1, M3, 5_200.0, "transfer"),
        ("c", at(50 + 2 * spread), L1, M4, 600.0, "transfer"),
    ]


def test_a_run_in_one_go_beats_one_that_takes_a_holders_earlier_payment() -> None:
    assert EARMARK_PAUSE_S == 15 * 60
    index = TransferIndex(transfers_table(holder_before_rows()))
    # 500 + 4,000 + 5,200 = 9,700 (97 %) fits too and ends before the gang's third part, but
    # the shop's payment left half an hour before the gang's first: the gang's three parts,
    # a minute or two apart, are the run, and the shop is paid from the holder's 300 and
    # unknown money (until 2026-11-29 the run that ended first was the match, and the shop
    # took 500 of the victim's money).
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 10_000.0, "a": 4_000.0, "b": 5_200.0, "c": 600.0}
    assert SHOP not in trail.accounts
    assert trail.accounts[L1].held == pytest.approx(200.0)
    # Without the pause (any spread counts as one go) the earlier-ending run wins.
    anyhow = trace(
        index,
        txn="v1",
        attribution="earmark",
        earmark_run=4,
        earmark_cut="keep",
        earmark_pause_s=24 * 3600,
    )
    assert edges(anyhow) == {"v1": 10_000.0, "shop": 500.0, "a": 4_000.0, "b": 5_200.0}


def test_spread_out_runs_still_match_when_nothing_leaves_in_one_go() -> None:
    # The gang's parts leave 20 minutes apart: no run is in one go, so the rule is the one
    # before: the run that ends first (with the shop's payment) is the match.
    index = TransferIndex(transfers_table(holder_before_rows(spread=20.0)))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 10_000.0, "shop": 500.0, "a": 4_000.0, "b": 5_200.0}


def test_a_single_outflow_is_always_in_one_go() -> None:
    # A late single outflow within 5 % of the payment does not beat the gang's run that
    # left before it; an early one wins over a later run.
    rows = holder_before_rows()
    rows.append(("late", at(16 * 60), L1, OLD, 9_700.0, "transfer"))
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 10_000.0, "a": 4_000.0, "b": 5_200.0, "c": 600.0}
    rows = holder_before_rows()
    rows[2] = ("fwd", at(20), L1, M2, 9_700.0, "transfer")
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 10_000.0, "fwd": 9_700.0}


def test_pause_must_not_be_negative() -> None:
    index = TransferIndex(transfers_table(holder_before_rows()))
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_pause_s=-1)
    assert bad.value.field == "earmark_pause"


def test_cli_trace_with_the_pause(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(holder_before_rows()), path)
    options = ["--attribution", "earmark", "--earmark-cut", "keep"]
    default = cli_trace_held(path, tmp_path / "default.json", options)
    assert SHOP not in default
    assert default[L1] == 200.0
    anyhow = cli_trace_held(path, tmp_path / "day.json", [*options, "--earmark-pause", "24h"])
    assert anyhow[SHOP] == 500.0
