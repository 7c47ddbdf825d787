"""Transfers arranged for tracing: each account's outgoing and incoming transfers by time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.analytics.money.features import CASH_OUT_CHANNELS
from tatsai.core.errors import NotFound

EPSILON = 1e-9


class TransferIndex:
    """Transfers arranged for tracing: each account's outgoing and incoming transfers by time."""

    def __init__(self, transfers: pa.Table) -> None:
        self.txn_ids = transfers.column("txn_id").combine_chunks()
        micros = pc.cast(transfers.column("ts"), pa.int64()).to_numpy(zero_copy_only=False)
        self.ts = micros // 1_000_000
        self.amount = transfers.column("amount_thb").to_numpy(zero_copy_only=False).astype(float)
        channel = transfers.column("channel").combine_chunks()
        cash = pc.is_in(channel, pa.array(CASH_OUT_CHANNELS)).to_numpy(zero_copy_only=False)
        dst_null = pc.is_null(transfers.column("dst_account")).to_numpy(zero_copy_only=False)
        self.cash = cash | dst_null
        self.channel = channel
        both = pa.concat_arrays(
            [
                transfers.column("src_account").combine_chunks(),
                transfers.column("dst_account").combine_chunks(),
            ]
        )
        encoded = pc.dictionary_encode(both)
        self.accounts: list[str] = encoded.dictionary.to_pylist()
        self.account_index = {a: i for i, a in enumerate(self.accounts) if a is not None}
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        n = transfers.num_rows
        self.src = codes[:n].astype(np.int64)
        self.dst = codes[n:].astype(np.int64)
        self._rows: dict[str, int] | None = None
        self.out_order, self.out_ptr = self._group(self.src)
        self.in_order, self.in_ptr = self._group(self.dst)

    def _group(self, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((self.ts, owner))
        sorted_owner = owner[order]
        ptr = np.searchsorted(sorted_owner, np.arange(len(self.accounts) + 1))
        return order, ptr

    def row_of(self, txn_id: str) -> int:
        if self._rows is None:  # built on first use: a trace by account never needs it
            ids = self.txn_ids.to_pylist()
            self._rows = dict(zip(ids, range(len(ids)), strict=True))
        row = self._rows.get(txn_id)
        if row is None:
            raise NotFound(f"no transfer with txn_id {txn_id!r}", field="txn")
        return row

    def rows(self, account: int, *, outgoing: bool, start: int, end: int) -> np.ndarray:
        """Rows of ``account``'s transfers with ``start <= ts <= end``, in time order."""
        order, ptr = (self.out_order, self.out_ptr) if outgoing else (self.in_order, self.in_ptr)
        rows = order[ptr[account] : ptr[account + 1]]
        times = self.ts[rows]
        lo, hi = np.searchsorted(times, start, "left"), np.searchsorted(times, end, "right")
        return rows[lo:hi]

    def history(self, account: int, before: int) -> tuple[float, bool]:
        """Net balance rebuilt from ``account``'s transfers before ``before`` and whether it is
        known (the rebuilt running balance never went below zero)."""
        rows = np.concatenate(
            [self.rows(account, outgoing=False, start=-(2**62), end=before - 1),
             self.rows(account, outgoing=True, start=-(2**62), end=before - 1)]
        )  # fmt: skip
        if len(rows) == 0:
            return 0.0, True
        signed = np.where(self.dst[rows] == account, self.amount[rows], -self.amount[rows])
        order = np.lexsort((-signed, self.ts[rows]))  # inflows first within the same second
        running = np.cumsum(signed[order])
        return float(running[-1]), bool(running.min() >= -EPSILON)
