"""Minimum deadlines and fixed periods (procurement/rules/deadlines.py).

Artt. 71-75 D.Lgs. 36/2023 (2023 text, DOMAIN §4.4): open 30 days for offers (15 after a prior information
notice or for motivated urgency); restricted 30 for requests (15 urgent) and 30 for offers (10 with a PIN or
urgent); competitive with negotiation: requests 30 by default (10 in the Italian text, [unverified]), offers 25;
competitive dialogue and innovation partnership 30 for requests. Calendar days counted from the day after the
sending (Reg. 1182/71 art. 3). Holidays, Saturdays and Sundays flagged, never moved, with the day the period
really ends (the next working day, Reg. 1182/71 art. 3(4)). Art. 18 c.3 standstill 35 days (not below
threshold, art. 55); contract within 30 days of the award below threshold; offers bind 180 days (art. 17 c.4).
"""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.procurement.rules import deadlines as d
from casacomuni.procurement.rules.deadlines import (
    DeadlineError,
    PatronSaint,
    holiday_on,
    minimum_deadline,
    validate_chosen_deadline,
)

SAN_GIOVANNI = PatronSaint(6, 24, "San Giovanni Battista")  # patron of Turin


def test_open_procedure_gives_30_days_from_the_notice():
    # Notice sent Monday 2026-03-02: March 3..31 are 29 days, 1 April is the 30th -> 2026-04-01 (Wednesday).
    deadline = minimum_deadline(d.OPEN, date(2026, 3, 2))
    assert (deadline.day, deadline.days, deadline.holiday) == (date(2026, 4, 1), 30, None)
    assert "art. 71" in deadline.article


def test_a_deadline_on_easter_monday_is_flagged_not_moved():
    # 2026-03-07 + 30: March 8..31 = 24 days, April 1..6 = 6 -> 2026-04-06, Easter Monday 2026.
    deadline = minimum_deadline(d.OPEN, date(2026, 3, 7))
    assert deadline.day == date(2026, 4, 6)
    assert deadline.holiday == "Lunedì dell'Angelo"


def test_a_deadline_on_the_immacolata_is_flagged():
    # 2026-11-08 + 30: November 9..30 = 22 days, December 1..8 = 8 -> 2026-12-08.
    deadline = minimum_deadline(d.OPEN, date(2026, 11, 8))
    assert (deadline.day, deadline.holiday) == (date(2026, 12, 8), "Immacolata Concezione")


def test_a_deadline_on_christmas_is_flagged():
    # Restricted procedure, invitation sent 2026-11-25: 30 days -> November 26..30 = 5, December 1..25 = 25.
    deadline = minimum_deadline(d.RESTRICTED, date(2026, 11, 25), phase=d.OFFERS)
    assert (deadline.day, deadline.holiday) == (date(2026, 12, 25), "Natale")


def test_a_deadline_on_a_saturday_is_flagged_and_the_period_ends_on_monday():
    """Reg. CEE/Euratom 1182/71 art. 3(4): a period whose last day is a public holiday, a Sunday or a Saturday
    ends with the last hour of the following working day. 2026-01-29 + 30: January 30-31 = 2 days, February
    1-28 = 28 more -> Saturday 2026-02-28; Sunday 1 March follows, so the period ends on Monday 2026-03-02."""
    deadline = minimum_deadline(d.OPEN, date(2026, 1, 29))
    assert deadline.day == date(2026, 2, 28) and deadline.day.weekday() == 5
    assert deadline.holiday == "Saturday"
    assert deadline.ends_on == date(2026, 3, 2)


def test_a_period_ending_on_easter_saturday_ends_on_the_tuesday():
    # 2026-03-05 + 30: March 6-31 = 26 days, April 1-4 = 4 -> Saturday 2026-04-04; Easter Sunday 5 April and
    # Easter Monday 6 April follow: the first working day is Tuesday 2026-04-07 (Reg. 1182/71 art. 3(4)).
    deadline = minimum_deadline(d.OPEN, date(2026, 3, 5))
    assert (deadline.day, deadline.holiday, deadline.ends_on) == (
        date(2026, 4, 4),
        "Saturday",
        date(2026, 4, 7),
    )


