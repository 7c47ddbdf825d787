"""Exports parse in their ecosystems' own libraries; imports round-trip into evidence."""

from __future__ import annotations

import json

import pytest
import stix2
from followthemoney import model
from pymisp import MISPEvent
from sqlalchemy.orm import Session

from tatsai.core.errors import InvalidInput
from tatsai.orgs.models import TLP, OrgKind, OrgRead
from tatsai.registry import allowlist, service
from tatsai.registry.exchange import exportable
from tatsai.registry.exchange import service as exchange
from tatsai.registry.exchange.stix import TLP2_EXTENSION, parse_pattern, pattern
from tatsai.registry.models import Channel, Verdict
from tests.factories import make_org
from tests.registry.helpers import org_evidence

TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"  # OASIS TLP 2.0

BLOCKED = [
    ("phone", "+66812345678", ["scam_sim"]),
    ("phone_prefix", "+697", ["spoofing"]),
    ("phone_range", "+6621110000-+6621119999", ["call_center_scam"]),
    ("sender_id", "KBank-Alert", ["bank_impersonation"]),
    ("url", "https://kbank-verify.top/login", ["phishing"]),
    ("domain", "kbank-verify.top", ["phishing"]),
    ("domain_wildcard", "*.kerry-th.top", ["parcel_scam"]),
    ("bank_account", "004-1234567890", ["mule_account"]),
    ("crypto_wallet", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", ["investment_scam"]),
]


@pytest.fixture
def police(db_session: Session) -> OrgRead:
    org = make_org(db_session, OrgKind.POLICE)
    allowlist.seed(db_session=db_session)
    for type_, value, categories in BLOCKED:
        record = org_evidence(db_session, org, type_, value, confidence=95, categories=categories)
        assert record.verdict is Verdict.BLOCK
    db_session.commit()
    return org


def _values(db_session: Session) -> set[tuple[str, str]]:
    return {(r.type, r.value) for r in exportable(db_session=db_session)}


@pytest.mark.parametrize(("type_", "value", "_c"), BLOCKED)
def test_stix_patterns_round_trip(type_: str, value: str, _c: list[str]) -> None:
    assert parse_pattern(pattern(type_, value)) == (type_, value)


def test_stix_bundle_parses_and_reimports(db_session: Session, police: OrgRead) -> None:
    text = exchange.export(db_session=db_session, fmt="stix")
    bundle = stix2.parse(text, allow_custom=True)
    indicators = [o for o in bundle.objects if o.type == "indicator"]
    assert len(indicators) == len(BLOCKED)
    first = indicators[0]
    assert first.confidence >= 70
    assert first.valid_until > first.valid_from
    assert first.object_marking_refs == [TLP2_GREEN]
    assert "scam_sim" in first.labels
    items = exchange.parse("stix", text)
    assert {(i.type, i.value) for i in items} == _values(db_session)
    assert all(i.channel is Channel.IMPORT_STIX for i in items)


@pytest.mark.parametrize("tlp", list(TLP))
def test_stix_markings_are_tlp_2_and_survive_the_round_trip(
    db_session: Session, police: OrgRead, tlp: TLP
) -> None:
    text = exchange.export(db_session=db_session, fmt="stix", tlp=tlp)
    bundle = stix2.parse(text, allow_custom=True)
    (marking,) = [o for o in bundle.objects if o.type == "marking-definition"]
    assert marking.name == f"TLP:{tlp.value}"
    extension = marking.extensions[TLP2_EXTENSION]
    assert extension["tlp_2_0"] == tlp.value.lower()
    assert {o.object_marking_refs[0] for o in bundle.objects if o.type == "indicator"} == {
        marking.id
    }
    assert {i.tlp for i in exchange.parse("stix", text)} == {tlp}


def test_stix_import_reads_tlp_1_markings(db_session: Session) -> None:
    indicator = stix2.Indicator(
        pattern="[url:value = 'https://kbank-verify.top/login']",
        pattern_type="stix",
        valid_from="2026-11-01T00:00:00Z",
        object_marking_refs=[stix2.TLP_RED],
    )
    text = stix2.Bundle(objects=[indicator, stix2.TLP_RED]).serialize()
    (item,) = exchange.parse("stix", text)
    assert (item.type, item.tlp) == ("url", TLP.RED)


def test_misp_event_loads_and_reimports(db_session: Session, police: OrgRead) -> None:
    text = exchange.export(db_session=db_session, fmt="misp")
    event = MISPEvent()
    event.load(json.loads(text))
    assert len(event.attributes) == len(BLOCKED)
    by_type = {a.type for a in event.attributes}
    assert {"phone-number", "url", "domain", "bank-account-nr", "btc"} <= by_type
    assert "tlp:green" in [t.name for t in event.tags]
    items = exchange.parse("misp", text)
    assert {(i.type, i.value) for i in items} == _values(db_session)
    account = next(i for i in items if i.type == "bank_account")
    assert account.categories == ["mule_account"]


def test_round_trip_into_another_registry(db_session: Session, police: OrgRead) -> None:
    """Export, clear nothing, import as another org: every value gains evidence, none is lost."""
    text = exchange.export(db_session=db_session, fmt="stix")
    telco = make_org(db_session, OrgKind.TELCO)
    report = exchange.import_evidence(
        db_session=db_session, fmt="stix", text=text, source_org_id=telco.id, actor="test"
    )
    db_session.commit()
    assert report.added == len(BLOCKED)
    assert report.rejected == []
    record = service.find(db_session=db_session, type="phone", value="+66812345678")
    assert record is not None
    read = service.to_read(db_session, record, principal=None)
    assert read.evidence_count == 2


def test_ftm_entities_validate(db_session: Session, police: OrgRead) -> None:
    lines = exchange.export(db_session=db_session, fmt="ftm").splitlines()
    assert len(lines) == len(BLOCKED)
    schemata = set()
    for line in lines:
        data = json.loads(line)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.schema.validate(data) is None
        assert "crime.fraud" in proxy.get("topics")
        schemata.add(proxy.schema.name)
    assert schemata == {"BankAccount", "CryptoWallet", "UserAccount"}


def test_blocklists(db_session: Session, police: OrgRead) -> None:
    e164 = exchange.export(db_session=db_session, fmt="e164").splitlines()
    assert "+66812345678" in e164
    assert "+697*" in e164
    assert "+6621110000-+6621119999" in e164
    assert "+6628888888" not in e164  # allow-listed bank call centre
    assert exchange.export(db_session=db_session, fmt="senders").splitlines()[1:] == ["KBANK-ALERT"]
    zone = exchange.export(db_session=db_session, fmt="rpz")
    assert "kbank-verify.top CNAME ." in zone
    assert "*.kerry-th.top CNAME ." in zone
    assert "kasikornbank" not in zone


def test_csv_import_from_another_context(db_session: Session) -> None:
    bank = make_org(db_session, OrgKind.BANK, bank_code="004")
    text = (
        "type,value,categories,confidence,note,channel,reference,tlp\n"
        "bank_account,004-1234567890,mule_account;fan_in,90,ring 7,analysis:money,run-1,AMBER\n"
        "phone,not-a-number,,,,,,\n"
        "promptpay,mobile:+66812345678,mule_account,80,,analysis:money,run-1,GREEN\n"
    )
    report = exchange.import_evidence(
        db_session=db_session, fmt="csv", text=text, source_org_id=bank.id, actor="test"
    )
    db_session.commit()
    assert report.added == 2
    assert [n for n, _ in report.rejected] == [2]
    record = service.find(db_session=db_session, type="bank_account", value="004-1234567890")
    assert record is not None
    assert record.state == "confirmed"  # the bank holding the account is its trusted source
    assert json.loads(record.categories) == ["mule_account", "fan_in"]
    with pytest.raises(InvalidInput, match="line 2"):
        exchange.parse("csv", "type,value,tlp\nphone,+66812345678,PURPLE\n")
    with pytest.raises(InvalidInput):
        exchange.parse("stix", "{not json")


def test_csv_import_names_the_line_a_record_starts_on_and_refuses_broken_quoting() -> None:
    two_lines = (
        "type,value,note,tlp\n"
        'phone,+66812345678,"a note\non two lines",GREEN\n'
        "phone,+66812345679,,PURPLE\n"
    )
    with pytest.raises(InvalidInput, match=r"^line 4: "):
        exchange.parse("csv", two_lines)
    with pytest.raises(InvalidInput, match=r"^line 2: ',' expected after") as info:
        exchange.parse("csv", 'type,value,note\nphone,+66812345678,"stray"quote\n')
    assert info.value.field == "file"
    with pytest.raises(InvalidInput, match=r"^line 2: a field is longer than 131,072 characters$"):
        exchange.parse("csv", f'type,value,note\nphone,+66812345678,"{"x" * 200_000}"\n')
