"""Art. 35 c.2 lett. a-b and c.3 D.Lgs. 36/2023 (rules/confidentiality.py): the invitees, the bidders and how
many bid are known to anybody but the SUA only once the deadline for offers has passed."""

from datetime import UTC, datetime, timedelta

from casacomuni.procurement.rules import confidentiality
from casacomuni.procurement.rules import procedure_lifecycle as life

DEADLINE = datetime(2026, 3, 16, 11, 0, tzinfo=UTC)  # 12:00 in Rome


def test_names_are_disclosed_from_the_deadline_on():
    assert not confidentiality.disclosed(DEADLINE - timedelta(seconds=1), DEADLINE)
    assert confidentiality.disclosed(DEADLINE, DEADLINE)
    assert confidentiality.disclosed(DEADLINE + timedelta(days=1), DEADLINE)


def test_a_procedure_without_a_deadline_discloses_nothing():
    assert not confidentiality.disclosed(DEADLINE, None)


def test_bids_are_decided_only_after_the_deadline_told_in_rome_time():
    """Dir. 2014/24/EU Annex IV lett. c and art. 35 c.2-3: the bids are examined once reception is closed."""
    problems = life.bid_decision_problems(DEADLINE - timedelta(minutes=1), DEADLINE)
    assert [p.code for p in problems] == ["bids_still_open"]
    assert "(16/03/2026 12:00, Italian time)" in problems[0].text()
    assert life.bid_decision_problems(DEADLINE, DEADLINE) == []
    assert [p.code for p in life.bid_decision_problems(DEADLINE, None)] == ["bids_still_open"]
