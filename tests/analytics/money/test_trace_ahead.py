"""Earmarking's look-ahead: of the outflows that could carry an incoming transfer, those whose
receiver passes the money on (a gang's next account) come before a lent account holder's own
payments, whose receiver keeps it."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.earmark import EarmarkRules, LookAhead, Outflows, cash_codes, match
from tatsai.analytics.money.trace import TransferIndex, trace

from .conftest import Row, at, cli_trace_held, conserved, transfers_table
from .conftest import traced as edges

VICTIM, L1, FRIEND, SHOP = "002-0000000001", "004-0000000041", "002-0000000077", "002-0000000088"
OLD, M2, M3, M4 = "002-0000000099", "014-0000000021", "014-0000000022", "004-0000000031"


def holder_first_rows(onward: bool = True) -> list[Row]:
    """A lent account holding 300 of its own receives a victim's 1,942.39; 20 minutes later
    the holder pays a friend 1,918.99 (98.8 %), and 4 minutes after that the gang forwards
    1,915.15 (98.6 %) to its next account, which (``onward``) passes 1,880 on within the hour.
    The friend pays a shop 150 the next morning."""
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 1_942.39, "promptpay"),
        ("friend", at(20), L1, FRIEND, 1_918.99, "promptpay"),
        ("fwd", at(24), L1, M2, 1_915.15, "transfer"),
        ("spend", at(14 * 60), FRIEND, SHOP, 150.0, "promptpay"),
    ]
    if onward:
        rows.append(("next", at(70), M2, M3, 1_880.0, "transfer"))
    return rows


def test_the_forward_whose_receiver_passes_it_on_beats_the_holders_earlier_payment() -> None:
    index = TransferIndex(transfers_table(holder_first_rows()))
    for run in (1, 4):
        trail = trace(index, txn="v1", attribution="earmark", earmark_run=run, earmark_cut="keep")
        # Both outflows fit and the friend's leaves first, but the friend keeps the money and
        # the gang's next account passes it on: the forward is the match. The friend is paid
        # from the holder's 300 and unknown money (before the look-ahead the friend took the
        # whole 1,942.39 and the gang none of it).
        assert edges(trail) == {"v1": 1_942.39, "fwd": 1_915.15, "next": 1_880.0}
        assert FRIEND not in trail.accounts
        assert trail.accounts[L1].held == pytest.approx(27.24)
        assert conserved(trail) == pytest.approx(1_942.39)
        before = trace(
            index,
            txn="v1",
            attribution="earmark",
            earmark_run=run,
            earmark_cut="keep",
            earmark_ahead=False,
        )
        assert before.accounts[FRIEND].received == pytest.approx(1_918.99)
        assert M2 not in before.accounts


def test_without_a_receiver_that_passes_it_on_the_first_match_stays() -> None:
    # The gang's next account keeps the money too (it is not followed further here): the
    # look-ahead tells the two apart no better than the statement, and the rule is as before.
    index = TransferIndex(transfers_table(holder_first_rows(onward=False)))
    on = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    off = trace(
        index,
        txn="v1",
        attribution="earmark",
        earmark_run=4,
        earmark_cut="keep",
        earmark_ahead=False,
    )
    assert edges(on) == edges(off)
    assert on.accounts[FRIEND].received == pytest.approx(1_918.99)


def test_a_cash_out_passes_the_money_on() -> None:
    rows = holder_first_rows(onward=False)
    rows[3] = ("atm", at(24), L1, None, 1_915.15, "atm_withdrawal")
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 1_942.39, "atm": 1_915.15}
    assert trail.cashed_out == pytest.approx(1_915.15)


def test_a_run_leaves_out_a_holders_payment_taken_in_addition_to_the_gangs_parts() -> None:
    # A victim's 10,000; the gang fans out 4,000 + 5,600, with the holder's 300 to a shop
    # between the parts, each part passed on within the hour. 4,000 + 300 + 5,600 (99 %) is
    # the consecutive run that fits (4,000 + 5,600 with a gap comes only when none does);
    # the shop keeps its 300, so the gang's two parts (96 %) are the match.
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 10_000.0, "transfer"),
        ("a", at(30), L1, M2, 4_000.0, "transfer"),
        ("shop", at(31), L1, SHOP, 300.0, "promptpay"),
        ("b", at(33), L1, M3, 5_600.0, "transfer"),
        ("a2", at(60), M2, M4, 3_900.0, "transfer"),
        ("b2", at(65), M3, M4, 5_450.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert SHOP not in trail.accounts
    assert trail.accounts[L1].held == pytest.approx(400.0)
    assert trail.accounts[M4].received == pytest.approx(9_350.0)
    off = trace(
        index,
        txn="v1",
        attribution="earmark",
        earmark_run=4,
        earmark_cut="keep",
        earmark_ahead=False,
    )
    assert off.accounts[SHOP].received == pytest.approx(300.0)


def test_a_receiver_that_passes_on_too_little_is_a_stop() -> None:
    rows = holder_first_rows(onward=False)
    rows.append(("part", at(70), M2, M3, 1_500.0, "transfer"))  # 78 % of 1,915.15
    rows.append(("late", at(24 + 25 * 60), M2, M3, 400.0, "transfer"))  # after the delay
    index = TransferIndex(transfers_table(rows))
    rules = EarmarkRules(0.05, 24 * 3600, 4, 2, 900)
    ahead = LookAhead(index, rules, end=2**62)
    row = {t: i for i, t in enumerate(index.txn_ids.to_pylist())}
    # M2 passes on 1,500 within the delay (78 %) and 400 more after it: too little.
    assert not ahead.passes_on(row["fwd"])
    assert not ahead.passes_on(row["friend"])
    longer = LookAhead(index, EarmarkRules(0.05, 26 * 3600, 4, 2, 900), end=2**62)
    assert longer.passes_on(row["fwd"])  # 1,900 within 26 h (99 %)
    # And through ``match``: the stops give way to nothing, so the first match stays.
    out_rows = index.rows(index.account_index[L1], outgoing=True, start=0, end=2**62)
    out = Outflows(
        out_rows,
        index.ts[out_rows],
        index.amount[out_rows],
        cash_codes(index, out_rows),
        ahead,
    )
    assert match(out, int(index.ts[row["v1"]]), 1_942.39, rules) == [row["friend"]]


def test_cli_trace_with_and_without_the_look_ahead(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(holder_first_rows()), path)
    options = ["--attribution", "earmark", "--earmark-cut", "keep"]
    ahead = cli_trace_held(path, tmp_path / "ahead.json", options)
    assert FRIEND not in ahead
    assert ahead[L1] == 27.24
    before = cli_trace_held(path, tmp_path / "before.json", [*options, "--no-earmark-ahead"])
    assert before[FRIEND] == 1_768.99  # 1,918.99 less the 150 it pays the shop


def test_a_payee_that_later_pays_out_a_larger_sum_still_keeps_the_money() -> None:
    # The friend pays 3,365.91 to someone 22 hours later: as much in all, but no outflow or
    # run of about 1,918.99, so the friend is a stop and the gang's forward is the match
    # (a test on the sum sent in all took the friend for a gang account).
    rows = holder_first_rows()
    rows[4] = ("spend", at(20 + 22 * 60), FRIEND, SHOP, 3_365.91, "promptpay")
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 1_942.39, "fwd": 1_915.15, "next": 1_880.0}
