"""Factories for records tests need: organizations and keys, committed as the app would."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from tatsai.orgs import service
from tatsai.orgs.models import OrgCreate, OrgKind, OrgRead, Role
from tatsai.orgs.policy import Principal

_counter = itertools.count(1)


def make_org(
    db_session: Session,
    kind: OrgKind = OrgKind.BANK,
    name: str | None = None,
    *,
    bank_code: str | None = None,
) -> OrgRead:
    org = service.create(
        db_session=db_session,
        org_in=OrgCreate(
            name=name or f"{kind.value}-org-{next(_counter)}", kind=kind, bank_code=bank_code
        ),
    )
    db_session.commit()
    return org


def make_key(db_session: Session, org: OrgRead, role: Role = Role.ANALYST) -> str:
    issued = service.create_key(db_session=db_session, org_name=org.name, role=role)
    db_session.commit()
    return issued.secret


def make_principal(
    db_session: Session, kind: OrgKind, role: Role, *, bank_code: str | None = None
) -> tuple[Principal, str]:
    org = make_org(db_session, kind, bank_code=bank_code)
    secret = make_key(db_session, org, role)
    return service.authenticate(db_session=db_session, secret=secret), secret
