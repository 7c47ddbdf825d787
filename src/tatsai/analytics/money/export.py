"""What a trail and a scoring run become: JSON, FollowTheMoney entities, GraphML, freeze
requests per bank and bank-account evidence for the registry (CSV; the registry imports it).

Account values in evidence and freeze requests are normalized by the ``bank_account``
indicator type; an id that is not a Thai bank account (e.g. AMLSim's numbers) is left out of
the evidence and kept as-is in freeze requests under bank ``unknown``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import igraph as ig
import pyarrow as pa

from tatsai.analytics.money.trace import Trail
from tatsai.indicators import evidence_file
from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.types import get_type

EVIDENCE_COLUMNS = evidence_file.COLUMNS
FREEZE_COLUMNS = ("bank", "account_id", "amount_thb", "reason", "reference")


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def trail_json(trail: Trail, top: int = 10) -> dict[str, Any]:
    """The trail as a JSON-ready dict: accounts, transfers, freeze points, totals (THB)."""
    return {
        "start": trail.start,
        "traced_amount_thb": round(trail.traced_amount, 2),
        "cashed_out_thb": round(trail.cashed_out, 2),
        "accounts": [
            {
                "account_id": a.account_id,
                "bank": a.bank,
                "hop": a.hop,
                "first_ts": _iso(a.first_ts),
                "received_thb": round(a.received, 2),
                "sent_thb": round(a.sent, 2),
                "cashed_out_thb": round(a.cashed_out, 2),
                "held_thb": round(a.held, 2),
                "attribution": a.rule,
            }
            for a in sorted(
                trail.accounts.values(), key=lambda a: (a.hop, a.first_ts, a.account_id)
            )
        ],
        "transfers": [
            {
                "txn_id": e.txn_id,
                "ts": _iso(e.ts),
                "src_account": e.src,
                "dst_account": e.dst,
                "amount_thb": round(e.amount, 2),
                "traced_thb": round(e.traced, 2),
                "channel": e.channel,
            }
            for e in trail.edges
        ],
        "freeze_points": [
            {"account_id": a.account_id, "bank": a.bank, "held_thb": round(a.held, 2)}
            for a in trail.freeze_points(top)
        ],
    }


def trail_ftm(trail: Trail) -> list[dict[str, Any]]:
    """FollowTheMoney entities: one BankAccount per account, one Payment per traced transfer."""
    # Imported here: loading the FtM model takes most of a second at start-up.
    from followthemoney import model as ftm

    accounts: dict[str, Any] = {}
    for a in trail.accounts.values():
        entity = ftm.make_entity("BankAccount")
        entity.make_id("tatsai-bank-account", a.account_id)
        entity.add("accountNumber", a.account_id)
        if a.bank:
            entity.add("bankName", a.bank)
        accounts[a.account_id] = entity
    out = [e.to_dict() for e in accounts.values()]
    for edge in trail.edges:
        payment = ftm.make_entity("Payment")
        payment.make_id("tatsai-payment", edge.txn_id)
        payment.add("transactionNumber", edge.txn_id)
        payment.add("amount", f"{edge.traced:.2f}")
        payment.add("currency", "THB")
        payment.add("date", _iso(edge.ts)[:19])
        payment.add("payerAccount", accounts[edge.src].id)
        if edge.dst is not None and edge.dst in accounts:
            payment.add("beneficiaryAccount", accounts[edge.dst].id)
        payment.add("description", f"{edge.channel}; {edge.amount:.2f} THB moved")
        out.append(payment.to_dict())
    return out


def trail_graphml(trail: Trail, path: Path) -> None:
    """The trail as a directed GraphML graph (vertices: accounts; edges: traced transfers)."""
    names = sorted(trail.accounts)
    index = {n: i for i, n in enumerate(names)}
    edges = [e for e in trail.edges if e.dst is not None and e.dst in index]
    graph = ig.Graph(n=len(names), directed=True)
    graph.vs["name"] = names
    graph.vs["received_thb"] = [trail.accounts[n].received for n in names]
    graph.vs["held_thb"] = [trail.accounts[n].held for n in names]
    graph.vs["hop"] = [trail.accounts[n].hop for n in names]
    graph.add_edges([(index[e.src], index[e.dst]) for e in edges])  # type: ignore[index]
    graph.es["txn_id"] = [e.txn_id for e in edges]
    graph.es["traced_thb"] = [e.traced for e in edges]
    graph.es["ts"] = [_iso(e.ts) for e in edges]
    graph.write_graphml(str(path))


def _clean_account(value: str) -> str | None:
    try:
        return get_type("bank_account").clean(value)
    except InvalidIndicator:
        return None


def evidence_rows(scores: pa.Table, *, reference: str, tlp: str = "amber") -> list[dict[str, str]]:
    """Registry evidence for each flagged account (``is_mule == 1``) that is a bank account."""
    rows = []
    for rec in scores.to_pylist():
        if not rec["is_mule"]:
            continue
        value = _clean_account(str(rec["account_id"]))
        if value is None:
            continue
        rows.append(
            {
                "type": "bank_account",
                "value": value,
                "categories": "mule_account",
                "confidence": f"{float(rec['score']):.3f}",
                "note": f"mule score {float(rec['score']):.3f}: {rec['reasons']}",
                "channel": "analysis:money",
                "reference": reference,
                "tlp": tlp,
            }
        )
    return rows


def freeze_rows(
    trail: Trail | None, scores: pa.Table | None, *, reference: str
) -> list[dict[str, str]]:
    """Temporary-hold requests, grouped by bank: a trail's holders, then flagged accounts."""
    rows: dict[str, dict[str, str]] = {}
    if trail is not None:
        for a in trail.freeze_points(top=1000):
            value = _clean_account(a.account_id) or a.account_id
            rows[value] = {
                "bank": value.partition("-")[0] if "-" in value else "unknown",
                "account_id": value,
                "amount_thb": f"{a.held:.2f}",
                "reason": f"holds {a.held:.2f} THB traced from {trail.start}",
                "reference": reference,
            }
    if scores is not None:
        for rec in scores.to_pylist():
            if not rec["is_mule"]:
                continue
            value = _clean_account(str(rec["account_id"])) or str(rec["account_id"])
            rows.setdefault(
                value,
                {
                    "bank": value.partition("-")[0] if "-" in value else "unknown",
                    "account_id": value,
                    "amount_thb": "",
                    "reason": f"mule score {float(rec['score']):.3f}",
                    "reference": reference,
                },
            )
    return sorted(rows.values(), key=lambda r: (r["bank"], r["account_id"]))


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
