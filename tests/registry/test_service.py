"""The registry service contract: evidence in, scores, automatic lifecycle, lookups, access."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import Forbidden, InvalidInput, NotFound
from tatsai.core.models import AuditEntry
from tatsai.orgs.models import TLP, OrgKind, Role
from tatsai.orgs.policy import Principal
from tatsai.orgs.service import authenticate
from tatsai.registry import allowlist, service
from tatsai.registry.changes import changes_since
from tatsai.registry.models import (
    Action,
    Channel,
    EvidenceCreate,
    IndicatorEvidence,
    State,
    TransitionCreate,
    Verdict,
)
from tests.factories import make_key, make_org, make_principal
from tests.registry.helpers import citizen_report, org_evidence

SCAM_NUMBER = "+66812345678"
PUBLIC = Principal.public()


def test_evidence_creates_one_record_per_normalized_value(db_session: Session) -> None:
    first = citizen_report(db_session, "phone", "081-234-5678", reporter="r1")
    second = citizen_report(db_session, "phone", "+66 81 234 5678", reporter="r2")
    db_session.commit()
    assert first.id == second.id
    assert second.value == SCAM_NUMBER
    assert second.evidence_count == 2
    assert second.state is State.OBSERVED
    assert second.first_seen is not None


@pytest.mark.parametrize(
    ("type_", "value", "field"),
    [("fax", "123", "type"), ("phone", "not a number", "value"), ("phone_prefix", "+0", "value")],
)
def test_bad_input_is_422_saying_why(
    db_session: Session, type_: str, value: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        citizen_report(db_session, type_, value, reporter="r1")
    assert caught.value.status == 422
    assert caught.value.field == field
    assert caught.value.detail


def test_unknown_source_org_is_404(db_session: Session) -> None:
    with pytest.raises(NotFound):
        service.add_evidence(
            db_session=db_session,
            evidence_in=EvidenceCreate(type="phone", value=SCAM_NUMBER, channel=Channel.MANUAL),
            source_org_id=987654,
            actor="test",
        )


def test_citizen_reports_alone_warn_but_never_block(db_session: Session) -> None:
    for n in range(120):
        record = citizen_report(db_session, "phone", SCAM_NUMBER, reporter=f"r{n}", weight=1.0)
    db_session.commit()
    assert record.verdict is Verdict.WARN
    assert record.state is State.SUSPECTED
    assert record.explanation["counts"]["distinct_reporters"] == 120


def test_one_reporter_repeating_counts_once(db_session: Session) -> None:
    for _ in range(50):
        record = citizen_report(db_session, "phone", SCAM_NUMBER, reporter="same-person")
    assert record.explanation["counts"]["distinct_reporters"] == 1
    assert record.verdict is Verdict.UNKNOWN


def test_operator_confirmation_blocks_its_number(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    bank = make_org(db_session, OrgKind.BANK)
    # A bank is not the trusted source for a phone number: partners raise the score only.
    by_bank = org_evidence(db_session, bank, "phone", SCAM_NUMBER, confidence=90)
    assert by_bank.verdict is not Verdict.BLOCK
    confirmed = org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=95)
    db_session.commit()
    assert confirmed.state is State.CONFIRMED
    assert confirmed.verdict is Verdict.BLOCK
    assert confirmed.explanation["counts"]["trusted"] == 1
    actions = db_session.execute(select(AuditEntry.action)).scalars().all()
    assert "indicator.transition" in actions
    assert audit.verify(db_session=db_session) is None


def test_false_report_flood_cannot_block_a_banks_call_centre(db_session: Session) -> None:
    """1,000 reports in an hour from 50 new numbers against a bank's real call centre."""
    report = allowlist.seed(db_session=db_session)
    db_session.commit()
    assert report.added > 50
    call_centre = "+6628888888"  # Kasikornbank, in the official reference
    start = utcnow() - dt.timedelta(hours=1)
    for n in range(1000):
        record = citizen_report(
            db_session,
            "phone",
            call_centre,
            reporter=f"new-number-{n % 50}",
            weight=0.1,  # new reporters carry little reputation
            categories=["bank_impersonation"],
            observed_at=start + dt.timedelta(seconds=3.6 * n),
        )
    db_session.commit()
    assert record.verdict is Verdict.ALLOW
    assert record.state is State.OBSERVED
    assert record.review_flag
    assert "spoofing" in (record.review_reason or "")
    # The scoring alone holds too: the same flood against a number nobody vouches for warns at
    # most; reputation-weighted distinct reporters never reach the block threshold.
    for n in range(100):
        other = citizen_report(
            db_session, "phone", SCAM_NUMBER, reporter=f"new-number-{n % 50}", weight=0.1
        )
    assert other.verdict is not Verdict.BLOCK
    assert other.score < 30


