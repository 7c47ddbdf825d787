"""The one access policy: may this principal see this record?

A record is marked with an owning org and a TLP 2.0 label. What a principal may see depends
on whether its org owns the record, its org's kind and its key's role. The rules, with the
reasons, are in docs/access.md; in short:

============  =======================  ===========================================
marking       owning org               any other member org
============  =======================  ===========================================
CLEAR         every role               every role; also the public (no key)
GREEN         every role               every role
AMBER         admin, analyst, reader   admin, analyst, reader of a non-public org
AMBER+STRICT  admin, analyst, reader   admin, analyst, reader of police or regulator
RED           admin, analyst           nobody
============  =======================  ===========================================

Gateways are machines (SMS/USSD gateways, call switches): they get verdicts through the
lookup index, and in detail never more than GREEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, false, or_

from tatsai.core.errors import Forbidden, Unauthorized
from tatsai.orgs.models import TLP, OrgKind, Role

# Orgs with a legal mandate to receive what a partner holds strictly (Thailand's Royal Decree
# on Measures for the Prevention and Suppression of Technology Crimes, B.E. 2566, obliges
# banks and operators to share with them).
MANDATED_KINDS = frozenset({OrgKind.POLICE, OrgKind.REGULATOR})


@dataclass(frozen=True)
class Principal:
    """Who is asking: an org's key with a role, or the public (no key)."""

    org_id: int | None = None
    org_name: str | None = None
    org_kind: OrgKind | None = None
    role: Role | None = None
    key_id: int | None = None
    bank_code: str | None = None  # a bank's interbank code: the accounts it holds

    @classmethod
    def public(cls) -> Principal:
        return cls()

    @property
    def is_public(self) -> bool:
        return self.org_id is None

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        if self.is_public:
            return "public"
        return f"org:{self.org_name}/key:{self.key_id}/{self.role}"


class Marked(Protocol):
    """Anything with an owning org and a TLP marking (tables using ``Shareable``, schemas)."""

    @property
    def owner_org_id(self) -> int | None: ...

    @property
    def tlp(self) -> str: ...


def max_tlp(principal: Principal, *, owner: bool) -> TLP | None:
    """The most restricted marking ``principal`` may see; None when it may see nothing."""
    if principal.is_public or principal.role is None:
        return TLP.CLEAR
    if principal.role is Role.GATEWAY:
        return TLP.GREEN
    if owner:
        return TLP.RED if principal.role in (Role.ADMIN, Role.ANALYST) else TLP.AMBER_STRICT
    if principal.org_kind in MANDATED_KINDS:
        return TLP.AMBER_STRICT
    if principal.org_kind is OrgKind.PUBLIC:
        return TLP.GREEN
    return TLP.AMBER


def _visible(principal: Principal, *, owner: bool) -> list[str]:
    top = max_tlp(principal, owner=owner)
    if top is None:
        return []
    return [t.value for t in TLP if t.rank <= top.rank]


def may_see(principal: Principal, record: Marked) -> bool:
    """True when ``principal`` may see ``record`` in detail."""
    try:
        marking = TLP(record.tlp)
    except ValueError:
        return False  # an unknown marking is treated as the most restrictive: nobody
    owner = record.owner_org_id is not None and record.owner_org_id == principal.org_id
    top = max_tlp(principal, owner=owner)
    return top is not None and marking.rank <= top.rank


def visibility_filter(principal: Principal, table: Any) -> ColumnElement[bool]:
    """The SQL form of :func:`may_see` for a table with ``owner_org_id`` and ``tlp`` columns."""
    others: ColumnElement[bool] = table.tlp.in_(_visible(principal, owner=False))
    if principal.is_public:
        return others
    own = and_(
        table.owner_org_id == principal.org_id, table.tlp.in_(_visible(principal, owner=True))
    )
    return or_(own, others) if _visible(principal, owner=False) else or_(own, false())


def require_role(principal: Principal, *roles: Role) -> None:
    """Raise 401 for the public and 403 for a key without one of ``roles``."""
    if principal.is_public:
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"this needs a key with role {allowed}; yours is {principal.role}")


def require_kind(principal: Principal, *kinds: OrgKind) -> None:
    """Raise 403 unless the principal's org is of one of ``kinds``."""
    if principal.org_kind not in kinds:
        allowed = ", ".join(k.value for k in kinds)
        raise Forbidden(f"only orgs of kind {allowed} may do this")
