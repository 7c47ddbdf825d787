from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money import export
from tatsai.analytics.money.trace import TransferIndex, trace
from tatsai.cli import main
from tatsai.core.errors import InvalidInput, NotFound

from .conftest import World, at, transfers_table

VICTIM, M1, M2, M3, M4 = (
    "002-0000000001", "004-0000000011", "014-0000000021", "014-0000000022", "004-0000000031",
)  # fmt: skip


def chain() -> TransferIndex:
    rows = [
        # M1 held 1,000 before the scam (received earlier, so its balance is known): FIFO
        ("pre", at(-60), "002-0000000099", M1, 1_000.0, "transfer"),
        ("v1", at(0), VICTIM, M1, 10_000.0, "transfer"),
        ("a", at(5), M1, M2, 6_000.0, "transfer"),  # 1,000 old money first, 5,000 traced
        ("b", at(6), M1, M3, 5_000.0, "transfer"),  # 5,000 traced
        ("c", at(30), M2, None, 4_000.0, "atm_withdrawal"),
        ("d", at(40), M3, M4, 5_000.0, "transfer"),
        ("e", at(50), M4, M1, 2_000.0, "transfer"),  # a cycle back to M1
        ("late", at(60 * 100), M2, M4, 500.0, "transfer"),  # outside a 72h window
    ]
    return TransferIndex(transfers_table(rows))


def test_fifo_attribution_cash_out_and_freeze_points() -> None:
    trail = trace(chain(), txn="v1", hops=5, window_s=72 * 3600)
    acc = trail.accounts
    assert trail.traced_amount == 10_000.0
    assert acc[M1].rule == "fifo"
    assert acc[M2].received == pytest.approx(5_000.0)
    assert acc[M3].received == pytest.approx(5_000.0)
    # One transfer is one piece: M2's 6,000 is 5/6 traced, so 5/6 of its 4,000 cash-out is.
    assert acc[M2].cashed_out == pytest.approx(4_000.0 * 5 / 6)
    assert acc[M4].received == pytest.approx(5_000.0)
    # Money coming back to M1 round the cycle is traced again.
    assert acc[M1].received == pytest.approx(12_000.0)
    held = {a.account_id: round(a.held, 2) for a in trail.freeze_points()}
    assert held == {M4: 3_000.0, M1: 2_000.0, M2: 1_666.67}
    # Nothing is created or lost: held + cashed out == the amount traced.
    total = sum(a.held for a in acc.values()) + trail.cashed_out
    assert total == pytest.approx(10_000.0)


def test_hops_limit_stops_following() -> None:
    trail = trace(chain(), txn="v1", hops=1, window_s=72 * 3600)
    assert set(trail.accounts) == {VICTIM, M1}
    assert trail.accounts[M1].held == pytest.approx(10_000.0)


@pytest.mark.parametrize("attribution", ["fifo", "earmark"])
def test_money_back_from_an_account_at_the_hop_limit_is_traced(attribution: str) -> None:
    rows = [
        ("v1", at(0), VICTIM, M1, 1_000.0, "transfer"),
        ("own", at(1), "002-0000000099", M1, 700.0, "transfer"),  # untraced, taken in lazily
        ("a", at(5), M1, M2, 1_000.0, "transfer"),  # M2 is at the hop limit: not followed
        ("back", at(10), M2, M1, 500.0, "transfer"),  # but what it sends M1 is traced
        ("b", at(20), M1, M3, 1_200.0, "transfer"),
    ]
    trail = trace(
        TransferIndex(transfers_table(rows)),
        txn="v1",
        hops=2,
        attribution=attribution,  # type: ignore[arg-type]
    )
    assert trail.accounts[M1].received == pytest.approx(1_500.0)
    assert trail.accounts[M2].sent == pytest.approx(500.0)
    # The 700 own money (in before the 500 came back) leaves first.
    assert trail.accounts[M3].received == pytest.approx(500.0)
    assert M4 not in trail.accounts


