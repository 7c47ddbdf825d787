"""Lifecycle rules: which role of which org kind may move a record from one state to another,
which transitions happen automatically, and the verdict each state gives.

    observed → suspected → confirmed → actioned (blocked / suspended / frozen / taken down)
                       ↘            ↘          ↘
                        expired or cleared (any of them)

Automatic: observed → suspected at the type's ``suspect_at`` score, → confirmed at
``confirm_at``; suspected/confirmed → expired below ``expire_below``; expired → observed on new
evidence; cleared → observed only on new evidence from a trusted org. An allow-listed value never
moves automatically beyond observed: evidence against it raises a review flag instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from tatsai.core.errors import Forbidden, InvalidInput
from tatsai.orgs.models import OrgKind, Role
from tatsai.orgs.policy import Principal
from tatsai.registry.models import Action, State, Verdict
from tatsai.registry.scoring import TypeParameters, parameters_for

PEOPLE = frozenset({Role.ADMIN, Role.ANALYST})
ACTING_KINDS = frozenset({OrgKind.TELCO, OrgKind.BANK, OrgKind.POLICE, OrgKind.PLATFORM})
AUTHORITIES = frozenset({OrgKind.POLICE, OrgKind.REGULATOR})

# Which org kinds may take which action, and on which types.
ACTIONS: dict[Action, tuple[frozenset[OrgKind], frozenset[str]]] = {
    Action.BLOCKED: (
        frozenset({OrgKind.TELCO, OrgKind.POLICE}),
        frozenset({"phone", "phone_prefix", "phone_range", "sender_id"}),
    ),
    Action.SUSPENDED: (
        frozenset({OrgKind.TELCO, OrgKind.POLICE}),
        frozenset({"phone", "imei", "imsi", "sender_id"}),
    ),
    Action.FROZEN: (
        frozenset({OrgKind.BANK, OrgKind.POLICE}),
        frozenset({"bank_account", "promptpay", "crypto_wallet"}),
    ),
    Action.TAKEN_DOWN: (
        frozenset({OrgKind.PLATFORM, OrgKind.POLICE}),
        frozenset({"url", "domain", "domain_wildcard", "email", "line_id"}),
    ),
}


@dataclass(frozen=True)
class Rule:
    """Who may make a manual transition: roles × org kinds.

    ``owner`` adds the type's trusted kinds (the operator for numbers, the bank for accounts).
    """

    kinds: frozenset[OrgKind]
    roles: frozenset[Role] = PEOPLE
    owner: bool = False
    why: str = ""


_ANY_MEMBER = Rule(ACTING_KINDS | AUTHORITIES, why="any acting member org's analyst")
_CONFIRMERS = Rule(AUTHORITIES, owner=True, why="police, the regulator or the owning org kind")
_CLEARERS = Rule(AUTHORITIES, owner=True, why="police, the regulator or the owning org kind")

TRANSITIONS: dict[tuple[State, State], Rule] = {
    (State.OBSERVED, State.SUSPECTED): _ANY_MEMBER,
    (State.OBSERVED, State.CONFIRMED): _CONFIRMERS,
    (State.SUSPECTED, State.CONFIRMED): _CONFIRMERS,
    (State.SUSPECTED, State.OBSERVED): _ANY_MEMBER,
    (State.CONFIRMED, State.ACTIONED): Rule(ACTING_KINDS, why="the org that acted"),
    (State.SUSPECTED, State.ACTIONED): Rule(ACTING_KINDS, owner=True, why="the owning org kind"),
    (State.ACTIONED, State.CONFIRMED): Rule(ACTING_KINDS, why="the org lifting its action"),
    (State.EXPIRED, State.SUSPECTED): _ANY_MEMBER,
    (State.CLEARED, State.SUSPECTED): _CONFIRMERS,
}
for _state in (State.OBSERVED, State.SUSPECTED, State.CONFIRMED, State.ACTIONED):
    TRANSITIONS[(_state, State.CLEARED)] = _CLEARERS
    TRANSITIONS[(_state, State.EXPIRED)] = Rule(AUTHORITIES, why="police or the regulator")


def check_transition(
    principal: Principal,
    *,
    type_name: str,
    current: State,
    target: State,
    action: Action | None,
    value: str = "",
) -> None:
    """Raise 422 for a transition that does not exist, 403 for one the principal may not make.

    A bank confirms, clears, freezes and unfreezes only accounts it holds (its bank code is the
    account's); like any member it may still mark another bank's account suspected."""
    foreign_account = (
        type_name == "bank_account"
        and principal.org_kind is OrgKind.BANK
        and (principal.bank_code is None or value.partition("-")[0] != principal.bank_code)
    )
    rule = TRANSITIONS.get((current, target))
    if rule is None:
        raise InvalidInput(f"a record cannot go from {current} to {target}", field="state")
    if target is State.ACTIONED:
        if action is None:
            raise InvalidInput("an actioned record needs an action", field="action")
        kinds, types = ACTIONS[action]
        if type_name not in types:
            raise InvalidInput(f"a {type_name} cannot be {action}", field="action")
        if principal.org_kind not in kinds:
            raise Forbidden(f"only {', '.join(sorted(kinds))} orgs may mark a value {action}")
    elif action is not None:
        raise InvalidInput("an action is only given with state actioned", field="action")
    if foreign_account and State.ACTIONED in (current, target):
        raise Forbidden("a bank may freeze or unfreeze only accounts it holds (its bank code)")
    allowed = set(rule.kinds)
    if rule.owner and not foreign_account:
        allowed |= parameters_for(type_name).trusted_kinds
    if principal.role not in rule.roles or principal.org_kind not in allowed:
        raise Forbidden(f"{current} → {target} on a {type_name} is for {rule.why}")


def automatic_state(
    *,
    current: State,
    score: float,
    params: TypeParameters,
    allow_listed: bool,
    new_evidence: bool,
    new_trusted_evidence: bool,
) -> State:
    """The state the rules move a record to after (re)scoring; ``current`` when none applies."""
    if current is State.CLEARED:
        if not new_trusted_evidence:
            return current  # a cleared value is not re-listed on untrusted evidence
        current = State.OBSERVED
    if current is State.EXPIRED:
        if not new_evidence:
            return current
        current = State.OBSERVED
    if allow_listed:
        return current  # never moved automatically: a review flag is raised instead
    if current in (State.SUSPECTED, State.CONFIRMED) and score < params.expire_below:
        return State.EXPIRED
    if current is State.OBSERVED and score >= params.confirm_at:
        return State.CONFIRMED
    if current is State.OBSERVED and score >= params.suspect_at:
        return State.SUSPECTED
    if current is State.SUSPECTED and score >= params.confirm_at:
        return State.CONFIRMED
    return current


def verdict_for(state: State, *, allow_listed: bool, score: float) -> tuple[Verdict, str]:
    """The verdict for a state, and the rule that gave it."""
    if allow_listed and state is not State.ACTIONED:
        return Verdict.ALLOW, "allow-listed official value"
    if state in (State.CONFIRMED, State.ACTIONED):
        return Verdict.BLOCK, f"state {state}"
    if state is State.SUSPECTED:
        return Verdict.WARN, "state suspected"
    if state is State.OBSERVED and score > 0:
        return Verdict.UNKNOWN, "observed, below the suspicion threshold"
    return Verdict.UNKNOWN, f"state {state}"
