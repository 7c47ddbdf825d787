"""Evidence-based scores in [0, 100] that decay over time, in the manner of MISP's decaying models.

Pure functions over evidence facts, no database. The formula and every parameter are explained
in docs/scoring.md; in short, for evidence observed ``t`` days ago, its weight decays as

    d(t) = max(0, 1 − (t / lifetime) ** (1 / decay_speed))

and a record's score is the sum of four capped parts:

* citizens  = 40 · (1 − exp(−R / 8)),  R = Σ over *distinct* reporters of reputation · d(t)
* partners  = 30 · (1 − exp(−P / 1.5)), P = Σ over distinct non-trusted orgs of confidence · d(t)
* trusted   = 80 · T, T = the strongest confirmation by a trusted org (police; the operator for
  numbers and SIMs; the bank for accounts; a platform for its URLs and IDs), confidence · d(t)
* model     = 15 · M, M = the highest model score · d(t)

Citizens and models together stay below the block threshold: a crowd of reports alone can make a
value *suspected* (warn), never *confirmed* (block). Blocking needs a trusted org or partners.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tatsai.orgs.models import OrgKind

CITIZEN_CAP = 40.0
CITIZEN_SCALE = 8.0  # reputation-weighted distinct reporters for 1 − 1/e of the cap
PARTNER_CAP = 30.0
PARTNER_SCALE = 1.5  # confidence-weighted distinct orgs for 1 − 1/e of the cap
TRUSTED_CAP = 80.0
MODEL_CAP = 15.0
DEFAULT_PARTNER_CONFIDENCE = 70  # an org's evidence with no stated confidence
DEFAULT_TRUSTED_CONFIDENCE = 90


@dataclass(frozen=True)
class TypeParameters:
    """Per-type decay and thresholds (MISP's base score / lifetime / decay speed / threshold).

    ``lifetime_days``: evidence older than this weighs nothing. ``decay_speed``: > 1 decays fast
    at first, < 1 slowly at first. ``suspect_at``/``confirm_at``: automatic transitions.
    ``expire_below``: a suspected or confirmed record whose score falls below it expires.
    """

    lifetime_days: float
    decay_speed: float
    suspect_at: float = 30.0
    confirm_at: float = 70.0
    expire_below: float = 10.0
    trusted_kinds: frozenset[OrgKind] = frozenset({OrgKind.POLICE})


_TELCO = frozenset({OrgKind.POLICE, OrgKind.TELCO})
_BANK = frozenset({OrgKind.POLICE, OrgKind.BANK})
_PLATFORM = frozenset({OrgKind.POLICE, OrgKind.PLATFORM})

# Why these lifetimes: phishing URLs live for days, so they decay fast; mule accounts and
# wallets are reused for months; SIMs are dumped within weeks but IMEIs (SIM boxes) persist.
PARAMETERS: dict[str, TypeParameters] = {
    "phone": TypeParameters(180, 1.0, trusted_kinds=_TELCO),
    "phone_prefix": TypeParameters(3650, 0.3, trusted_kinds=_TELCO),
    "phone_range": TypeParameters(3650, 0.3, trusted_kinds=_TELCO),
    "sender_id": TypeParameters(180, 1.0, trusted_kinds=_TELCO),
    "imei": TypeParameters(365, 0.5, trusted_kinds=_TELCO),
    "imsi": TypeParameters(120, 1.0, trusted_kinds=_TELCO),
    "url": TypeParameters(30, 2.0, trusted_kinds=_PLATFORM),
    "domain": TypeParameters(120, 1.5, trusted_kinds=_PLATFORM),
    "domain_wildcard": TypeParameters(365, 1.0, trusted_kinds=_PLATFORM),
    "email": TypeParameters(180, 1.0, trusted_kinds=_PLATFORM),
    "line_id": TypeParameters(180, 1.0, trusted_kinds=_PLATFORM),
    "bank_account": TypeParameters(365, 0.5, trusted_kinds=_BANK),
    "promptpay": TypeParameters(365, 0.5, trusted_kinds=_BANK),
    "crypto_wallet": TypeParameters(730, 0.5),
}
DEFAULT_PARAMETERS = TypeParameters(180, 1.0)


def parameters_for(type_name: str) -> TypeParameters:
    return PARAMETERS.get(type_name, DEFAULT_PARAMETERS)


def decay(age_days: float, params: TypeParameters) -> float:
    """MISP polynomial decay in [0, 1]; future times (clock skew) count as now."""
    if age_days <= 0:
        return 1.0
    if age_days >= params.lifetime_days:
        return 0.0
    fraction: float = (age_days / params.lifetime_days) ** (1.0 / params.decay_speed)
    return max(0.0, 1.0 - fraction)


@dataclass(frozen=True)
class EvidenceFact:
    """What scoring needs of one evidence item."""

    observed_at: dt.datetime
    source_org_id: int | None  # None: a citizen report
    source_kind: str | None
    reporter: str | None
    reporter_weight: float
    confidence: int | None
    model_score: float | None
    trusted: bool
    channel: str = "report:api"
    count: int = 1  # how many evidence items this fact stands for (grouped, newest time)


@dataclass
class Score:
    """A score and why: the parts, and evidence counts by kind (time-of-check semantics)."""

    value: float
    citizens: float = 0.0
    partners: float = 0.0
    trusted: float = 0.0
    model: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def explanation(self) -> dict[str, Any]:
        return {
            "score": round(self.value, 1),
            "parts": {
                "citizens": round(self.citizens, 1),
                "partners": round(self.partners, 1),
                "trusted": round(self.trusted, 1),
                "model": round(self.model, 1),
            },
            "counts": dict(self.counts),
        }


def is_trusted(
    type_name: str, org_kind: str | None, *, value: str = "", bank_code: str | None = None
) -> bool:
    """Whether evidence from an org of ``org_kind`` confirms ``value`` of ``type_name``.

    A bank confirms only accounts it holds: a ``bank_account`` value (``BBB-NNN…``, folded by
    its type) whose bank code is the org's ``bank_code``; a bank with no code on record
    confirms no account. PromptPay IDs do not name the bank behind them, so any bank confirms
    those (docs/scoring.md)."""
    if org_kind is None:
        return False
    try:
        kind = OrgKind(org_kind)
    except ValueError:
        return False
    if kind not in parameters_for(type_name).trusted_kinds:
        return False
    if type_name == "bank_account" and kind is OrgKind.BANK:
        return bank_code is not None and value.partition("-")[0] == bank_code
    return True


def score(type_name: str, facts: Iterable[EvidenceFact], *, now: dt.datetime) -> Score:
    """The record's score at ``now`` from all its evidence (every marking counts)."""
    params = parameters_for(type_name)
    reporters: dict[str, float] = {}
    anonymous = 0.0
    # Keyed by org id; evidence without an org from a non-report channel (an analysis run or an
    # import handed in by the platform operator) counts as one partner per channel.
    orgs: dict[int | str, float] = {}
    trusted = 0.0
    model = 0.0
    counts = {
        "citizen_reports": 0,
        "org_evidence": 0,
        "model_only": 0,
        "distinct_reporters": 0,
        "orgs": 0,
        "trusted": 0,
        "model": 0,
    }
    for fact in facts:
        weight = decay((now - fact.observed_at).total_seconds() / 86400.0, params)
        if fact.model_score is not None:
            counts["model"] += fact.count
            model = max(model, fact.model_score * weight)
        if fact.source_org_id is None and fact.channel.startswith("report:"):
            if fact.model_score is not None and fact.reporter is None:
                counts["model_only"] += fact.count
                continue  # a model's verdict on a citizen's message, not a report
            counts["citizen_reports"] += fact.count
            contribution = fact.reporter_weight * weight
            if fact.reporter is None:
                # Anonymous reports cannot be told apart; together they count as one reporter.
                anonymous = max(anonymous, contribution)
            else:
                reporters[fact.reporter] = max(reporters.get(fact.reporter, 0.0), contribution)
            continue
        counts["org_evidence"] += fact.count
        if fact.trusted:
            counts["trusted"] += fact.count
            conf = fact.confidence if fact.confidence is not None else DEFAULT_TRUSTED_CONFIDENCE
            trusted = max(trusted, conf / 100.0 * weight)
        else:
            conf = fact.confidence if fact.confidence is not None else DEFAULT_PARTNER_CONFIDENCE
            org: int | str = fact.source_org_id if fact.source_org_id is not None else fact.channel
            orgs[org] = max(orgs.get(org, 0.0), conf / 100.0 * weight)
    counts["distinct_reporters"] = len(reporters) + (1 if anonymous > 0 else 0)
    counts["orgs"] = len(orgs)
    r = sum(reporters.values()) + anonymous
    citizens = CITIZEN_CAP * (1.0 - math.exp(-r / CITIZEN_SCALE))
    partners = PARTNER_CAP * (1.0 - math.exp(-sum(orgs.values()) / PARTNER_SCALE))
    trusted_part = TRUSTED_CAP * trusted
    model_part = MODEL_CAP * model
    total = min(100.0, citizens + partners + trusted_part + model_part)
    return Score(
        value=round(total, 3),
        citizens=citizens,
        partners=partners,
        trusted=trusted_part,
        model=model_part,
        counts=counts,
    )