def test_a_deadline_on_a_working_day_ends_that_day():
    deadline = minimum_deadline(d.OPEN, date(2026, 3, 2))
    assert deadline.ends_on == deadline.day == date(2026, 4, 1)


def test_a_deadline_on_a_sunday_is_flagged():
    # 2026-01-30 + 30 -> 2026-03-01 (31 Jan = 1, February = 28 more, 1 March = 30th), a Sunday.
    deadline = minimum_deadline(d.OPEN, date(2026, 1, 30))
    assert deadline.day == date(2026, 3, 1)
    assert deadline.day.weekday() == 6
    assert deadline.holiday == "Sunday"


def test_the_patron_saint_of_the_sua_seat_is_flagged_when_given():
    # 2026-05-25 + 30: May 26..31 = 6, June 1..24 = 24 -> 2026-06-24, San Giovanni in Turin.
    assert minimum_deadline(d.OPEN, date(2026, 5, 25)).holiday is None
    deadline = minimum_deadline(d.OPEN, date(2026, 5, 25), patron_saint=SAN_GIOVANNI)
    assert (deadline.day, deadline.holiday) == (date(2026, 6, 24), "San Giovanni Battista")


def test_an_ordinary_weekday_is_not_flagged():
    assert holiday_on(date(2026, 4, 7)) is None  # Tuesday after Easter Monday


@pytest.mark.parametrize(
    ("procedure", "phase", "reductions", "days"),
    [
        (d.OPEN, d.OFFERS, (), 30),
        (d.OPEN, d.OFFERS, (d.PRIOR_INFORMATION,), 15),
        (d.OPEN, d.OFFERS, (d.URGENCY,), 15),
        (d.OPEN, d.OFFERS, (d.URGENCY, d.PRIOR_INFORMATION), 15),
        (d.RESTRICTED, d.REQUESTS, (), 30),
        (d.RESTRICTED, d.REQUESTS, (d.URGENCY,), 15),
        (d.RESTRICTED, d.OFFERS, (), 30),
        (d.RESTRICTED, d.OFFERS, (d.PRIOR_INFORMATION,), 10),
        (d.RESTRICTED, d.OFFERS, (d.URGENCY,), 10),
        (d.COMPETITIVE_NEGOTIATION, d.REQUESTS, (), 30),
        (d.COMPETITIVE_NEGOTIATION, d.OFFERS, (), 25),
        (d.COMPETITIVE_NEGOTIATION, d.OFFERS, (d.URGENCY,), 10),
        (d.COMPETITIVE_DIALOGUE, d.REQUESTS, (), 30),
        (d.INNOVATION_PARTNERSHIP, d.REQUESTS, (), 30),
    ],
)
def test_minimum_terms_and_reductions(procedure, phase, reductions, days):
    start = date(2026, 9, 1)
    deadline = minimum_deadline(procedure, start, reductions, phase=phase)
    assert deadline.days == days
    assert deadline.day == start + timedelta(days=days)


def test_the_reduction_used_is_named_in_the_article():
    assert "urgenza" in minimum_deadline(d.OPEN, date(2026, 9, 1), (d.URGENCY,)).article


def test_competitive_negotiation_request_term_is_a_parameter():
    # [unverified]: 10 days in the 2023 Italian text, 30 in Dir. 2014/24 art. 29; default the longer.
    start = date(2026, 9, 1)
    assert minimum_deadline(d.COMPETITIVE_NEGOTIATION, start, phase=d.REQUESTS).days == 30
    shorter = minimum_deadline(
        d.COMPETITIVE_NEGOTIATION, start, phase=d.REQUESTS, negotiation_request_days=10
    )
    assert (shorter.days, shorter.day) == (10, date(2026, 9, 11))


def test_a_reduction_the_law_does_not_grant_is_refused():
    # A prior information notice shortens offers, not requests to participate (art. 72).
    with pytest.raises(DeadlineError, match="grants no"):
        minimum_deadline(d.RESTRICTED, date(2026, 9, 1), (d.PRIOR_INFORMATION,), phase=d.REQUESTS)
    with pytest.raises(DeadlineError, match="Unknown reduction"):
        minimum_deadline(d.OPEN, date(2026, 9, 1), ("friendship",))


