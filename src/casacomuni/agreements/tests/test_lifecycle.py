"""The life of a convenzione (agreements/rules/lifecycle.py).

Art. 30 TUEL (D.Lgs. 267/2000): an agreement between local authorities is approved by each party's
council and states its duration, the parties' obligations and the forms of withdrawal. Hence: both
approvals come before the signature, the agreement binds for its term, a withdrawal respects the notice.
"""

from datetime import date

import pytest

from casacomuni.agreements.rules import lifecycle
from casacomuni.agreements.rules.lifecycle import Act, AgreementFacts, TransitionRefused, next_state

TODAY = date(2026, 11, 26)


def facts(state, **extra):
    values = {
        "state": state,
        "start_date": date(2026, 1, 1),
        "end_date": date(2028, 12, 31),
        "notice_days": 180,
    }
    return AgreementFacts(**(values | extra))


def test_the_full_path_from_draft_to_active():
    state = next_state(
        facts(lifecycle.DRAFT), lifecycle.APPROVE_PROVINCE, Act("12", date(2026, 1, 10)), TODAY
    )
    assert state == lifecycle.PROVINCE_APPROVED
    state = next_state(
        facts(state), lifecycle.APPROVE_MUNICIPALITY, Act("7", date(2026, 2, 3), has_file=True), TODAY
    )
    assert state == lifecycle.MUNICIPALITY_APPROVED
    approved = facts(
        state, province_resolution_date=date(2026, 1, 10), municipality_resolution_date=date(2026, 2, 3)
    )
    state = next_state(approved, lifecycle.SIGN, Act(day=date(2026, 2, 20), has_file=True), TODAY)
    assert state == lifecycle.SIGNED
    assert next_state(facts(state), lifecycle.ACTIVATE, Act(), TODAY) == lifecycle.ACTIVE


def test_signing_before_both_approvals_is_refused():
    with pytest.raises(TransitionRefused, match="cannot go through"):
        next_state(facts(lifecycle.PROVINCE_APPROVED), lifecycle.SIGN, Act(day=TODAY, has_file=True), TODAY)


def test_a_signature_dated_before_the_councils_approval_is_refused():
    approved = facts(
        lifecycle.MUNICIPALITY_APPROVED,
        province_resolution_date=date(2026, 1, 10),
        municipality_resolution_date=date(2026, 3, 1),
    )
    with pytest.raises(TransitionRefused, match="after both councils"):
        next_state(approved, lifecycle.SIGN, Act(day=date(2026, 2, 28), has_file=True), TODAY)


def test_the_councils_approval_needs_its_resolution_attached():
    with pytest.raises(TransitionRefused, match="Attach"):
        next_state(
            facts(lifecycle.PROVINCE_APPROVED),
            lifecycle.APPROVE_MUNICIPALITY,
            Act("7", date(2026, 2, 3)),
            TODAY,
        )


@pytest.mark.parametrize("act", [Act("", date(2026, 1, 10)), Act("12", None), Act("12", date(2026, 11, 27))])
def test_a_resolution_needs_a_number_and_a_date_not_in_the_future(act):
    with pytest.raises(TransitionRefused):
        next_state(facts(lifecycle.DRAFT), lifecycle.APPROVE_PROVINCE, act, TODAY)


def test_an_expired_agreement_cannot_be_activated():
    expired = facts(lifecycle.SIGNED, end_date=date(2026, 11, 25))
    with pytest.raises(TransitionRefused, match="expired"):
        next_state(expired, lifecycle.ACTIVATE, Act(), TODAY)


def test_an_agreement_ending_today_can_still_be_activated():
    assert (
        next_state(facts(lifecycle.SIGNED, end_date=TODAY), lifecycle.ACTIVATE, Act(), TODAY)
        == lifecycle.ACTIVE
    )


def test_renewal_extends_the_term_up_to_the_renewals_allowed():
    active = facts(lifecycle.ACTIVE, max_renewals=1, renewals=0)
    assert (
        next_state(
            active, lifecycle.RENEW, Act("40", date(2026, 10, 1), new_end_date=date(2031, 12, 31)), TODAY
        )
        == lifecycle.ACTIVE
    )
    with pytest.raises(TransitionRefused, match="no further renewal"):
        next_state(
            facts(lifecycle.ACTIVE, max_renewals=1, renewals=1),
            lifecycle.RENEW,
            Act("41", date(2026, 10, 1), new_end_date=date(2031, 12, 31)),
            TODAY,
        )
    with pytest.raises(TransitionRefused, match="must come after"):
        next_state(
            active, lifecycle.RENEW, Act("40", date(2026, 10, 1), new_end_date=date(2028, 12, 31)), TODAY
        )