def test_window_limits_time() -> None:
    trail = trace(chain(), txn="v1", hops=5, window_s=20 * 60)
    assert M4 not in trail.accounts
    assert trail.accounts[M2].cashed_out == 0.0


def test_proportional_when_the_balance_is_unknown() -> None:
    rows = [
        # M1 sent money before receiving any: it held money from before the data
        ("x", at(-120), M1, "002-0000000098", 500.0, "transfer"),
        ("y", at(-100), "002-0000000099", M1, 3_000.0, "transfer"),
        ("v1", at(0), VICTIM, M1, 2_500.0, "transfer"),
        ("a", at(5), M1, M2, 1_000.0, "transfer"),
    ]
    trail = trace(TransferIndex(transfers_table(rows)), txn="v1")
    assert trail.accounts[M1].rule == "proportional"
    # Balance before arrival: 3,000 - 500 = 2,500 over the window; half of 5,000 is traced.
    assert trail.accounts[M2].received == pytest.approx(500.0)


def test_trace_from_account_and_errors() -> None:
    trail = trace(chain(), account=M3, hops=2)
    assert trail.traced_amount == 5_000.0
    assert trail.accounts[M4].received == pytest.approx(5_000.0)
    with pytest.raises(NotFound):
        trace(chain(), txn="nope")
    with pytest.raises(InvalidInput):
        trace(chain(), txn="v1", account=M1)


def test_outputs_json_ftm_graphml_freeze(tmp_path: Path) -> None:
    trail = trace(chain(), txn="v1")
    data = export.trail_json(trail)
    assert data["freeze_points"][0]["account_id"] == M4
    entities = export.trail_ftm(trail)
    schemas = {e["schema"] for e in entities}
    assert schemas == {"BankAccount", "Payment"}
    payments = [e for e in entities if e["schema"] == "Payment"]
    assert len(payments) == len(trail.edges)
    export.trail_graphml(trail, tmp_path / "t.graphml")
    assert "<graphml" in (tmp_path / "t.graphml").read_text()
    rows = export.freeze_rows(trail, None, reference="case-1")
    assert {r["bank"] for r in rows} == {"004", "014"}
    json.dumps(data)


def test_simulated_rings_are_traced_to_the_atm(small_world: World) -> None:
    index = TransferIndex(small_world.transfers)
    for txn in small_world.victim_txns[:5]:
        trail = trace(index, txn=txn, hops=5)
        recovered = sum(a.held for a in trail.accounts.values()) + trail.cashed_out
        mule_share = sum(
            a.received for a in trail.accounts.values() if a.account_id in small_world.mules
        )
        assert recovered == pytest.approx(trail.traced_amount, rel=1e-6)
        assert mule_share >= 0.95 * trail.traced_amount


L1, SHOP = "004-0000000041", "002-0000000077"


def lent_account_rows() -> list[tuple[str, dt.datetime, str, str | None, float, str]]:
    return [
        # An ordinary person's account lent to the gang: 300 of its own before the scam.
        ("pre", at(-60), "002-0000000099", L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 5_000.0, "transfer"),
        ("salary", at(2), "002-0000000098", L1, 2_000.0, "transfer"),  # own money, after
        ("shop", at(5), L1, SHOP, 1_000.0, "transfer"),  # the holder's everyday payment
        ("fwd", at(20), L1, M2, 5_000.0, "transfer"),  # the gang's forward
        ("cash", at(30), M2, None, 5_000.0, "atm_withdrawal"),
    ]


def lent_account() -> TransferIndex:
    return TransferIndex(transfers_table(lent_account_rows()))


