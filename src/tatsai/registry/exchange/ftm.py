"""FollowTheMoney entities (one JSON object per line), validated against the FtM model.

Accounts and wallets map to their FtM schemata (``BankAccount``, ``CryptoWallet``); numbers,
sender IDs, LINE IDs, e-mail addresses, hosts and URLs to ``UserAccount`` with the service named.
Every entity carries the topic ``crime.fraud`` and the registry's verdict in ``notes``.
"""

from __future__ import annotations

import json
from typing import Any

from tatsai.registry.exchange import ExportRow

_SERVICES = {
    "phone": "telephone",
    "phone_prefix": "telephone (prefix)",
    "phone_range": "telephone (range)",
    "sender_id": "SMS sender ID",
    "line_id": "LINE",
    "email": "e-mail",
    "url": "web",
    "domain": "web (domain)",
    "domain_wildcard": "web (domain and subdomains)",
    "imei": "mobile device (IMEI)",
    "imsi": "mobile subscription (IMSI)",
}


def entity(row: ExportRow) -> dict[str, Any]:
    """The FtM entity of one record, as a dict (``id``, ``schema``, ``properties``)."""
    properties: dict[str, list[str]] = {
        "topics": ["crime.fraud"],
        "notes": [f"tatsai verdict {row.verdict} ({row.state}, score {row.score})"],
        "keywords": list(row.categories),
    }
    if row.type in ("bank_account", "promptpay"):
        schema = "BankAccount"
        properties["accountNumber"] = [row.value]
        properties["country"] = ["th"]
        if row.type == "promptpay":
            properties["accountType"] = ["PromptPay"]
        else:
            properties["bankName"] = [f"Thai bank code {row.value.split('-')[0]}"]
    elif row.type == "crypto_wallet":
        schema = "CryptoWallet"
        properties["publicKey"] = [row.value]
    else:
        schema = "UserAccount"
        properties["username"] = [row.value]
        properties["service"] = [_SERVICES.get(row.type, row.type)]
        if row.type == "phone":
            properties["phone"] = [row.value]
        elif row.type == "email":
            properties["email"] = [row.value]
    properties["name"] = [row.value]
    if row.first_seen is not None:
        properties["createdAt"] = [row.first_seen.date().isoformat()]
    if row.last_seen is not None:
        properties["modifiedAt"] = [row.last_seen.date().isoformat()]
    from followthemoney import model  # loading the FtM model takes most of a second

    proxy = model.make_entity(schema)
    proxy.id = f"tatsai-{row.type}-{row.id}"
    for prop, values in properties.items():
        for value in values:
            proxy.add(prop, value)
    return proxy.to_dict()


def export(rows: list[ExportRow]) -> str:
    return "".join(json.dumps(entity(r), ensure_ascii=False) + "\n" for r in rows)
