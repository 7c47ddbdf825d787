"""The in-memory index answers exactly what the database path answers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tatsai.core.errors import InvalidInput
from tatsai.orgs.models import OrgKind, Role
from tatsai.registry import allowlist, service
from tatsai.registry.index import LookupIndex
from tatsai.registry.models import Verdict
from tests.factories import make_org, make_principal
from tests.registry.helpers import citizen_report, org_evidence

QUERIES = [
    ("phone", "+66812345678"),
    ("phone", "0812345679"),
    ("phone", "+6971234567"),  # only a prefix covers it
    ("phone", "021115555"),
    ("phone", "021125555"),
    ("phone", "+6628888888"),
    ("url", "https://login.kbank-lookalike.com/verify"),
    ("url", "https://kbank-lookalike.com"),
    ("domain", "kbank-lookalike.com"),
    ("url", "https://www.kasikornbank.com/th"),
    ("email", "refund@rd.go.th"),
    ("domain", "nothing-here.co.th"),
    ("bank_account", "004-1234567890"),
]


@pytest.fixture
def populated(db_session: Session) -> Session:
    telco = make_org(db_session, OrgKind.TELCO)
    platform = make_org(db_session, OrgKind.PLATFORM)
    bank = make_org(db_session, OrgKind.BANK)
    allowlist.seed(db_session=db_session)
    org_evidence(db_session, telco, "phone", "+66812345678", confidence=95)
    for n in range(12):
        citizen_report(db_session, "phone", "0812345679", reporter=f"r{n}")
    org_evidence(db_session, telco, "phone_prefix", "+697", confidence=95, categories=["spoofing"])
    org_evidence(db_session, telco, "phone_range", "+6621110000-+6621119999", confidence=95)
    org_evidence(db_session, platform, "domain_wildcard", "*.kbank-lookalike.com", confidence=95)
    org_evidence(db_session, bank, "bank_account", "004-1234567890", categories=["mule_account"])
    db_session.commit()
    return db_session


def test_index_and_database_agree(populated: Session, clean_engine: Engine) -> None:
    index = LookupIndex(clean_engine)
    index.sync()
    _, principal = make_principal(populated, OrgKind.POLICE, Role.ANALYST)
    from tatsai.orgs.service import authenticate

    member = authenticate(db_session=populated, secret=principal)
    verdicts = set()
    for type_, value in QUERIES:
        from_db = service.lookup(db_session=populated, type=type_, value=value, principal=member)
        from_index = index.lookup(type_, value)
        assert from_index.verdict == from_db.verdict, (type_, value)
        assert from_index.matched == from_db.matched, (type_, value)
        assert from_index.categories == from_db.categories, (type_, value)
        assert from_index.value == from_db.value
        if from_db.score is not None:
            assert from_index.score == pytest.approx(from_db.score, abs=0.1)
        verdicts.add(from_index.verdict)
    assert verdicts == set(Verdict)


def test_follower_applies_changes_after_the_snapshot(
    populated: Session, clean_engine: Engine
) -> None:
    index = LookupIndex(clean_engine)
    index.sync()
    before = index.cursor
    assert index.lookup("phone", "+66812345600").verdict is Verdict.UNKNOWN
    telco = make_org(populated, OrgKind.TELCO)
    org_evidence(populated, telco, "phone", "+66812345600", confidence=95)
    populated.commit()
    assert index.sync() == 1
    assert index.cursor == before + 1
    assert index.lookup("phone", "+66812345600").verdict is Verdict.BLOCK
    assert index.lookup_fn("phone", "+66812345600") is not None
    assert index.lookup_fn("phone", "not a number") is None
    assert index.lookup_fn("phone", "+66812345601") is None


def test_index_refuses_what_the_types_refuse(clean_engine: Engine) -> None:
    index = LookupIndex(clean_engine)
    index.sync()
    with pytest.raises(InvalidInput):
        index.lookup("fax", "1")
    with pytest.raises(InvalidInput):
        index.lookup("phone", "hello")


def test_packing_round_trips(clean_engine: Engine) -> None:
    import datetime as dt

    from tatsai.registry.models import State

    index = LookupIndex()
    seen = dt.datetime(2026, 11, 28, 13, tzinfo=dt.UTC)
    index.apply(
        type_name="phone",
        value="+66812345678",
        verdict=Verdict.WARN,
        state=State.SUSPECTED,
        score=42.37,
        categories=["b", "a"],
        first_seen=seen,
        last_seen=seen + dt.timedelta(days=400),
    )
    result = index.lookup_clean("phone", "+66812345678")
    assert (result.verdict, result.state, result.score) == (Verdict.WARN, State.SUSPECTED, 42.4)
    assert sorted(result.categories) == ["a", "b"]
    assert result.first_seen == seen
    assert result.last_seen == seen + dt.timedelta(days=400)
