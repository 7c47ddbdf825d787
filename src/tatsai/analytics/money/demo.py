"""Demo stage: trace the simulated victims' money and flag the mules.

The model is trained on the mule accounts of half the gangs (as if banks had reported them)
and scores every account; the table shows what it finds among the other gangs' accounts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.table import Table

from tatsai.analytics.engine import open_engine
from tatsai.analytics.money.features import account_features
from tatsai.analytics.money.model import train
from tatsai.analytics.money.trace import TransferIndex, trace
from tatsai.sim.io import read_table, table_path
from tatsai.sim.schemas import TRANSFERS, TRUTH_MULE_ACCOUNTS, TRUTH_VICTIM_TRANSFERS

if TYPE_CHECKING:
    from tatsai.demo import DemoContext


def run(ctx: DemoContext) -> None:
    world = ctx.shared.get("world")
    paths = {}
    if world is not None:
        for table in (TRANSFERS, TRUTH_MULE_ACCOUNTS, TRUTH_VICTIM_TRANSFERS):
            paths[table.name] = table_path(Path(world), table.name)
    if world is None or not all(paths.values()):
        ctx.console.print(
            "no simulated world with transfers from an earlier stage: nothing to trace"
        )
        return
    transfers = read_table(paths["transfers"], TRANSFERS)  # type: ignore[arg-type]
    mules = read_table(paths["truth_mule_accounts"], TRUTH_MULE_ACCOUNTS)  # type: ignore[arg-type]
    victims = read_table(paths["truth_victim_transfers"], TRUTH_VICTIM_TRANSFERS)  # type: ignore[arg-type]
    gang_of = dict(
        zip(
            mules.column("account_id").to_pylist(), mules.column("gang_id").to_pylist(), strict=True
        )
    )
    gangs = sorted(set(gang_of.values()))
    known_gangs = set(gangs[::2])
    with open_engine("duckdb") as engine:
        feats = account_features(engine, transfers)
    ids = feats.column("account_id").to_pylist()
    known = np.array([gang_of.get(a) in known_gangs for a in ids])
    unknown_mule = np.array([a in gang_of and gang_of[a] not in known_gangs for a in ids])
    # Train without the other gangs' mules (left out, not labelled 0), then score everyone.
    keep = ~unknown_mule
    model = train([feats.filter(keep)], [known[keep].astype(int)])
    scores = model.predict(feats)
    flagged = scores >= model.threshold
    held_out = ~known
    tp = int((flagged & unknown_mule).sum())
    fp = int((flagged & held_out & ~unknown_mule).sum())
    ctx.console.print(
        f"{len(ids):,} accounts, {transfers.num_rows:,} transfers; trained on {len(known_gangs)} "
        f"of {len(gangs)} gangs' mules. Other gangs: {tp} of {int(unknown_mule.sum())} mules "
        f"found, {fp} ordinary accounts flagged (threshold {model.threshold:.2f})"
    )
    index = TransferIndex(transfers)
    shown = Table(title="victims' money, traced 5 hops / 72 h")
    for column in (
        "victim transfer",
        "THB",
        "accounts",
        "ended at mules",
        "cashed out",
        "freeze first",
    ):
        shown.add_column(column)
    for txn in victims.column("txn_id").to_pylist()[:8]:
        trail = trace(index, txn=txn, hops=5)
        # Where the traced money ended: still held by, or cashed out from, mule accounts.
        to_mules = sum(
            a.held + a.cashed_out for a in trail.accounts.values() if a.account_id in gang_of
        )
        top = trail.freeze_points(1)
        shown.add_row(
            txn,
            f"{trail.traced_amount:,.0f}",
            str(len(trail.accounts) - 1),
            f"{to_mules / max(trail.traced_amount, 1):.0%}",
            f"{trail.cashed_out:,.0f}",
            f"{top[0].account_id} ({top[0].held:,.0f})" if top else "-",
        )
    ctx.console.print(shown)
