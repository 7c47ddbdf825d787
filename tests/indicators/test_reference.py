"""The official reference (allow-list seed) and host matching."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tatsai.indicators.reference import (
    CATEGORIES,
    is_official_domain,
    official_domain_entry,
    official_entries,
)

THIRD_PARTY_HOSTS = ["onelink.me", "linebk.com", "dime.co.th", "truemoney.com", "kbtg.tech"]


def test_every_row_is_well_formed_and_unique() -> None:
    entries = official_entries()
    assert len(entries) > 80
    assert {e.category for e in entries} <= CATEGORIES
    keys = [(e.type, e.value.lower()) for e in entries]
    assert len(keys) == len(set(keys))
    assert all(e.org and e.source for e in entries)


@pytest.mark.parametrize(
    "host",
    ["kasikornbank.com", "www.kasikornbank.com", "WWW.SCB.CO.TH.", "www.dol.go.th", "bot.or.th"],
)
def test_official_hosts(host: str) -> None:
    assert is_official_domain(host)


@pytest.mark.parametrize(
    "host",
    [
        "go.th",  # the suffix itself is not a site
        "kasikornbank.com.evil.top",
        "kasikornbank-verify.com",
        "xkasikornbank.com",
        "bblmobile.onelink.me",
        "",
        *THIRD_PARTY_HOSTS,
    ],
)
def test_lookalikes_and_third_party_hosts_are_not_official(host: str) -> None:
    assert not is_official_domain(host)


def test_suffix_rules_name_their_category() -> None:
    entry = official_domain_entry("refund.rd.go.th")
    assert entry is not None
    assert entry.org == "Revenue Department"  # the exact domain wins over the suffix rule
    rule = official_domain_entry("some-agency.go.th")
    assert rule is not None
    assert rule.category == "government"


def test_bank_domains_agree_with_the_shared_reference(shared_data: object) -> None:
    """Every bank domain we ship is a registrable domain seen in the shared bank list."""
    from tests.conftest import require_shared_data

    path: Path = require_shared_data("thai_bank_reference_domains") / "thai_banks.csv"
    with path.open(encoding="utf-8") as handle:
        seen = " ".join(row["hostnames_seen"] for row in csv.DictReader(handle)).split()
    ours = [e.value for e in official_entries() if e.type == "domain" and e.category == "bank"]
    for domain in ours:
        assert any(h == domain or h.endswith("." + domain) for h in seen), domain
    for host in THIRD_PARTY_HOSTS:
        assert host not in ours
