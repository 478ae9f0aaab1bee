"""The pipeline of an application for a call: who may move it, from which status, and on which conditions.

Pure: plain values in, plain values out. The statuses follow the EU-funds office's workflow with the Comuni
(DOMAIN.md §5: interest → fit check → partnership → application → outcome):

    flagged → interested → assessing → designing → submitted → funded | not_funded
    any status before the outcome → withdrawn

- ``flagged``: the Comune flagged interest in a call, or the office proposed the call to it;
- ``interested``: the Comune confirms it wants to apply (a proposal accepted);
- ``assessing``: the office checks the fit (eligibility, co-financing, capacity);
- ``designing``: the project and the partnership are being prepared;
- ``submitted``: the application was filed with the funder — it needs a lead and a requested amount;
- ``funded`` / ``not_funded``: the funder's outcome — funded needs the granted amount;
- ``withdrawn``: the Comune or the office gave up.
"""

from dataclasses import dataclass
from decimal import Decimal

FLAGGED = "flagged"
INTERESTED = "interested"
ASSESSING = "assessing"
DESIGNING = "designing"
SUBMITTED = "submitted"
FUNDED = "funded"
NOT_FUNDED = "not_funded"
WITHDRAWN = "withdrawn"

STATUSES = (FLAGGED, INTERESTED, ASSESSING, DESIGNING, SUBMITTED, FUNDED, NOT_FUNDED, WITHDRAWN)
FINAL = frozenset({FUNDED, NOT_FUNDED, WITHDRAWN})
DECIDED = frozenset({FUNDED, NOT_FUNDED})
# Statuses in which an application has been filed with the funder (the outcome implies the filing).
FILED = frozenset({SUBMITTED, FUNDED, NOT_FUNDED})

# Who acts: the Province's EU-funds office, or the lead Comune (Unione).
OFFICE = "office"
COMUNE = "comune"

CONFIRM = "confirm"
ASSESS = "assess"
DESIGN = "design"
SUBMIT = "submit"
FUND = "fund"
REJECT = "reject"
WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actors: frozenset


TRANSITIONS: dict[str, Transition] = {
    CONFIRM: Transition(frozenset({FLAGGED}), INTERESTED, frozenset({COMUNE, OFFICE})),
    ASSESS: Transition(frozenset({INTERESTED}), ASSESSING, frozenset({OFFICE})),
    DESIGN: Transition(frozenset({ASSESSING}), DESIGNING, frozenset({OFFICE})),
    SUBMIT: Transition(frozenset({DESIGNING}), SUBMITTED, frozenset({OFFICE})),
    FUND: Transition(frozenset({SUBMITTED}), FUNDED, frozenset({OFFICE})),
    REJECT: Transition(frozenset({SUBMITTED}), NOT_FUNDED, frozenset({OFFICE})),
    WITHDRAW: Transition(
        frozenset({FLAGGED, INTERESTED, ASSESSING, DESIGNING, SUBMITTED}),
        WITHDRAWN,
        frozenset({COMUNE, OFFICE}),
    ),
}
ACTIONS = tuple(TRANSITIONS)

# Problems, as message ids the caller translates (gettext_noop in the services' catalogue).
UNKNOWN_ACTION = "unknown_action"
WRONG_STATUS = "wrong_status"
WRONG_ACTOR = "wrong_actor"
NO_LEAD = "no_lead"
NO_REQUESTED_AMOUNT = "no_requested_amount"
NO_GRANTED_AMOUNT = "no_granted_amount"
GRANTED_OVER_REQUESTED = "granted_over_requested"


@dataclass(frozen=True)
class Facts:
    """What the preconditions look at: whether the application has a lead, and its amounts (None = not set)."""

    has_lead: bool
    requested_amount: Decimal | None = None
    granted_amount: Decimal | None = None


def problems(action: str, status: str, actor: str, facts: Facts) -> list[str]:
    """Why ``actor`` may not perform ``action`` on an application in ``status`` with ``facts``; [] = allowed.

    The order is fixed: unknown action, then the actor, then the status, then the data.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        return [UNKNOWN_ACTION]
    if actor not in transition.actors:
        return [WRONG_ACTOR]
    if status not in transition.sources:
        return [WRONG_STATUS]
    found = []
    if action == SUBMIT:
        if not facts.has_lead:
            found.append(NO_LEAD)
        if not facts.requested_amount or facts.requested_amount <= 0:
            found.append(NO_REQUESTED_AMOUNT)
    if action == FUND:
        if not facts.granted_amount or facts.granted_amount <= 0:
            found.append(NO_GRANTED_AMOUNT)
        elif facts.requested_amount and facts.granted_amount > facts.requested_amount:
            found.append(GRANTED_OVER_REQUESTED)
    return found


def target(action: str) -> str:
    return TRANSITIONS[action].target


def available(status: str, actor: str) -> list[str]:
    """The actions ``actor`` may try from ``status`` (the data preconditions are checked on performing)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if status in transition.sources and actor in transition.actors
    ]
