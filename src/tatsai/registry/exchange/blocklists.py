"""Network blocklists from records whose verdict is ``block``.

* E.164 list for call blocking: one ``+<digits>`` per line; a prefix as ``+697*``; a range as
  ``+6621110000-+6621119999``. Lines starting with ``#`` are comments.
* SMS sender-ID list: one sender ID per line, as normalized.
* DNS RPZ zone (RFC-draft "DNS Response Policy Zones"): ``NXDOMAIN`` (``CNAME .``) for each
  blocked domain and its subdomains; wildcard domains likewise.
"""

from __future__ import annotations

import datetime as dt

from tatsai.registry.exchange import ExportRow


def _header(kind: str, now: dt.datetime, count: int) -> list[str]:
    return [f"# tatsai {kind} blocklist, {count} entries, generated {now.isoformat()}"]


def e164(rows: list[ExportRow], *, now: dt.datetime) -> str:
    lines: list[str] = []
    for row in rows:
        if row.type == "phone":
            lines.append(row.value)
        elif row.type == "phone_prefix":
            lines.append(row.value + "*")
        elif row.type == "phone_range":
            lines.append(row.value)
    return "\n".join([*_header("E.164", now, len(lines)), *lines]) + "\n"


def senders(rows: list[ExportRow], *, now: dt.datetime) -> str:
    lines = [row.value for row in rows if row.type == "sender_id"]
    return "\n".join([*_header("SMS sender-ID", now, len(lines)), *lines]) + "\n"


def rpz(rows: list[ExportRow], *, now: dt.datetime, origin: str = "rpz.tatsai.") -> str:
    serial = int(now.strftime("%Y%m%d%H"))
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 300",
        f"@ IN SOA localhost. hostmaster.localhost. ({serial} 3600 600 86400 300)",
        "@ IN NS localhost.",
    ]
    count = 0
    for row in rows:
        if row.type not in ("domain", "domain_wildcard"):
            continue
        domain = row.value.removeprefix("*.")
        lines.append(f"{domain} CNAME .")
        lines.append(f"*.{domain} CNAME .")
        count += 1
    return "\n".join([*_header("DNS RPZ", now, count), "", *lines]) + "\n"
