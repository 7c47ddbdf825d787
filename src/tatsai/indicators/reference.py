"""Official reference values: the allow-list seed in ``data/official.csv``.

Domains, call-centre numbers and SMS sender IDs of Thai banks, operators, government and
public bodies, couriers and utilities (sources and caveats in ``data/README.md``). Pure data
and matching, no database: the registry seeds its allow-list from :func:`official_entries`,
and screening's URL risk asks :func:`is_official_domain`.

Matching of hosts: an official ``domain`` covers itself and every subdomain
(``www.kasikornbank.com`` is covered by ``kasikornbank.com``); a ``domain_wildcard`` rule such as
``*.go.th`` covers every host strictly below its suffix. Hosts are compared lower-case, without
a trailing dot, in their IDNA A-label form as given.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CATEGORIES = frozenset(
    {"bank", "telco", "government", "public_body", "courier", "utility", "platform"}
)


@dataclass(frozen=True, slots=True)
class OfficialEntry:
    """One official value: ``type`` is an indicator type (or ``domain_wildcard``), ``value`` as
    written in the file (the registry normalizes it by its type when seeding)."""

    type: str
    value: str
    org: str
    category: str
    source: str


@lru_cache(maxsize=1)
def _entries() -> tuple[OfficialEntry, ...]:
    text = resources.files("tatsai.indicators").joinpath("data/official.csv").read_text("utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        entry = OfficialEntry(
            type=row["type"].strip(),
            value=row["value"].strip(),
            org=row["org"].strip(),
            category=row["category"].strip(),
            source=row["source"].strip(),
        )
        if entry.category not in CATEGORIES:
            raise ValueError(f"official.csv: unknown category {entry.category!r} for {entry.value}")
        rows.append(entry)
    return tuple(rows)


def official_entries() -> list[OfficialEntry]:
    """Every official entry in file order."""
    return list(_entries())


@lru_cache(maxsize=1)
def _domain_index() -> tuple[dict[str, OfficialEntry], dict[str, OfficialEntry]]:
    domains: dict[str, OfficialEntry] = {}
    suffixes: dict[str, OfficialEntry] = {}
    for entry in _entries():
        if entry.type == "domain":
            domains[entry.value.lower()] = entry
        elif entry.type == "domain_wildcard":
            suffixes[entry.value.lower().removeprefix("*.")] = entry
    return domains, suffixes


def official_domain_entry(host: str) -> OfficialEntry | None:
    """The official entry covering ``host`` (itself or a parent domain, or a suffix rule)."""
    host = host.strip().lower().rstrip(".")
    if not host:
        return None
    domains, suffixes = _domain_index()
    labels = host.split(".")
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        entry = domains.get(candidate)
        if entry is not None:
            return entry
        # A suffix rule covers hosts strictly below it: "go.th" itself is not a site.
        if start > 0:
            entry = suffixes.get(candidate)
            if entry is not None:
                return entry
    return None


def is_official_domain(host: str) -> bool:
    """True when ``host`` is an official domain, a subdomain of one, or under ``.go.th`` etc."""
    return official_domain_entry(host) is not None
