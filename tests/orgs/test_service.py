from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from tatsai.orgs import service
from tatsai.orgs.models import ApiKey, OrgCreate, OrgKind, Role
from tests.factories import make_key, make_org


def test_create_org_is_audited_and_unique(db_session: Session) -> None:
    org = make_org(db_session, OrgKind.TELCO, name="AIS")
    assert org.kind is OrgKind.TELCO
    assert audit.list_entries(db_session=db_session)[0].action == "org.create"
    with pytest.raises(Conflict):
        service.create(db_session=db_session, org_in=OrgCreate(name="AIS", kind=OrgKind.BANK))


def test_key_is_shown_once_and_stored_hashed(db_session: Session) -> None:
    org = make_org(db_session, OrgKind.BANK)
    secret = make_key(db_session, org, Role.ANALYST)
    stored = db_session.execute(select(ApiKey)).scalar_one()
    assert secret not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    principal = service.authenticate(db_session=db_session, secret=secret)
    assert (principal.org_id, principal.role, principal.org_kind) == (
        org.id,
        Role.ANALYST,
        OrgKind.BANK,
    )


def test_keys_are_random(db_session: Session) -> None:
    org = make_org(db_session)
    assert make_key(db_session, org) != make_key(db_session, org)


@pytest.mark.parametrize("bad", ["", "tsk", "tsk_nope_nope", "Bearer x", "tsk_abc"])
def test_bad_keys_are_refused(db_session: Session, bad: str) -> None:
    with pytest.raises(Unauthorized):
        service.authenticate(db_session=db_session, secret=bad)


def test_a_tampered_key_is_refused(db_session: Session) -> None:
    secret = make_key(db_session, make_org(db_session))
    with pytest.raises(Unauthorized):
        service.authenticate(
            db_session=db_session, secret=secret[:-1] + ("A" if secret[-1] != "A" else "B")
        )


def test_revoked_key_is_refused(db_session: Session) -> None:
    secret = make_key(db_session, make_org(db_session))
    prefix = secret.split("_")[1]
    service.revoke_key(db_session=db_session, prefix=prefix)
    db_session.commit()
    with pytest.raises(Unauthorized, match="revoked"):
        service.authenticate(db_session=db_session, secret=secret)


def test_unknown_org_for_key(db_session: Session) -> None:
    with pytest.raises(NotFound):
        service.create_key(db_session=db_session, org_name="nobody", role=Role.READER)


def test_a_bank_code_is_a_known_bank_s_and_only_a_bank_has_one(db_session: Session) -> None:
    org = service.create(
        db_session=db_session,
        org_in=OrgCreate(name="KBank fraud desk", kind=OrgKind.BANK, bank_code=" 004 "),
    )
    assert org.bank_code == "004"
    with pytest.raises(InvalidInput, match="not a Thai interbank") as unknown:
        service.create(
            db_session=db_session,
            org_in=OrgCreate(name="Nowhere Bank", kind=OrgKind.BANK, bank_code="999"),
        )
    assert unknown.value.field == "bank_code"
    with pytest.raises(InvalidInput, match="only an organization of kind bank") as not_bank:
        service.create(
            db_session=db_session,
            org_in=OrgCreate(name="An operator", kind=OrgKind.TELCO, bank_code="004"),
        )
    assert not_bank.value.field == "bank_code"
    names = [o.name for o in service.list_orgs(db_session=db_session)]
    assert names == ["KBank fraud desk"]