def test_fifo_and_libr_differ_on_a_lent_account() -> None:
    fifo = trace(lent_account(), txn="v1", attribution="fifo")
    # FIFO: the payment takes the 300 old money, then 700 of the victim's; the forward takes
    # the 4,300 left of it before the salary.
    assert fifo.accounts[L1].rule == "fifo"
    assert fifo.accounts[SHOP].received == pytest.approx(700.0)
    assert fifo.accounts[M2].received == pytest.approx(4_300.0)
    assert fifo.accounts[M2].cashed_out == pytest.approx(4_300.0)
    assert fifo.accounts[L1].held == pytest.approx(0.0)

    libr = trace(lent_account(), txn="v1", attribution="libr")
    # LIBR: the holder's own 2,300 pays the 1,000 first, so no traced money goes to the shop;
    # the forward of 5,000 takes the 1,300 own money left, then 3,700 traced; 1,300 traced
    # stays on the account (its lowest balance afterwards).
    assert libr.accounts[L1].rule == "libr"
    assert SHOP not in libr.accounts
    assert libr.accounts[M2].received == pytest.approx(3_700.0)
    assert libr.accounts[M2].cashed_out == pytest.approx(3_700.0)
    assert libr.accounts[L1].held == pytest.approx(1_300.0)
    for trail in (fifo, libr):
        total = sum(a.held for a in trail.accounts.values()) + trail.cashed_out
        assert total == pytest.approx(5_000.0)


def test_libr_is_not_replenished_by_later_deposits() -> None:
    rows = [
        ("v1", at(0), VICTIM, L1, 5_000.0, "transfer"),
        ("spend", at(5), L1, SHOP, 4_000.0, "transfer"),  # balance down to 1,000
        ("refill", at(10), "002-0000000098", L1, 9_000.0, "transfer"),  # untraced
        ("fwd", at(20), L1, M2, 2_000.0, "transfer"),
    ]
    trail = trace(TransferIndex(transfers_table(rows)), txn="v1", attribution="libr")
    # No own money: the 4,000 is all traced; 1,000 traced stays (the lowest balance) and the
    # later 9,000 does not bring any back; the forward is paid from that own 9,000 first.
    assert trail.accounts[SHOP].received == pytest.approx(4_000.0)
    assert M2 not in trail.accounts
    assert trail.accounts[L1].held == pytest.approx(1_000.0)


def test_fifo_and_libr_agree_when_all_money_moves_on() -> None:
    rows = [
        ("pre", at(-60), "002-0000000099", L1, 1_000.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 4_000.0, "transfer"),
        ("fwd", at(10), L1, M2, 5_000.0, "transfer"),  # everything the account holds
        ("cash", at(20), M2, None, 5_000.0, "atm_withdrawal"),
    ]
    index = TransferIndex(transfers_table(rows))
    for rule in ("fifo", "libr"):
        trail = trace(index, txn="v1", attribution=rule)  # type: ignore[arg-type]
        assert trail.accounts[M2].received == pytest.approx(4_000.0)
        assert trail.accounts[M2].cashed_out == pytest.approx(4_000.0)
        assert trail.accounts[L1].held == pytest.approx(0.0)


def test_libr_with_an_unknown_balance_and_bad_rule() -> None:
    rows = [
        ("x", at(-120), M1, "002-0000000098", 500.0, "transfer"),
        ("y", at(-100), "002-0000000099", M1, 3_000.0, "transfer"),
        ("v1", at(0), VICTIM, M1, 2_500.0, "transfer"),
        ("a", at(5), M1, M2, 1_000.0, "transfer"),
        ("b", at(6), M1, M3, 3_000.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="libr")
    # Balance before arrival: 2,500 net over the window, spent first: 1,000 of it, then the
    # next 3,000 is 1,500 own and 1,500 traced.
    assert trail.accounts[M1].rule == "libr"
    assert M2 not in trail.accounts
    assert trail.accounts[M3].received == pytest.approx(1_500.0)
    assert trail.accounts[M1].held == pytest.approx(1_000.0)
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="lifo")  # type: ignore[arg-type]
    assert bad.value.field == "attribution"


