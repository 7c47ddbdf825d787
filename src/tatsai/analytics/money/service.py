"""The money jobs as plain functions: train, score, and what flagged accounts become.

No database session here: callers pass tables and paths, results come back as Arrow tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.money.features import account_features
from tatsai.analytics.money.model import MuleModel
from tatsai.core.errors import InvalidInput
from tatsai.core.textfile import ARROW_NOT_UTF8, not_utf8, read_utf8

SCORES_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("score", pa.float64()), ("is_mule", pa.int8()),
     ("reasons", pa.string())]
)  # fmt: skip


def read_labels(path: Path) -> dict[str, int]:
    """``account_id,is_mule`` (0/1) from CSV (or Parquet) as a dict."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={"account_id": pa.string(), "is_mule": pa.string()}
                ),
            )
        columns = table.column_names  # decoded here: a header that is not UTF-8 fails now
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        if path.suffix != ".parquet" and (
            isinstance(exc, UnicodeDecodeError) or ARROW_NOT_UTF8 in str(exc)
        ):
            raise not_utf8(path, field="labels") from exc  # naming the line
        raise InvalidInput(f"{path}: cannot be read: {exc}", field="labels") from exc
    for column in ("account_id", "is_mule"):
        if column not in columns:
            raise InvalidInput(f"{path}: column {column!r} is missing", field="labels")
    labels: dict[str, int] = {}
    for row, (account, flag) in enumerate(
        zip(
            table.column("account_id").to_pylist(), table.column("is_mule").to_pylist(), strict=True
        ),
        start=1,
    ):
        if str(flag).strip() not in ("0", "1"):
            raise InvalidInput(f"{path} row {row}: is_mule must be 0 or 1", field="labels")
        labels[str(account)] = int(str(flag).strip())
    return labels


def read_known_mules(path: Path) -> list[str]:
    """Account ids from ``path``: a CSV with an ``account_id`` column, or one id a line."""
    try:
        lines = read_utf8(path, field="known_mules").splitlines()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc}", field="known_mules") from exc
    rows = [line.strip() for line in lines if line.strip()]
    if rows and "," in rows[0]:
        header = [h.strip() for h in rows[0].split(",")]
        if "account_id" not in header:
            raise InvalidInput(f"{path}: column 'account_id' is missing", field="known_mules")
        col = header.index("account_id")
        return [r.split(",")[col].strip() for r in rows[1:] if len(r.split(",")) > col]
    if rows and rows[0] == "account_id":
        rows = rows[1:]
    return rows


def label_vector(features: pa.Table, labels: dict[str, int]) -> np.ndarray:
    """0/1 per feature row; accounts absent from ``labels`` count as not mules."""
    return np.array([labels.get(a, 0) for a in features.column("account_id").to_pylist()])


def score_accounts(
    engine: AnalyticsEngine,
    transfers: pa.Table,
    model: MuleModel,
    *,
    known_mules: list[str] | None = None,
) -> pa.Table:
    """``account_id, score, is_mule, reasons`` for every account seen, highest score first."""
    features = account_features(engine, transfers, known_mules=known_mules)
    scores = model.predict(features)
    flagged = scores >= model.threshold
    # Reasons only for flagged accounts: per-feature contributions cost a tree walk each.
    reasons = [""] * features.num_rows
    picked = np.flatnonzero(flagged)
    for row, text in zip(picked, model.reasons(features.take(picked)), strict=True):
        reasons[row] = text
    table = pa.table(
        {
            "account_id": features.column("account_id"),
            "score": pa.array(np.round(scores, 6), pa.float64()),
            "is_mule": pa.array(flagged.astype(np.int8), pa.int8()),
            "reasons": pa.array(reasons, pa.string()),
        },
        schema=SCORES_SCHEMA,
    )
    return table.sort_by([("score", "descending"), ("account_id", "ascending")])
