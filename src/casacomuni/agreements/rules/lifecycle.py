"""The life of a convenzione between a Province and a Comune, as the acts that make it happen.

An agreement under art. 30 TUEL (D.Lgs. 267/2000) binds only once both councils have approved it (c. 1-2:
the convenzione is approved by each party's council) and both parties have signed it; it lasts for the
term it states and may be renewed, or ended early by a party with the notice it provides for.

Pure and dependency-free: states, the acts each step requires and the checks on their dates. Messages
are English source strings, translated by the caller (gettext), so that this module stays plain Python.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from casacomuni.lib.i18n import gettext_noop

DRAFT = "draft"
PROVINCE_APPROVED = "province_approved"
MUNICIPALITY_APPROVED = "municipality_approved"
SIGNED = "signed"
ACTIVE = "active"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
STATES = (DRAFT, PROVINCE_APPROVED, MUNICIPALITY_APPROVED, SIGNED, ACTIVE, EXPIRED, WITHDRAWN)
# Not a recorded state: an agreement activated before the first day of its term (see ``standing``).
UPCOMING = "upcoming"

APPROVE_PROVINCE = "approve_province"
APPROVE_MUNICIPALITY = "approve_municipality"
SIGN = "sign"
ACTIVATE = "activate"
RENEW = "renew"
EXPIRE = "expire"
WITHDRAW = "withdraw"

# transition -> (states it leaves from, state it reaches)
TRANSITIONS = {
    APPROVE_PROVINCE: ((DRAFT,), PROVINCE_APPROVED),
    APPROVE_MUNICIPALITY: ((PROVINCE_APPROVED,), MUNICIPALITY_APPROVED),
    SIGN: ((MUNICIPALITY_APPROVED,), SIGNED),
    ACTIVATE: ((SIGNED,), ACTIVE),
    RENEW: ((ACTIVE,), ACTIVE),
    EXPIRE: ((ACTIVE,), EXPIRED),
    WITHDRAW: ((ACTIVE,), WITHDRAWN),
}


class TransitionRefused(Exception):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class AgreementFacts:
    """What the rules need to know of an agreement."""

    state: str
    start_date: date
    end_date: date
    notice_days: int
    max_renewals: int = 0
    renewals: int = 0
    province_resolution_date: date | None = None
    municipality_resolution_date: date | None = None


@dataclass(frozen=True)
class Act:
    """The data of the act that performs a transition (only what that transition needs)."""

    number: str = ""
    day: date | None = None
    has_file: bool = False
    new_end_date: date | None = None
    effective_date: date | None = None


def allowed_transitions(state: str) -> list[str]:
    return [name for name, (sources, _target) in TRANSITIONS.items() if state in sources]


def next_state(facts: AgreementFacts, transition: str, act: Act, today: date) -> str:
    """The state reached by ``transition``, or TransitionRefused saying why not."""
    if transition not in TRANSITIONS:
        raise TransitionRefused(gettext_noop("Unknown transition “%(name)s”."), name=transition)
    sources, target = TRANSITIONS[transition]
    if facts.state not in sources:
        raise TransitionRefused(
            gettext_noop("An agreement that is “%(state)s” cannot go through “%(transition)s”."),
            state=facts.state,
            transition=transition,
        )
    CHECKS[transition](facts, act, today)
    return target


def require_resolution(act: Act, today: date) -> None:
    if not act.number.strip() or act.day is None:
        raise TransitionRefused(gettext_noop("The resolution's number and date are required."))
    if act.day > today:
        raise TransitionRefused(gettext_noop("The resolution's date cannot be in the future."))


def check_province_approval(facts: AgreementFacts, act: Act, today: date) -> None:
    require_resolution(act, today)


def check_municipality_approval(facts: AgreementFacts, act: Act, today: date) -> None:
    require_resolution(act, today)
    if not act.has_file:
        raise TransitionRefused(gettext_noop("Attach the council's resolution."))


def check_signature(facts: AgreementFacts, act: Act, today: date) -> None:
    if act.day is None or not act.has_file:
        raise TransitionRefused(gettext_noop("The date of signature and the signed agreement are required."))
    if act.day > today:
        raise TransitionRefused(gettext_noop("The date of signature cannot be in the future."))
    approvals = [d for d in (facts.province_resolution_date, facts.municipality_resolution_date) if d]
    if len(approvals) < 2 or act.day < max(approvals):
        raise TransitionRefused(gettext_noop("An agreement is signed after both councils have approved it."))


def check_activation(facts: AgreementFacts, act: Act, today: date) -> None:
    if facts.end_date < today:
        raise TransitionRefused(
            gettext_noop("The agreement expired on %(day)s: it cannot become active."), day=facts.end_date
        )


def check_renewal(facts: AgreementFacts, act: Act, today: date) -> None:
    require_resolution(act, today)
    if facts.renewals >= facts.max_renewals:
        raise TransitionRefused(gettext_noop("The agreement allows no further renewal."))
    if act.new_end_date is None or act.new_end_date <= facts.end_date:
        raise TransitionRefused(
            gettext_noop("The new end date must come after the current one (%(day)s)."), day=facts.end_date
        )


def check_expiry(facts: AgreementFacts, act: Act, today: date) -> None:
    if facts.end_date >= today:
        raise TransitionRefused(gettext_noop("The agreement is in force until %(day)s."), day=facts.end_date)


def check_withdrawal(facts: AgreementFacts, act: Act, today: date) -> None:
    if act.day is None or act.effective_date is None:
        raise TransitionRefused(
            gettext_noop("The date of the notice and the date the withdrawal takes effect are required.")
        )
    if act.day > today:
        raise TransitionRefused(gettext_noop("The date of the notice cannot be in the future."))
    earliest = earliest_withdrawal(act.day, facts.notice_days)
    if act.effective_date < earliest:
        raise TransitionRefused(
            gettext_noop(
                "With %(days)d days of notice, the withdrawal takes effect on %(day)s at the earliest."
            ),
            days=facts.notice_days,
            day=earliest,
        )


def earliest_withdrawal(notice_day: date, notice_days: int) -> date:
    return notice_day + timedelta(days=notice_days)


CHECKS = {
    APPROVE_PROVINCE: check_province_approval,
    APPROVE_MUNICIPALITY: check_municipality_approval,
    SIGN: check_signature,
    ACTIVATE: check_activation,
    RENEW: check_renewal,
    EXPIRE: check_expiry,
    WITHDRAW: check_withdrawal,
}


def in_force(state: str, start: date, end: date, withdrawal_effective: date | None, on: date) -> bool:
    """Whether an agreement binds on day ``on``: activated once, within its term, before a withdrawal."""
    if state not in (ACTIVE, EXPIRED, WITHDRAWN):
        return False
    if withdrawal_effective is not None and on >= withdrawal_effective:
        return False
    return start <= on <= end


def standing(state: str, start: date, end: date, withdrawal_effective: date | None, today: date) -> str:
    """What an agreement is on ``today`` for whoever reads it: its recorded state, corrected by its dates.

    The recorded state follows the acts; the dates decide whether an active agreement binds yet (art. 30
    TUEL: for the term it states). Activated before its start, it is UPCOMING; past its term before the
    daily run marks it, it is already EXPIRED.
    """
    if state == ACTIVE and today < start:
        return UPCOMING
    if state == ACTIVE and today > end:
        return EXPIRED
    return state


def last_binding_day(end: date, withdrawal_effective: date | None) -> date:
    """The last day an agreement binds: its term, or the eve of the day a withdrawal takes effect."""
    if withdrawal_effective is not None:
        return min(end, withdrawal_effective - timedelta(days=1))
    return end


def periods_overlap(first: tuple[date, date], second: tuple[date, date]) -> bool:
    """Whether two periods (first and last day, both included) share at least one day."""
    return first[0] <= second[1] and second[0] <= first[1]