def test_withdrawal_respects_the_notice_period():
    # Notice given on 1 March 2026 with 180 days: 30 (to 31 Mar) + 30 + 31 + 30 + 31 + 28 = 180 → 28 August.
    active = facts(lifecycle.ACTIVE)
    assert lifecycle.earliest_withdrawal(date(2026, 3, 1), 180) == date(2026, 8, 28)
    with pytest.raises(TransitionRefused, match="at the earliest"):
        next_state(
            active, lifecycle.WITHDRAW, Act(day=date(2026, 3, 1), effective_date=date(2026, 8, 27)), TODAY
        )
    assert (
        next_state(
            active, lifecycle.WITHDRAW, Act(day=date(2026, 3, 1), effective_date=date(2026, 8, 28)), TODAY
        )
        == lifecycle.WITHDRAWN
    )


def test_only_an_agreement_past_its_term_expires():
    with pytest.raises(TransitionRefused, match="in force until"):
        next_state(facts(lifecycle.ACTIVE, end_date=TODAY), lifecycle.EXPIRE, Act(), TODAY)
    assert (
        next_state(facts(lifecycle.ACTIVE, end_date=date(2026, 11, 25)), lifecycle.EXPIRE, Act(), TODAY)
        == lifecycle.EXPIRED
    )


@pytest.mark.parametrize("state", lifecycle.STATES)
def test_every_state_allows_exactly_the_transitions_of_the_table(state):
    allowed = set(lifecycle.allowed_transitions(state))
    for transition in lifecycle.TRANSITIONS:
        if transition not in allowed:
            with pytest.raises(TransitionRefused):
                next_state(
                    facts(state),
                    transition,
                    Act("1", date(2026, 1, 1), True, date(2030, 1, 1), date(2030, 1, 1)),
                    TODAY,
                )


def test_in_force_on_a_date():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert lifecycle.in_force(lifecycle.ACTIVE, start, end, None, date(2026, 6, 1))
    assert not lifecycle.in_force(lifecycle.SIGNED, start, end, None, date(2026, 6, 1))  # never activated
    assert not lifecycle.in_force(lifecycle.ACTIVE, start, end, None, date(2027, 1, 1))
    # Withdrawn with effect from 1 September: binds on 31 August, no more on 1 September.
    assert lifecycle.in_force(lifecycle.WITHDRAWN, start, end, date(2026, 9, 1), date(2026, 8, 31))
    assert not lifecycle.in_force(lifecycle.WITHDRAWN, start, end, date(2026, 9, 1), date(2026, 9, 1))
    # An expired agreement still answers for the days it was in force (history).
    assert lifecycle.in_force(lifecycle.EXPIRED, start, end, None, date(2026, 3, 1))


def test_an_agreement_activated_before_its_start_is_not_yet_in_force():
    """Art. 30 TUEL: the convenzione binds for the term it states; activated early, it waits for its first day."""
    start, end = date(2027, 1, 1), date(2029, 12, 31)
    assert lifecycle.standing(lifecycle.ACTIVE, start, end, None, date(2026, 12, 1)) == lifecycle.UPCOMING
    assert lifecycle.standing(lifecycle.ACTIVE, start, end, None, start) == lifecycle.ACTIVE
    # Past its term before the daily run marks it: already expired for whoever reads it.
    assert lifecycle.standing(lifecycle.ACTIVE, start, end, None, date(2030, 1, 1)) == lifecycle.EXPIRED
    assert lifecycle.standing(lifecycle.SIGNED, start, end, None, date(2026, 12, 1)) == lifecycle.SIGNED


def test_the_last_binding_day_is_the_term_or_the_eve_of_a_withdrawal():
    assert lifecycle.last_binding_day(date(2028, 12, 31), None) == date(2028, 12, 31)
    assert lifecycle.last_binding_day(date(2028, 12, 31), date(2027, 7, 1)) == date(2027, 6, 30)


def test_two_agreements_overlap_when_they_share_a_day():
    first = (date(2026, 1, 1), date(2028, 12, 31))
    assert lifecycle.periods_overlap(first, (date(2028, 12, 31), date(2031, 12, 30)))
    assert lifecycle.periods_overlap(first, (date(2025, 1, 1), date(2030, 1, 1)))
    assert not lifecycle.periods_overlap(first, (date(2029, 1, 1), date(2031, 12, 31)))
    assert not lifecycle.periods_overlap(first, (date(2024, 1, 1), date(2025, 12, 31)))