def test_cli_attribution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(lent_account_rows()), path)
    held = {}
    for rule in ("fifo", "libr"):
        out = tmp_path / f"{rule}.json"
        with pytest.raises(SystemExit) as ok:
            main(["money", "trace", "--transfers", str(path), "--txn", "v1",
                  "--attribution", rule, "--output", str(out)])  # fmt: skip
        assert ok.value.code == 0
        points = json.loads(out.read_text())["freeze_points"]
        held[rule] = {p["account_id"]: p for p in points}
    assert L1 not in held["fifo"]
    assert held["fifo"][SHOP]["held_thb"] == 700.0
    assert held["libr"][L1]["held_thb"] == 1_300.0
    assert SHOP not in held["libr"]
    with pytest.raises(SystemExit) as done:
        main(["money", "trace", "--transfers", str(path), "--txn", "v1", "--attribution", "x"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "attribution" in err
    assert len(err.strip().splitlines()) == 1


def lent_without_savings_rows(
    forward: float, forward_at: float = 30.0
) -> list[tuple[str, dt.datetime, str, str | None, float, str]]:
    return [
        # A lent account with 300 of its own; the holder pays a shop before the gang forwards.
        ("pre", at(-60), "002-0000000099", L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("shop", at(5), L1, SHOP, 500.0, "transfer"),
        ("fwd", at(forward_at), L1, M2, forward, "transfer"),
        ("cash", at(forward_at + 10), M2, None, forward, "atm_withdrawal"),
    ]


def test_earmark_matches_the_forward_that_fifo_misses() -> None:
    index = TransferIndex(transfers_table(lent_without_savings_rows(2_910.0)))  # a 3 % cut
    fifo = trace(index, txn="v1", attribution="fifo")
    # FIFO: the shop payment takes the 300 old money and 200 of the victim's; the forward
    # takes the 2,800 left and 110 of unknown money.
    assert fifo.accounts[SHOP].received == pytest.approx(200.0)
    assert fifo.accounts[M2].cashed_out == pytest.approx(2_800.0)
    earmark = trace(index, txn="v1", attribution="earmark")
    # Earmark: the forward (3 % less, 30 minutes later) is matched to the victim's payment
    # and paid from it; the shop payment comes from the 300 old money and 200 unknown money;
    # the 90 cut stays on the lent account.
    assert earmark.accounts[L1].rule == "earmark"
    assert SHOP not in earmark.accounts
    assert earmark.accounts[M2].received == pytest.approx(2_910.0)
    assert earmark.accounts[M2].cashed_out == pytest.approx(2_910.0)
    assert earmark.accounts[L1].held == pytest.approx(90.0)
    total = sum(a.held for a in earmark.accounts.values()) + earmark.cashed_out
    assert total == pytest.approx(3_000.0)


@pytest.mark.parametrize(
    ("forward", "forward_at", "delay_s"),
    [
        (2_800.0, 30.0, 24 * 3600),  # 6.7 % less than the victim's payment: beyond 5 %
        (3_010.0, 30.0, 24 * 3600),  # more than the victim's payment
        (2_910.0, 60 * 25, 24 * 3600),  # 25 hours later: beyond the delay
        (2_910.0, 30.0, 20 * 60),  # 30 minutes later with a 20-minute delay
    ],
)
def test_earmark_without_a_match_is_fifo(forward: float, forward_at: float, delay_s: int) -> None:
    index = TransferIndex(transfers_table(lent_without_savings_rows(forward, forward_at)))
    fifo = trace(index, txn="v1", attribution="fifo")
    earmark = trace(index, txn="v1", attribution="earmark", earmark_delay_s=delay_s)
    assert earmark.accounts[SHOP].received == pytest.approx(200.0)
    assert set(earmark.accounts) == set(fifo.accounts)
    for name, got in earmark.accounts.items():
        want = fifo.accounts[name]
        assert (got.received, got.sent, got.cashed_out) == pytest.approx(
            (want.received, want.sent, want.cashed_out)
        )
    assert [(e.txn_id, e.traced) for e in earmark.edges] == [
        (e.txn_id, pytest.approx(e.traced)) for e in fifo.edges
    ]


def test_earmark_pairs_untraced_money_too_and_keeps_fifo_order_for_the_rest() -> None:
    rows = [
        ("v1", at(0), VICTIM, L1, 5_000.0, "transfer"),
        ("salary", at(2), "002-0000000098", L1, 2_000.0, "transfer"),
        ("rent", at(3), L1, SHOP, 2_000.0, "transfer"),  # matches the salary, not the victim
        ("fwd", at(20), L1, M2, 4_900.0, "transfer"),  # matches the victim's payment
        ("late", at(40), L1, M3, 150.0, "transfer"),  # the 100 cut first (FIFO), then 50
    ]
    index = TransferIndex(transfers_table(rows))
    fifo = trace(index, txn="v1", attribution="fifo")
    assert fifo.accounts[SHOP].received == pytest.approx(2_000.0)
    assert fifo.accounts[M2].received == pytest.approx(3_000.0)
    earmark = trace(index, txn="v1", attribution="earmark")
    assert SHOP not in earmark.accounts
    assert earmark.accounts[M2].received == pytest.approx(4_900.0)
    assert earmark.accounts[M3].received == pytest.approx(100.0)
    assert earmark.accounts[L1].held == pytest.approx(0.0)


def test_earmark_with_an_unknown_balance_and_one_match_per_outflow() -> None:
    rows = [
        ("x", at(-120), M1, "002-0000000098", 500.0, "transfer"),
        ("y", at(-100), "002-0000000099", M1, 3_000.0, "transfer"),
        ("v1", at(0), VICTIM, M1, 2_500.0, "transfer"),
        ("a", at(5), M1, M2, 1_000.0, "transfer"),
        ("b", at(6), M1, M3, 2_450.0, "transfer"),
        ("v2", at(5.5), M4, M1, 2_500.0, "transfer"),  # same amount, but b is matched
        ("c", at(9), M1, "002-0000000097", 4_000.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    fifo = trace(index, txn="v1", attribution="fifo")
    # Proportional: the balance before arrival is 2,500 (net over the window), so half of
    # the 1,000 is traced; then 2,000 traced of 6,500 after v2.
    assert fifo.accounts[M1].rule == "proportional"
    assert fifo.accounts[M2].received == pytest.approx(500.0)
    assert fifo.accounts[M3].received == pytest.approx(2_450 * 2_000 / 6_500)
    earmark = trace(index, txn="v1", attribution="earmark")
    # The victim's 2,500 is set aside for b (2 % less): the 1,000 is all own money; v2 finds
    # b matched already and joins the balance; the 50 left after b joins it too (4,050, 50
    # traced): c takes 4,000 × 50 / 4,050.
    assert earmark.accounts[M1].rule == "earmark+proportional"
    assert M2 not in earmark.accounts
    assert earmark.accounts[M3].received == pytest.approx(2_450.0)
    assert earmark.accounts["002-0000000097"].received == pytest.approx(4_000 * 50 / 4_050)
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="earmark", earmark_tolerance=1.0)
    assert bad.value.field == "earmark_tolerance"


def test_cli_earmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(lent_without_savings_rows(2_910.0)), path)
    out = tmp_path / "earmark.json"
    args = ["money", "trace", "--transfers", str(path), "--txn", "v1", "--attribution"]
    with pytest.raises(SystemExit) as ok:
        main([*args, "earmark", "--output", str(out)])
    assert ok.value.code == 0
    trail = json.loads(out.read_text())
    points = {p["account_id"]: p for p in trail["freeze_points"]}
    assert points[L1]["held_thb"] == 90.0
    assert SHOP not in points
    for bad in (["--earmark-tolerance", "1.5"], ["--earmark-delay", "soon"]):
        with pytest.raises(SystemExit) as done:
            main([*args, "earmark", *bad])
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert "earmark" in err
        assert len(err.strip().splitlines()) == 1