@pytest.mark.parametrize(
    ("procedure", "phase"),
    [
        (d.NEGOTIATED_WITHOUT_NOTICE, d.OFFERS),
        (d.NEGOTIATED_BELOW_THRESHOLD, d.OFFERS),
        (d.DIRECT_AWARD, d.OFFERS),
        (d.OPEN, d.REQUESTS),
        (d.COMPETITIVE_DIALOGUE, d.OFFERS),
    ],
)
def test_no_statutory_minimum_is_said_not_invented(procedure, phase):
    with pytest.raises(DeadlineError, match="sets no minimum term"):
        minimum_deadline(procedure, date(2026, 9, 1), phase=phase)


def test_unknown_procedure_is_refused():
    with pytest.raises(DeadlineError, match="Unknown procedure"):
        minimum_deadline("auction", date(2026, 9, 1))


def test_the_officer_may_lengthen_the_deadline_but_never_shorten_it():
    minimum = minimum_deadline(d.OPEN, date(2026, 3, 2))  # 2026-04-01
    with pytest.raises(DeadlineError, match="never shorter"):
        validate_chosen_deadline(date(2026, 3, 31), minimum)
    same = validate_chosen_deadline(date(2026, 4, 1), minimum)
    assert same.days == 30
    # Lengthened to Easter Monday 2026-04-06: 35 days, accepted and flagged.
    longer = validate_chosen_deadline(date(2026, 4, 6), minimum)
    assert (longer.days, longer.holiday) == (35, "Lunedì dell'Angelo")


def test_standstill_is_35_days_above_threshold_and_none_below():
    # Last award notice 2026-03-02: March 3..31 = 29, April 1..6 = 6 -> first day to sign 2026-04-06.
    assert d.standstill_end(date(2026, 3, 2), above_threshold=True) == date(2026, 4, 6)
    assert d.standstill_end(date(2026, 3, 2), above_threshold=False) is None


def test_contract_below_threshold_within_30_days_of_award():
    assert d.contract_due_below_threshold(date(2026, 3, 2)) == date(2026, 4, 1)


def test_offers_bind_for_180_days_from_the_submission_deadline():
    # 2026-04-01 + 180: April 29 left (29), May 31 (60), June 30 (90), July 31 (121), August 31 (152),
    # September 28 more (180) -> 2026-09-28.
    assert d.offer_binding_until(date(2026, 4, 1)) == date(2026, 9, 28)
    assert d.offer_binding_until(date(2026, 4, 1), days=90) == date(2026, 6, 30)


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from([d.OPEN, d.RESTRICTED]),
)
def test_the_deadline_is_never_moved_and_flagged_exactly_on_holidays_and_weekends(start, procedure):
    deadline = minimum_deadline(procedure, start)
    assert deadline.day == start + timedelta(days=deadline.days)
    italian = holidays.country_holidays("IT", years=[deadline.day.year, deadline.day.year + 1])
    national = deadline.day in italian
    assert (deadline.holiday is not None) == (national or deadline.day.weekday() >= 5)
    # The period ends on the first working day from the deadline on (Reg. 1182/71 art. 3(4)).
    assert deadline.ends_on >= deadline.day
    assert deadline.ends_on not in italian and deadline.ends_on.weekday() < 5
    between = [deadline.day + timedelta(days=n) for n in range((deadline.ends_on - deadline.day).days)]
    assert all(day in italian or day.weekday() >= 5 for day in between)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.integers(-60, 60))
def test_a_chosen_deadline_is_accepted_exactly_when_not_shorter(start, shift):
    minimum = minimum_deadline(d.OPEN, start)
    chosen = minimum.day + timedelta(days=shift)
    if shift < 0:
        with pytest.raises(DeadlineError):
            validate_chosen_deadline(chosen, minimum)
    else:
        assert validate_chosen_deadline(chosen, minimum).days == 30 + shift
