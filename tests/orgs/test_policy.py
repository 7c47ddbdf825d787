"""The access policy as a full matrix: org kind × role × TLP × owner, plus the public.

The expected table is written out by hand from docs/access.md, independently of the code.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tatsai.orgs.models import TLP, OrgKind, Role
from tatsai.orgs.policy import Principal, may_see, visibility_filter

C, G, A, S, R = "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"

# What each role of the owning org sees of its own records.
OWNER = {
    Role.ADMIN: {C, G, A, S, R},
    Role.ANALYST: {C, G, A, S, R},
    Role.READER: {C, G, A, S},
    Role.GATEWAY: {C, G},
}
# What each (kind, role) of any other member org sees.
OTHER_HUMAN = {
    OrgKind.TELCO: {C, G, A},
    OrgKind.BANK: {C, G, A},
    OrgKind.PLATFORM: {C, G, A},
    OrgKind.PUBLIC: {C, G},
    OrgKind.POLICE: {C, G, A, S},
    OrgKind.REGULATOR: {C, G, A, S},
}


def expected(kind: OrgKind, role: Role, tlp: str, owner: bool) -> bool:
    if owner:
        return tlp in OWNER[role]
    if role is Role.GATEWAY:
        return tlp in {C, G}
    return tlp in OTHER_HUMAN[kind]


@dataclass
class Record:
    owner_org_id: int | None
    tlp: str


CASES = list(itertools.product(OrgKind, Role, [t.value for t in TLP], [True, False]))


@pytest.mark.parametrize(("kind", "role", "tlp", "owner"), CASES)
def test_matrix(kind: OrgKind, role: Role, tlp: str, owner: bool) -> None:
    principal = Principal(org_id=1, org_name="x", org_kind=kind, role=role, key_id=1)
    record = Record(owner_org_id=1 if owner else 2, tlp=tlp)
    assert may_see(principal, record) is expected(kind, role, tlp, owner)


@pytest.mark.parametrize("tlp", [t.value for t in TLP])
def test_the_public_sees_clear_only(tlp: str) -> None:
    assert may_see(Principal.public(), Record(owner_org_id=1, tlp=tlp)) is (tlp == C)


def test_platform_owned_records_are_nobodys_own() -> None:
    principal = Principal(org_id=1, org_name="x", org_kind=OrgKind.BANK, role=Role.ADMIN, key_id=1)
    assert not may_see(principal, Record(owner_org_id=None, tlp=R))
    assert may_see(principal, Record(owner_org_id=None, tlp=A))


def test_an_unknown_marking_is_seen_by_nobody() -> None:
    principal = Principal(
        org_id=1, org_name="x", org_kind=OrgKind.POLICE, role=Role.ADMIN, key_id=1
    )
    assert not may_see(principal, Record(owner_org_id=1, tlp="PURPLE"))


class _Marked:
    """A throwaway table to prove the SQL filter agrees with may_see row for row."""


def test_sql_filter_agrees_with_may_see(db_session: Session) -> None:
    from sqlalchemy.orm import DeclarativeBase

    class _Base(DeclarativeBase):
        pass

    class Thing(_Base):
        __tablename__ = "policy_test_things"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        owner_org_id: Mapped[int | None] = mapped_column(Integer)
        tlp: Mapped[str] = mapped_column(String(16))

    bind = db_session.get_bind()
    _Base.metadata.create_all(bind)
    try:
        rows = [
            Thing(id=i, owner_org_id=o, tlp=t.value)
            for i, (o, t) in enumerate(itertools.product([1, 2, None], TLP))
        ]
        db_session.add_all(rows)
        db_session.flush()
        principals = [Principal.public()] + [
            Principal(org_id=1, org_name="x", org_kind=k, role=r, key_id=1)
            for k, r in itertools.product(OrgKind, Role)
        ]
        for p in principals:
            got = set(
                db_session.execute(select(Thing.id).where(visibility_filter(p, Thing))).scalars()
            )
            want = {row.id for row in rows if may_see(p, row)}
            assert got == want, p
    finally:
        db_session.rollback()
        _Base.metadata.drop_all(bind)
