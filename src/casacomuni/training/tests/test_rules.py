"""The training rules on worked examples.

Sources: the 40 hours a year per employee, directive of the Minister for Public Administration of 14 January
2025 (DOMAIN.md section 7); UPI's procurement course, 80 % attendance and a test passed at two thirds (DOMAIN.md
section 7); Open Badges v2.0 (1EdTech), hosted verification and hashed recipients."""

from datetime import date
from decimal import Decimal

import pytest

from casacomuni.training.rules import attendance, ledger, openbadges, seats

# --- The 40-hour ledger -------------------------------------------------------------------------------------


def test_the_year_asks_forty_hours_from_2025():
    assert ledger.TARGET_HOURS == 40 and ledger.FIRST_YEAR == 2025


def test_on_the_second_of_july_half_the_year_and_a_day_is_gone():
    """2 July 2026 is day 183 of 365: 40 × 183 / 365 = 20.05 hours expected, 20.1 to one decimal."""
    today = date(2026, 7, 2)
    assert ledger.elapsed_share(today, 2026) == Decimal(183) / Decimal(365)
    assert ledger.expected_by(today, 2026) == Decimal("20.1")


@pytest.mark.parametrize(
    ("hours", "forecast", "standing"),
    [
        # 12 hours by 2 July: 12 × 365 / 183 = 23.93 by December; 24 ≥ half of 20.1: behind.
        ("12", "23.9", ledger.BEHIND),
        # 9 hours: 9 × 365 / 183 = 17.95, 18.0 by December; 18 < 20.1, less than half the pace: far behind.
        ("9", "18.0", ledger.FAR_BEHIND),
        # 21 hours: 21 × 365 / 183 = 41.89: on track.
        ("21", "41.9", ledger.ON_TRACK),
        ("40", "79.8", ledger.REACHED),
    ],
)
def test_the_standing_on_the_second_of_july(hours, forecast, standing):
    today = date(2026, 7, 2)
    assert ledger.forecast(Decimal(hours), today, 2026) == Decimal(forecast)
    assert ledger.standing(Decimal(hours), today, 2026) == standing


def test_a_closed_year_under_forty_is_missed_and_a_year_not_begun_has_no_forecast():
    assert ledger.standing(Decimal(30), date(2026, 1, 10), 2025) == ledger.MISSED
    assert ledger.standing(Decimal(40), date(2026, 1, 10), 2025) == ledger.REACHED
    assert ledger.forecast(Decimal(30), date(2026, 1, 10), 2025) == Decimal("30.0")
    assert ledger.forecast(Decimal(5), date(2026, 12, 1), 2027) == 0


def test_a_leap_year_has_366_days_and_the_last_day_closes_the_year():
    assert ledger.days_in(2028) == 366 and ledger.days_in(2026) == 365
    assert ledger.elapsed_share(date(2028, 12, 31), 2028) == 1
    assert ledger.expected_by(date(2028, 12, 31), 2028) == 40


def test_the_hours_missing_are_never_negative():
    assert ledger.missing(Decimal("12.5")) == Decimal("27.5")
    assert ledger.missing(Decimal(45)) == 0


# --- Attendance and completion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "session", "problem"),
    [
        (0, 120, None),
        (120, 120, None),
        (121, 120, attendance.MINUTES_OVER_SESSION),
        (-1, 120, attendance.MINUTES_NEGATIVE),
    ],
)
def test_the_minutes_of_a_session(minutes, session, problem):
    assert attendance.minutes_problem(minutes, session) == problem


def test_upis_course_asks_eighty_percent_and_two_thirds_of_the_test():
    """Two sessions of 2 hours (240 minutes): 192 minutes are 80.0 %, 191 are 79.5 %; the test passes at 67 %."""
    upi = {"final_test": True, "pass_mark_percent": 67}
    assert attendance.completion_problems(192, 240, 80, test_score_percent=67, **upi) == []
    assert attendance.completion_problems(191, 240, 80, test_score_percent=90, **upi) == [
        attendance.NOT_ENOUGH_ATTENDANCE
    ]
    assert attendance.completion_problems(240, 240, 80, test_score_percent=66, **upi) == [
        attendance.TEST_NOT_PASSED
    ]
    assert attendance.completion_problems(240, 240, 80, test_score_percent=None, **upi) == [
        attendance.TEST_NOT_TAKEN
    ]


def test_the_share_is_truncated_so_that_just_under_the_minimum_is_under_it():
    """Three sessions of 100 minutes: 224 minutes are 74.66 %, read 74.6 %, short of 75 %; 225 are 75.0 %."""
    assert attendance.attended_percent(224, 300) == Decimal("74.6")
    no_test = {"final_test": False, "test_score_percent": None, "pass_mark_percent": 67}
    assert attendance.completion_problems(224, 300, 75, **no_test) == [attendance.NOT_ENOUGH_ATTENDANCE]
    assert attendance.completion_problems(225, 300, 75, **no_test) == []
    assert attendance.completion_problems(0, 0, 75, **no_test) == [attendance.NO_SESSIONS]


# --- Seats --------------------------------------------------------------------------------------------------


def test_a_seat_while_one_is_free_then_the_waiting_list_in_order():
    assert seats.placement(2, 3) == seats.ENROLLED
    assert seats.placement(3, 3) == seats.WAITING
    assert seats.promoted(2, 3, ["first", "second"]) == ["first"]
    assert seats.promoted(1, 3, ["first", "second", "third"]) == ["first", "second"]
    assert seats.promoted(3, 3, ["first"]) == []
    assert seats.promoted(4, 3, ["first"]) == []  # seats reduced below the enrolled: nobody moves


# --- Open Badges 2.0 ----------------------------------------------------------------------------------------


def test_the_recipient_is_hashed_with_its_salt_as_the_specification_says():
    """sha256 of the e-mail in lower case followed by the salt, prefixed "sha256$" (Open Badges v2.0,
    IdentityObject); the digest below was computed once with Python's hashlib."""
    assert openbadges.hashed_identity("Maria.Rossi@Comune.example.it", "a1b2c3") == (
        "sha256$06f8d6e9e23abef1e7a161a606bb42890b0aef82caa278582110fec05a6b0149"
    )
    assert openbadges.recipient("", "rssmra80a01h501u") == openbadges.Recipient(
        "id", "urn:it:codicefiscale:RSSMRA80A01H501U"
    )


def test_an_assertion_has_every_required_field_and_says_when_it_was_revoked():
    recipient = openbadges.recipient("maria.rossi@comune.example.it", "RSSMRA80A01H501U")
    given = openbadges.assertion(
        url="https://x.it/a.json",
        badge_url="https://x.it/b.json",
        recipient=recipient,
        salt="a1b2c3",
        issued_on="2026-06-30T10:00:00+00:00",
        evidence_url="https://x.it/verifica",
    )
    assert given["@context"] == "https://w3id.org/openbadges/v2" and given["type"] == "Assertion"
    assert {"id", "recipient", "badge", "verification", "issuedOn"} <= set(given)
    assert given["verification"] == {"type": "hosted"} and "revoked" not in given
    assert "maria" not in str(given["recipient"])
    revoked = openbadges.assertion(
        url="u",
        badge_url="b",
        recipient=recipient,
        salt="s",
        issued_on="d",
        evidence_url="e",
        revocation_reason="Errore",
    )
    assert revoked["revoked"] is True and revoked["revocationReason"] == "Errore"
