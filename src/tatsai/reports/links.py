"""The report center's links to other contexts: indicator types, screening and the registry.

Each link is one function, so the pipeline speaks to other contexts in one place. Indicator
cleaning and extraction come from :mod:`tatsai.indicators`; screening is optional (used when
:mod:`tatsai.screening` is installed; the pipeline works without a model); verdicts and
evidence go through the registry's service.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from tatsai.core.errors import InvalidInput
from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.types import get_type
from tatsai.orgs.models import TLP
from tatsai.orgs.policy import Principal
from tatsai.registry import service as registry
from tatsai.registry.models import Channel as EvidenceChannel
from tatsai.registry.models import EvidenceCreate

log = logging.getLogger(__name__)

# The indicator types a citizen may name (tatsai.indicators type names).
REPORTABLE_TYPES = (
    "phone",
    "sender_id",
    "url",
    "domain",
    "email",
    "bank_account",
    "promptpay",
    "line_id",
    "crypto_wallet",
)
# The registry's evidence channel of each intake channel; partner bulk files are imports.
EVIDENCE_CHANNELS = {
    "api": "report:api",
    "sms-1185": "report:sms-1185",
    "ussd": "report:ussd",
    "web": "report:web",
    "bulk": "import:csv",
}


def clean_indicator(type_: str, raw: str) -> str:
    """The normalized value of ``raw`` as an indicator of ``type_`` (by its indicator type).

    Raises :class:`InvalidInput` with field ``type`` (not a reportable type) or ``value``.
    """
    if type_ not in REPORTABLE_TYPES:
        raise InvalidInput(
            f"unknown indicator type {type_!r}; one of {', '.join(REPORTABLE_TYPES)}",
            field="type",
        )
    try:
        return get_type(type_).clean(raw)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="value") from exc


def clean_msisdn(raw: str) -> str:
    """A Thai or international phone number as E.164 (``+66812345678``)."""
    return clean_indicator("phone", raw)


def sender_indicator(raw: str) -> tuple[str, str]:
    """A reported SMS sender: a phone number if it is one, else an alphanumeric sender ID."""
    try:
        return "phone", clean_indicator("phone", raw)
    except InvalidInput:
        return "sender_id", clean_indicator("sender_id", raw)


def extract(text: str) -> list[tuple[str, str]]:
    """(type, normalized value) of every reportable indicator in ``text``."""
    found = extract_indicators(text)
    return [(f.type, f.value) for f in found if f.type in REPORTABLE_TYPES]


@lru_cache(maxsize=1)
def _screener() -> Callable[[list[str]], list[Any]] | None:
    try:
        module = importlib.import_module("tatsai.screening.service")
    except ImportError:
        return None
    fn: Callable[[list[str]], list[Any]] | None = getattr(module, "screen_texts", None)
    return fn


def screen_many(texts: list[str | None]) -> list[float | None]:
    """The screening model's scam score in [0, 1] for each text; None for no text, an
    unreadable one, or when no screening model is installed (intake never depends on it)."""
    screener = _screener()
    wanted = [i for i, t in enumerate(texts) if t]
    scores: list[float | None] = [None] * len(texts)
    if screener is None or not wanted:
        return scores
    try:
        results = screener([texts[i] or "" for i in wanted])
    except Exception:  # a broken model must not stop the pipeline
        log.exception("screening failed; reports processed without a model score")
        return scores
    for i, result in zip(wanted, results, strict=True):
        if getattr(result, "verdict", None) == "unknown":
            continue
        value = getattr(result, "score", None)
        if isinstance(value, int | float):
            scores[i] = max(0.0, min(1.0, float(value)))
    return scores


def lookup_verdict(*, db_session: Session, type_: str, value: str) -> str:
    """The registry's public verdict for a clean value: block, warn, allow or unknown."""
    result = registry.lookup(
        db_session=db_session, type=type_, value=value, principal=Principal.public()
    )
    return result.verdict.value


def attach_evidence(
    *,
    db_session: Session,
    report_id: str,
    channel: str,
    kind: str,
    type_: str,
    value: str,
    reporter: str | None,
    reporter_weight: float,
    model_score: float | None,
    source_org_id: int | None,
    observed_at: dt.datetime,
) -> str | None:
    """Attach one report's indicator to the registry as evidence (reference = report id).

    Runs in the worker's transaction: the caller records the (report, indicator) row in the
    same transaction, which is what makes attachment happen exactly once. Returns the
    registry's verdict after this evidence; None when the registry refuses the value (a type
    it does not hold): the report keeps it, unattached.
    """
    evidence_in = EvidenceCreate(
        type=type_,
        value=value,
        categories=[_category(kind)],
        channel=EvidenceChannel(EVIDENCE_CHANNELS.get(channel, "import:csv")),
        reference=report_id,
        reporter=reporter,
        reporter_weight=reporter_weight,
        model_score=model_score,
        confidence=None,
        note=None,
        tlp=TLP.AMBER,  # carries a reporter pseudonym: partners only
        observed_at=observed_at,
    )
    try:
        with db_session.begin_nested():
            record = registry.add_evidence(
                db_session=db_session,
                evidence_in=evidence_in,
                source_org_id=source_org_id,
                actor=f"reports:{channel}",
            )
    except InvalidInput as exc:
        log.info("registry refused %s %r: %s", type_, value, exc.detail)
        return None
    return record.verdict.value


def _category(kind: str) -> str:
    return {
        "call": "scam_call",
        "sms": "scam_sms",
        "url": "phishing",
        "account": "mule_account",
    }.get(kind, "scam")