def test_evidence_decays_and_records_expire(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    old = utcnow() - dt.timedelta(days=100)
    record = org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=100, observed_at=old)
    fresh = org_evidence(db_session, telco, "phone", "+66812345679", confidence=100)
    assert record.score < fresh.score
    db_session.commit()
    later = utcnow() + dt.timedelta(days=90)
    assert service.rescore_all(db_session=db_session, now=later) >= 1
    db_session.commit()
    found = service.find(db_session=db_session, type="phone", value=SCAM_NUMBER)
    assert found is not None
    assert found.state == State.EXPIRED.value
    assert found.score == 0.0


def test_cleared_value_is_relisted_only_by_a_trusted_org(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    police, _ = make_principal(db_session, OrgKind.POLICE, Role.ANALYST)
    record = org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=95)
    cleared = service.transition(
        db_session=db_session,
        record_id=record.id,
        transition_in=TransitionCreate(state=State.CLEARED, note="holder proved ownership"),
        principal=police,
    )
    assert cleared.verdict is Verdict.UNKNOWN
    for n in range(60):
        again = citizen_report(db_session, "phone", SCAM_NUMBER, reporter=f"r{n}")
    assert again.state is State.CLEARED
    relisted = org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=95)
    db_session.commit()
    assert relisted.state is State.CONFIRMED


def test_transition_rules_by_role_and_org_kind(db_session: Session) -> None:
    telco_analyst, _ = make_principal(db_session, OrgKind.TELCO, Role.ANALYST)
    bank_analyst, _ = make_principal(db_session, OrgKind.BANK, Role.ANALYST)
    telco_gateway, _ = make_principal(db_session, OrgKind.TELCO, Role.GATEWAY)
    telco = make_org(db_session, OrgKind.TELCO)
    record = org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=95, tlp=TLP.GREEN)
    assert record.state is State.CONFIRMED
    to_blocked = TransitionCreate(state=State.ACTIONED, action=Action.BLOCKED)
    with pytest.raises(Forbidden):  # a bank does not block phone numbers
        service.transition(
            db_session=db_session,
            record_id=record.id,
            transition_in=to_blocked,
            principal=bank_analyst,
        )
    with pytest.raises(Forbidden):  # machines do not move records
        service.transition(
            db_session=db_session,
            record_id=record.id,
            transition_in=to_blocked,
            principal=telco_gateway,
        )
    with pytest.raises(InvalidInput):  # a phone number is not frozen
        service.transition(
            db_session=db_session,
            record_id=record.id,
            transition_in=TransitionCreate(state=State.ACTIONED, action=Action.FROZEN),
            principal=telco_analyst,
        )
    blocked = service.transition(
        db_session=db_session,
        record_id=record.id,
        transition_in=to_blocked,
        principal=telco_analyst,
    )
    db_session.commit()
    assert blocked.state is State.ACTIONED
    assert blocked.action is Action.BLOCKED
    assert blocked.verdict is Verdict.BLOCK
    with pytest.raises(InvalidInput):  # no such transition
        service.transition(
            db_session=db_session,
            record_id=record.id,
            transition_in=TransitionCreate(state=State.OBSERVED),
            principal=telco_analyst,
        )


