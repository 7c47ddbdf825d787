"""Organizations and API keys. Plain functions taking a session; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from tatsai.indicators.banks import BANKS_BY_CODE
from tatsai.orgs.models import (
    ApiKey,
    ApiKeyRead,
    IssuedKey,
    Org,
    OrgCreate,
    OrgKind,
    OrgRead,
    Role,
)
from tatsai.orgs.policy import Principal

KEY_PREFIX = "tsk"
SYSTEM_ACTOR = "system"


def _hash_key(secret: str) -> str:
    # Keys carry 256 random bits, so a fast hash suffices: there is nothing to brute-force.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def get(*, db_session: Session, org_id: int) -> OrgRead:
    org = db_session.get(Org, org_id)
    if org is None:
        raise NotFound(f"no organization with id {org_id}", field="org_id")
    return OrgRead.model_validate(org)


def get_by_name(*, db_session: Session, name: str) -> OrgRead:
    org = db_session.execute(select(Org).where(Org.name == name)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"no organization named {name!r}", field="name")
    return OrgRead.model_validate(org)


def list_orgs(*, db_session: Session) -> list[OrgRead]:
    return [
        OrgRead.model_validate(o)
        for o in db_session.execute(select(Org).order_by(Org.id)).scalars()
    ]


def create(*, db_session: Session, org_in: OrgCreate, actor: str = SYSTEM_ACTOR) -> OrgRead:
    name = org_in.name.strip()
    if not name:
        raise InvalidInput("organization name must not be blank", field="name")
    if db_session.execute(select(Org.id).where(Org.name == name)).first() is not None:
        raise Conflict(f"an organization named {name!r} already exists", field="name")
    bank_code = _bank_code(org_in)
    org = Org(name=name, kind=org_in.kind.value, bank_code=bank_code)
    db_session.add(org)
    db_session.flush()
    detail: dict[str, str] = {"name": name, "kind": org.kind}
    if bank_code is not None:
        detail["bank_code"] = bank_code
    audit.record(
        db_session=db_session,
        actor=actor,
        action="org.create",
        entity_type="org",
        entity_id=str(org.id),
        detail=detail,
    )
    return OrgRead.model_validate(org)


def _bank_code(org_in: OrgCreate) -> str | None:
    """The bank code, checked: only a bank has one, and it must be a known Thai bank's."""
    if org_in.bank_code is None:
        return None
    code = org_in.bank_code.strip()
    if org_in.kind is not OrgKind.BANK:
        raise InvalidInput("only an organization of kind bank has a bank code", field="bank_code")
    if code not in BANKS_BY_CODE:
        raise InvalidInput(
            f"{code!r} is not a Thai interbank bank code (e.g. 004 for KBank)", field="bank_code"
        )
    return code


def get_or_create(
    *, db_session: Session, name: str, kind: OrgKind, bank_code: str | None = None
) -> OrgRead:
    org = db_session.execute(select(Org).where(Org.name == name)).scalar_one_or_none()
    if org is not None:
        return OrgRead.model_validate(org)
    return create(
        db_session=db_session, org_in=OrgCreate(name=name, kind=kind, bank_code=bank_code)
    )


def create_key(
    *,
    db_session: Session,
    org_name: str,
    role: Role,
    label: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> IssuedKey:
    """Issue a key for ``org_name``. The returned secret is never stored nor shown again."""
    org = get_by_name(db_session=db_session, name=org_name)
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        org_id=org.id, role=role.value, prefix=prefix, key_hash=_hash_key(secret), label=label
    )
    db_session.add(key)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="key.create",
        entity_type="api_key",
        entity_id=str(key.id),
        detail={"org": org.name, "role": role.value, "prefix": prefix},
    )
    return IssuedKey(key=ApiKeyRead.model_validate(key), secret=secret)


def list_keys(*, db_session: Session, org_name: str) -> list[ApiKeyRead]:
    org = get_by_name(db_session=db_session, name=org_name)
    stmt = select(ApiKey).where(ApiKey.org_id == org.id).order_by(ApiKey.id)
    return [ApiKeyRead.model_validate(k) for k in db_session.execute(stmt).scalars()]


def revoke_key(*, db_session: Session, prefix: str, actor: str = SYSTEM_ACTOR) -> ApiKeyRead:
    key = db_session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
    if key is None:
        raise NotFound(f"no API key with prefix {prefix!r}", field="prefix")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(
            db_session=db_session,
            actor=actor,
            action="key.revoke",
            entity_type="api_key",
            entity_id=str(key.id),
            detail={"prefix": prefix},
        )
    return ApiKeyRead.model_validate(key)


def authenticate(*, db_session: Session, secret: str) -> Principal:
    """The principal for a presented key; 401 for malformed, unknown or revoked keys."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized("malformed API key", field="Authorization")
    key = db_session.execute(select(ApiKey).where(ApiKey.prefix == parts[1])).scalar_one_or_none()
    if key is None or not hmac.compare_digest(key.key_hash, _hash_key(secret)):
        raise Unauthorized("unknown API key", field="Authorization")
    if key.revoked_at is not None:
        raise Unauthorized("this API key has been revoked", field="Authorization")
    org = key.org
    return Principal(
        org_id=org.id,
        org_name=org.name,
        org_kind=OrgKind(org.kind),
        role=Role(key.role),
        key_id=key.id,
        bank_code=org.bank_code,
    )
