"""Earmarking with runs: a cash-out in more pieces than a run holds (an ATM withdrawal limit
splits it into as many as it takes)."""

from __future__ import annotations

import pytest

from tatsai.analytics.money.trace import EARMARK_RUN, TransferIndex, trace

from .conftest import Row, at, conserved, transfers_table
from .conftest import traced as edges

VICTIM, L1, SHOP, OLD, M2 = (
    "002-0000000001",
    "004-0000000041",
    "002-0000000077",
    "002-0000000099",
    "014-0000000021",
)


def atm_rows(between: list[Row] | None = None) -> list[Row]:
    """A lent account holding 300 of its own receives a victim's 100,000 and withdraws
    20,000 four times and 17,000 once at an ATM (97,000: the 3,000 cut stays), three
    minutes apart (``between`` goes in between the third and fourth piece); the next day
    the holder pays a shop 2,000."""
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 100_000.0, "transfer"),
    ]
    for i, amount in enumerate((20_000.0, 20_000.0, 20_000.0, 20_000.0, 17_000.0)):
        if i == 3:
            rows += between or []
        rows.append((f"atm{i}", at(40 + 3 * i), L1, None, amount, "atm_withdrawal"))
    rows.append(("shop", at(24 * 60), L1, SHOP, 2_000.0, "promptpay"))
    return rows


def test_a_cash_out_in_more_pieces_than_a_run_holds_keeps_its_cut() -> None:
    assert EARMARK_RUN == 4
    index = TransferIndex(transfers_table(atm_rows()))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    # The five pieces (97 %) are the match: each is paid from the victim's money, and the
    # cut stays on the lent account; the shop is paid from the holder's 300 and unknown money.
    assert edges(trail) == {
        "v1": 100_000.0,
        "atm0": 20_000.0,
        "atm1": 20_000.0,
        "atm2": 20_000.0,
        "atm3": 20_000.0,
        "atm4": 17_000.0,
    }
    assert SHOP not in trail.accounts
    assert trail.accounts[L1].cashed_out == pytest.approx(97_000.0)
    assert trail.accounts[L1].held == pytest.approx(3_000.0)
    assert conserved(trail) == pytest.approx(100_000.0)
    # Until 2026-11-29 no run matched (five pieces, at most four in a run): FIFO, the first
    # piece took the holder's 300 first and the shop 2,000 of the victim's money.
    fifo = trace(index, txn="v1", attribution="fifo")
    assert fifo.accounts[SHOP].received == pytest.approx(2_000.0)


def test_cash_out_pieces_with_the_cut_mixed() -> None:
    index = TransferIndex(transfers_table(atm_rows()))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    # The pieces carry only the victim's money; the 3,000 cut becomes ordinary money after
    # the holder's 300, so the shop takes 300 of the holder's and 1,700 of the cut.
    assert trail.accounts[L1].cashed_out == pytest.approx(97_000.0)
    assert trail.accounts[SHOP].received == pytest.approx(1_700.0)


def test_pieces_must_be_consecutive_cash_outs_on_one_channel() -> None:
    for between in (
        [("gift", at(47), L1, OLD, 500.0, "transfer")],  # a transfer between the pieces
        [("abroad", at(47), L1, None, 500.0, "cross_border")],  # another cash channel
    ):
        index = TransferIndex(transfers_table(atm_rows(between)))
        trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
        assert edges(trail) == edges(trace(index, txn="v1", attribution="fifo"))


def test_pieces_are_no_match_without_runs() -> None:
    # Single-outflow earmarking (``earmark_run=1``, the library's default) is unchanged.
    index = TransferIndex(transfers_table(atm_rows()))
    single = trace(index, txn="v1", attribution="earmark")
    assert edges(single) == edges(trace(index, txn="v1", attribution="fifo"))


def test_a_run_of_up_to_four_that_ends_first_still_wins() -> None:
    # The victim pays 40,000 and, before the pieces of a 97,000 cash-out, the gang passes
    # 38,800 on in one transfer, which its next account passes on: that single outflow
    # ends first and is the match. (Were the next account to keep it, the look-ahead would
    # take the first two pieces instead: they pass the money on, out of the banks.)
    rows = atm_rows()
    rows.insert(2, ("v2", at(1), VICTIM, L1, 40_000.0, "transfer"))
    rows.insert(3, ("fwd", at(20), L1, M2, 38_800.0, "transfer"))
    rows.append(("next", at(60), M2, "014-0000000022", 38_000.0, "transfer"))
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v2", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v2": 40_000.0, "fwd": 38_800.0, "next": 38_000.0}
