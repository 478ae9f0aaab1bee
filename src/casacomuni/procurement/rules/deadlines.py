"""Minimum deadlines of the procedures (artt. 71-76 D.Lgs. 36/2023) and the other fixed periods of a procedure.

Deadlines are in calendar days counted from the day after the event (Reg. CEE/Euratom 1182/71 art. 3): a
30-day term from a notice sent on 1 March ends on 31 March. When the last day is an Italian public holiday, a
Saturday, a Sunday or the patron saint's day of the SUA's seat, Reg. 1182/71 art. 3(4) makes the period end
with the last hour of the following working day: the platform *flags* the day, says which day the period
really ends (``Deadline.ends_on``) and the officer decides; the date is never moved here. The officer may set a longer deadline, never a shorter one (art. 92 c.1: deadlines
adequate to the complexity of the contract, "nel rispetto dei termini minimi" of artt. 71-76).

The table follows the 2023 text of artt. 71-75 (DOMAIN §4.4); post-2024 changes are [unverified], so every
figure can be replaced through the ``table`` argument, and the competitive procedure with negotiation's term
for requests to participate (10 days in the Italian text, 30 in Dir. 2014/24 art. 29) is a parameter.

Pure: standard library and the ``holidays`` package. Messages are English source strings (gettext).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from casacomuni.lib.i18n import gettext_noop

# Procedure types (art. 70 and the below-threshold ones of art. 50).
OPEN = "open"
RESTRICTED = "restricted"
COMPETITIVE_NEGOTIATION = "competitive_negotiation"
COMPETITIVE_DIALOGUE = "competitive_dialogue"
INNOVATION_PARTNERSHIP = "innovation_partnership"
NEGOTIATED_WITHOUT_NOTICE = "negotiated_without_notice"  # art. 76, above threshold
NEGOTIATED_BELOW_THRESHOLD = "negotiated_below_threshold"  # art. 50 c.1 lett. c-e
DIRECT_AWARD = "direct_award"  # art. 50 c.1 lett. a-b
PROCEDURES = (
    OPEN,
    RESTRICTED,
    COMPETITIVE_NEGOTIATION,
    COMPETITIVE_DIALOGUE,
    INNOVATION_PARTNERSHIP,
    NEGOTIATED_WITHOUT_NOTICE,
    NEGOTIATED_BELOW_THRESHOLD,
    DIRECT_AWARD,
)

# Phases: requests to participate ("domande di partecipazione") and offers.
REQUESTS = "requests"
OFFERS = "offers"
PHASES = (REQUESTS, OFFERS)

# Reductions.
URGENCY = "urgency"  # "ragioni di urgenza debitamente motivate"
PRIOR_INFORMATION = "prior_information_notice"  # "avviso di preinformazione"
REDUCTIONS = (URGENCY, PRIOR_INFORMATION)

# Dir. 2014/24 art. 29 c.1 says 30 days; the 2023 Italian text 10 [unverified which holds]: the longer,
# safe for both readings, is the default.
NEGOTIATION_REQUEST_DAYS = 30

STANDSTILL_DAYS = 35  # art. 18 c.3
CONTRACT_BELOW_THRESHOLD_DAYS = 30  # art. 55 (DOMAIN §4.4)
OFFER_VALIDITY_DAYS = 180  # art. 17 c.4


class DeadlineError(ValueError):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Rule:
    """A minimum term in days, its article, and the shorter terms each reduction allows."""

    days: int
    article: str
    reductions: dict = field(default_factory=dict)  # reduction -> (days, article)


_CODE = "D.Lgs. 36/2023"
TABLE = {
    (OPEN, OFFERS): Rule(
        30,
        f"art. 71, {_CODE}",
        {
            PRIOR_INFORMATION: (15, f"art. 71, {_CODE} (avviso di preinformazione)"),
            URGENCY: (15, f"art. 71, {_CODE} (urgenza motivata)"),
        },
    ),
    (RESTRICTED, REQUESTS): Rule(
        30, f"art. 72, {_CODE}", {URGENCY: (15, f"art. 72, {_CODE} (urgenza motivata)")}
    ),
    (RESTRICTED, OFFERS): Rule(
        30,
        f"art. 72, {_CODE}",
        {
            PRIOR_INFORMATION: (10, f"art. 72, {_CODE} (avviso di preinformazione)"),
            URGENCY: (10, f"art. 72, {_CODE} (urgenza motivata)"),
        },
    ),
    # the term for requests is filled in by minimum_deadline from its parameter
    (COMPETITIVE_NEGOTIATION, REQUESTS): Rule(
        NEGOTIATION_REQUEST_DAYS, f"art. 73, {_CODE}", {URGENCY: (15, f"art. 73, {_CODE} (urgenza motivata)")}
    ),
    (COMPETITIVE_NEGOTIATION, OFFERS): Rule(
        25,
        f"art. 73, {_CODE}",
        {
            PRIOR_INFORMATION: (10, f"art. 73, {_CODE} (avviso di preinformazione)"),
            URGENCY: (10, f"art. 73, {_CODE} (urgenza motivata)"),
        },
    ),
    (COMPETITIVE_DIALOGUE, REQUESTS): Rule(30, f"art. 74, {_CODE}"),
    (INNOVATION_PARTNERSHIP, REQUESTS): Rule(30, f"art. 75, {_CODE}"),
}


@dataclass(frozen=True)
class PatronSaint:
    """The patron saint's day of the SUA's seat, a local holiday every year (e.g. 24 June in Turin)."""

    month: int
    day: int
    name: str

    def falls_on(self, day: date) -> bool:
        return (day.month, day.day) == (self.month, self.day)


@dataclass(frozen=True)
class Deadline:
    """A deadline: the day, its length in days, the article that sets it, the holiday (or Saturday, Sunday) it
    falls on if any, and ``ends_on``, the day the period really ends: the day itself, or the next working day
    when the day is not one (Reg. 1182/71 art. 3(4))."""

    day: date
    days: int
    article: str
    holiday: str | None
    procedure: str = ""
    phase: str = ""
    ends_on: date | None = None

    def __post_init__(self):
        if self.ends_on is None:
            object.__setattr__(self, "ends_on", next_working_day(self.day) if self.holiday else self.day)


def minimum_deadline(
    procedure: str,
    start_day: date,
    reductions=(),
    *,
    phase: str = OFFERS,
    patron_saint: PatronSaint | None = None,
    negotiation_request_days: int = NEGOTIATION_REQUEST_DAYS,
    table=TABLE,
) -> Deadline:
    """The earliest lawful deadline for ``phase`` of ``procedure`` counted from ``start_day`` (the day the
    notice or invitation is sent), artt. 71-75 D.Lgs. 36/2023 with the reductions asked for.

    Several reductions: the shortest term among them applies. A reduction the article does not grant for that
    phase, or a procedure/phase with no statutory minimum (art. 76, art. 50 procedures: the authority sets a
    congruous term under art. 92), raises DeadlineError.
    """
    rule = _rule(procedure, phase, negotiation_request_days, table)
    days, article = rule.days, rule.article
    for reduction in dict.fromkeys(reductions):
        if reduction not in REDUCTIONS:
            raise DeadlineError(gettext_noop("Unknown reduction %(name)s."), name=reduction)
        if reduction not in rule.reductions:
            raise DeadlineError(
                gettext_noop(
                    "The law grants no %(reduction)s reduction for the %(phase)s of a %(procedure)s."
                ),
                reduction=reduction,
                phase=phase,
                procedure=procedure,
            )
        reduced, reduced_article = rule.reductions[reduction]
        if reduced < days:
            days, article = reduced, reduced_article
    day = start_day + timedelta(days=days)
    return Deadline(
        day,
        days,
        article,
        holiday_on(day, patron_saint),
        procedure,
        phase,
        next_working_day(day, patron_saint),
    )


def _rule(procedure: str, phase: str, negotiation_request_days: int, table) -> Rule:
    if procedure not in PROCEDURES:
        raise DeadlineError(gettext_noop("Unknown procedure %(name)s."), name=procedure)
    if phase not in PHASES:
        raise DeadlineError(gettext_noop("Unknown phase %(name)s."), name=phase)
    rule = table.get((procedure, phase))
    if rule is None:
        raise DeadlineError(
            gettext_noop(
                "The law sets no minimum term for the %(phase)s of a %(procedure)s: set a term adequate to "
                "the contract's complexity (art. 92 D.Lgs. 36/2023)."
            ),
            phase=phase,
            procedure=procedure,
        )
    if (procedure, phase) == (COMPETITIVE_NEGOTIATION, REQUESTS):
        if negotiation_request_days < 1:
            raise DeadlineError(gettext_noop("A term must be at least one day."))
        rule = Rule(negotiation_request_days, rule.article, rule.reductions)
    return rule


def validate_chosen_deadline(
    chosen: date, minimum: Deadline, *, patron_saint: PatronSaint | None = None
) -> Deadline:
    """The officer's deadline if it is not shorter than ``minimum`` (it may be longer, art. 92 c.1), with its
    own holiday flag; otherwise DeadlineError."""
    if chosen < minimum.day:
        raise DeadlineError(
            gettext_noop(
                "The deadline cannot come before %(day)s: the law requires at least %(days)d days "
                "(%(article)s). It may be longer, never shorter."
            ),
            day=minimum.day.isoformat(),
            days=minimum.days,
            article=minimum.article,
        )
    start = minimum.day - timedelta(days=minimum.days)
    days = (chosen - start).days
    return Deadline(
        chosen,
        days,
        minimum.article,
        holiday_on(chosen, patron_saint),
        minimum.procedure,
        minimum.phase,
        next_working_day(chosen, patron_saint),
    )


def holiday_on(day: date, patron_saint: PatronSaint | None = None) -> str | None:
    """The name of the Italian public holiday(s) on ``day``, the patron saint's day, "Saturday" or "Sunday";
    None on a working day (Reg. 1182/71 art. 3(4): holidays, Saturdays and Sundays are not working days).

    Holiday names come from the ``holidays`` package in Italian; "Saturday" and "Sunday" are English source
    strings.
    """
    names = []
    national = _italian_holidays(day.year).get(day)
    if national:
        names.append(national)
    if patron_saint is not None and patron_saint.falls_on(day):
        names.append(patron_saint.name)
    if names:
        return "; ".join(names)
    if day.weekday() == 5:
        return gettext_noop("Saturday")
    if day.weekday() == 6:
        return gettext_noop("Sunday")
    return None


def next_working_day(day: date, patron_saint: PatronSaint | None = None) -> date:
    """``day`` if it is a working day, else the first working day after it: where a period ends on a
    holiday, a Saturday or a Sunday, it ends with the last hour of the following working day (Reg. CEE/Euratom
    1182/71 art. 3(4))."""
    while holiday_on(day, patron_saint) is not None:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=32)
def _italian_holidays(year: int):
    return holidays.country_holidays("IT", years=year, language="it_IT")


def standstill_end(last_notification_day: date, *, above_threshold: bool) -> date | None:
    """The first day the contract may be signed: 35 days after the last notice of the award (art. 18 c.3);
    None below the EU threshold, where the standstill does not apply (art. 55 c.2)."""
    if not above_threshold:
        return None
    return last_notification_day + timedelta(days=STANDSTILL_DAYS)


def contract_due_below_threshold(award_day: date) -> date:
    """Below the EU threshold the contract is signed within 30 days of the award (art. 55, DOMAIN §4.4)."""
    return award_day + timedelta(days=CONTRACT_BELOW_THRESHOLD_DAYS)


def offer_binding_until(submission_deadline: date, days: int = OFFER_VALIDITY_DAYS) -> date:
    """Offers bind for the period the notice states or, failing that, 180 days from the submission deadline
    (art. 17 c.4)."""
    if days < 1:
        raise DeadlineError(gettext_noop("A term must be at least one day."))
    return submission_deadline + timedelta(days=days)
