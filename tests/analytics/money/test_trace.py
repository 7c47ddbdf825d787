from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tatsai.analytics.money import export
from tatsai.analytics.money.trace import TransferIndex, trace
from tatsai.core.errors import InvalidInput, NotFound

from .conftest import T0, World, transfers_table

VICTIM, M1, M2, M3, M4 = (
    "002-0000000001", "004-0000000011", "014-0000000021", "014-0000000022", "004-0000000031",
)  # fmt: skip


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


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