def test_exact_match_wins_over_prefix_range_and_wildcard(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    platform = make_org(db_session, OrgKind.PLATFORM)
    org_evidence(db_session, telco, "phone_prefix", "+697", confidence=95, categories=["spoofing"])
    org_evidence(db_session, telco, "phone_range", "+6621110000-+6621119999", confidence=95)
    org_evidence(db_session, platform, "domain_wildcard", "*.kbank-lookalike.com", confidence=95)
    db_session.commit()
    member, _ = make_principal(db_session, OrgKind.BANK, Role.GATEWAY)

    spoofed = service.lookup(
        db_session=db_session, type="phone", value="+6971234567", principal=member
    )
    assert (spoofed.verdict, spoofed.matched) == (Verdict.BLOCK, "prefix")
    assert spoofed.categories == ["spoofing"]
    in_range = service.lookup(
        db_session=db_session, type="phone", value="021115555", principal=member
    )
    assert (in_range.verdict, in_range.matched) == (Verdict.BLOCK, "range")
    outside = service.lookup(
        db_session=db_session, type="phone", value="021125555", principal=member
    )
    assert outside.verdict is Verdict.UNKNOWN
    url = service.lookup(
        db_session=db_session,
        type="url",
        value="https://login.kbank-lookalike.com/x",
        principal=member,
    )
    assert (url.verdict, url.matched) == (Verdict.BLOCK, "wildcard")

    # An exact record wins over the range covering it.
    citizen_report(db_session, "phone", "021115555", reporter="r1")
    exact = service.lookup(db_session=db_session, type="phone", value="021115555", principal=member)
    assert (exact.verdict, exact.matched) == (Verdict.UNKNOWN, "exact")


def test_public_lookup_gets_verdict_and_categories_only(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    org_evidence(db_session, telco, "phone", SCAM_NUMBER, confidence=95, categories=["scam_sim"])
    db_session.commit()
    public = service.lookup(
        db_session=db_session, type="phone", value=SCAM_NUMBER, principal=PUBLIC
    )
    assert public.verdict is Verdict.BLOCK
    assert public.categories == ["scam_sim"]
    assert public.score is None
    assert public.state is None
    assert public.first_seen is None


def test_official_domain_lookup_is_allow(db_session: Session) -> None:
    result = service.lookup(
        db_session=db_session, type="url", value="https://www.kasikornbank.com/th", principal=PUBLIC
    )
    assert result.verdict is Verdict.ALLOW
    gov = service.lookup(
        db_session=db_session, type="domain", value="www.dol.go.th", principal=PUBLIC
    )
    assert gov.verdict is Verdict.ALLOW
    assert gov.categories == ["official_government"]


def test_evidence_is_filtered_by_access_and_hidden_records_are_404(db_session: Session) -> None:
    owner = make_org(db_session, OrgKind.BANK)
    owner_principal = authenticate(db_session=db_session, secret=make_key(db_session, owner))
    other, _ = make_principal(db_session, OrgKind.BANK, Role.ANALYST)
    police, _ = make_principal(db_session, OrgKind.POLICE, Role.ANALYST)
    org_evidence(db_session, owner, "bank_account", "004-1234567890", tlp=TLP.RED, note="secret")
    db_session.commit()
    mine = service.show(
        db_session=db_session,
        type="bank_account",
        value="004-1234567890",
        principal=owner_principal,
    )
    assert [e.note for e in mine.evidence] == ["secret"]
    for outsider in (other, police, PUBLIC):
        with pytest.raises(NotFound) as caught:
            service.show(
                db_session=db_session,
                type="bank_account",
                value="004-1234567890",
                principal=outsider,
            )
        # The same answer as for a value nobody ever recorded.
        with pytest.raises(NotFound) as absent:
            service.show(
                db_session=db_session,
                type="bank_account",
                value="004-1234567891",
                principal=outsider,
            )
        assert caught.value.detail == absent.value.detail
    org_evidence(db_session, owner, "bank_account", "004-1234567890", tlp=TLP.AMBER_STRICT)
    db_session.commit()
    seen_by_police = service.show(
        db_session=db_session, type="bank_account", value="004-1234567890", principal=police
    )
    assert len(seen_by_police.evidence) == 1
    assert seen_by_police.evidence_count == 2


def test_every_change_is_published_in_sequence(db_session: Session) -> None:
    citizen_report(db_session, "phone", SCAM_NUMBER, reporter="r1")
    citizen_report(db_session, "phone", "+66812345679", reporter="r1")
    db_session.commit()
    changes = changes_since(db_session=db_session, cursor=0)
    assert [c.seq for c in changes] == [1, 2]
    assert [c.value for c in changes] == [SCAM_NUMBER, "+66812345679"]
    assert changes_since(db_session=db_session, cursor=2) == []


@pytest.mark.parametrize(
    ("kind", "bank_code", "trusted"),
    [
        (OrgKind.BANK, "004", True),  # the bank that holds the account
        (OrgKind.BANK, "014", False),  # another bank: a partner, not a confirmation
        (OrgKind.BANK, None, False),  # a bank with no code on record confirms no account
        (OrgKind.POLICE, None, True),
        (OrgKind.TELCO, None, False),
    ],
)
def test_only_the_bank_holding_an_account_confirms_it(
    db_session: Session, kind: OrgKind, bank_code: str | None, trusted: bool
) -> None:
    org = make_org(db_session, kind, bank_code=bank_code)
    record = org_evidence(
        db_session, org, "bank_account", "กสิกร 123-4-56789-0", confidence=95, categories=["mule"]
    )
    db_session.commit()
    assert record.value == "004-1234567890"
    evidence = db_session.execute(
        select(IndicatorEvidence.trusted).where(IndicatorEvidence.record_id == record.id)
    ).scalar_one()
    assert evidence is trusted
    assert (record.state is State.CONFIRMED) is trusted


def test_any_bank_confirms_a_promptpay_id(db_session: Session) -> None:
    # A PromptPay ID does not name the bank behind it.
    bank = make_org(db_session, OrgKind.BANK, bank_code="014")
    record = org_evidence(db_session, bank, "promptpay", "0812345678", confidence=95)
    db_session.commit()
    assert record.state is State.CONFIRMED


def test_a_bank_confirms_and_freezes_only_accounts_it_holds(db_session: Session) -> None:
    holder, _ = make_principal(db_session, OrgKind.BANK, Role.ANALYST, bank_code="004")
    other, _ = make_principal(db_session, OrgKind.BANK, Role.ANALYST, bank_code="014")
    telco = make_org(db_session, OrgKind.TELCO)
    record = org_evidence(db_session, telco, "bank_account", "004-1234567890", confidence=60)
    assert record.state is State.OBSERVED

    def move(principal: Principal, state: State, action: Action | None = None) -> State:
        moved = service.transition(
            db_session=db_session,
            record_id=record.id,
            transition_in=TransitionCreate(state=state, action=action),
            principal=principal,
        )
        db_session.commit()
        return moved.state

    assert move(other, State.SUSPECTED) is State.SUSPECTED  # any member may raise suspicion
    with pytest.raises(Forbidden):
        move(other, State.CONFIRMED)
    with pytest.raises(Forbidden):
        move(other, State.ACTIONED, Action.FROZEN)
    assert move(holder, State.ACTIONED, Action.FROZEN) is State.ACTIONED
    with pytest.raises(Forbidden):  # nor may it lift the holder's freeze
        move(other, State.CONFIRMED)
    assert move(holder, State.CONFIRMED) is State.CONFIRMED
