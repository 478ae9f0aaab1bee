"""The pure rules: the pipeline's transitions and preconditions, the PNRR monthly deadline, the KPIs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.projects.rules import kpis, pipeline, pnrr

READY = pipeline.Facts(has_lead=True, requested_amount=Decimal("100000"), granted_amount=Decimal("90000"))

# The whole table: (action, from status, actor) -> allowed. Written out, not derived from TRANSITIONS.
ALLOWED = {
    (pipeline.CONFIRM, pipeline.FLAGGED, pipeline.COMUNE),
    (pipeline.CONFIRM, pipeline.FLAGGED, pipeline.OFFICE),
    (pipeline.ASSESS, pipeline.INTERESTED, pipeline.OFFICE),
    (pipeline.DESIGN, pipeline.ASSESSING, pipeline.OFFICE),
    (pipeline.SUBMIT, pipeline.DESIGNING, pipeline.OFFICE),
    (pipeline.FUND, pipeline.SUBMITTED, pipeline.OFFICE),
    (pipeline.REJECT, pipeline.SUBMITTED, pipeline.OFFICE),
    *(
        (pipeline.WITHDRAW, status, actor)
        for status in (
            pipeline.FLAGGED,
            pipeline.INTERESTED,
            pipeline.ASSESSING,
            pipeline.DESIGNING,
            pipeline.SUBMITTED,
        )
        for actor in (pipeline.COMUNE, pipeline.OFFICE)
    ),
}


@pytest.mark.parametrize("action", pipeline.ACTIONS)
@pytest.mark.parametrize("status", pipeline.STATUSES)
@pytest.mark.parametrize("actor", [pipeline.COMUNE, pipeline.OFFICE])
def test_every_transition_of_the_table(action, status, actor):
    found = pipeline.problems(action, status, actor, READY)
    if (action, status, actor) in ALLOWED:
        assert found == []
    else:
        assert found in ([pipeline.WRONG_STATUS], [pipeline.WRONG_ACTOR])


def test_final_statuses_allow_nothing():
    for status in pipeline.FINAL:
        for actor in (pipeline.COMUNE, pipeline.OFFICE):
            assert pipeline.available(status, actor) == []


def test_the_comune_may_only_confirm_or_withdraw():
    assert pipeline.available(pipeline.FLAGGED, pipeline.COMUNE) == [pipeline.CONFIRM, pipeline.WITHDRAW]
    assert pipeline.available(pipeline.DESIGNING, pipeline.COMUNE) == [pipeline.WITHDRAW]
    assert pipeline.problems(pipeline.SUBMIT, pipeline.DESIGNING, pipeline.COMUNE, READY) == [
        pipeline.WRONG_ACTOR
    ]


def test_targets():
    assert [pipeline.target(a) for a in pipeline.ACTIONS] == [
        pipeline.INTERESTED,
        pipeline.ASSESSING,
        pipeline.DESIGNING,
        pipeline.SUBMITTED,
        pipeline.FUNDED,
        pipeline.NOT_FUNDED,
        pipeline.WITHDRAWN,
    ]


def test_unknown_action():
    assert pipeline.problems("approve", pipeline.FLAGGED, pipeline.OFFICE, READY) == [pipeline.UNKNOWN_ACTION]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (pipeline.Facts(True, Decimal("1")), []),
        (pipeline.Facts(False, Decimal("1")), [pipeline.NO_LEAD]),
        (pipeline.Facts(True, None), [pipeline.NO_REQUESTED_AMOUNT]),
        (pipeline.Facts(True, Decimal("0")), [pipeline.NO_REQUESTED_AMOUNT]),
        (pipeline.Facts(False, None), [pipeline.NO_LEAD, pipeline.NO_REQUESTED_AMOUNT]),
    ],
)
def test_submitting_needs_a_lead_and_a_requested_amount(facts, expected):
    assert pipeline.problems(pipeline.SUBMIT, pipeline.DESIGNING, pipeline.OFFICE, facts) == expected


@pytest.mark.parametrize(
    ("requested", "granted", "expected"),
    [
        (Decimal("100"), Decimal("100"), []),
        (Decimal("100"), Decimal("60"), []),
        (Decimal("100"), None, [pipeline.NO_GRANTED_AMOUNT]),
        (Decimal("100"), Decimal("0"), [pipeline.NO_GRANTED_AMOUNT]),
        (Decimal("100"), Decimal("100.01"), [pipeline.GRANTED_OVER_REQUESTED]),
    ],
)
def test_funding_needs_the_granted_amount(requested, granted, expected):
    facts = pipeline.Facts(True, requested, granted)
    assert pipeline.problems(pipeline.FUND, pipeline.SUBMITTED, pipeline.OFFICE, facts) == expected


def test_the_status_is_checked_before_the_data():
    empty = pipeline.Facts(False)
    assert pipeline.problems(pipeline.SUBMIT, pipeline.FLAGGED, pipeline.OFFICE, empty) == [
        pipeline.WRONG_STATUS
    ]


# --- PNRR monthly deadline (by the 10th of each month, DOMAIN.md §5) -------------------------------------


@pytest.mark.parametrize(
    ("today", "deadline"),
    [
        (date(2026, 3, 1), date(2026, 3, 10)),
        (date(2026, 3, 10), date(2026, 3, 10)),
        (date(2026, 3, 11), date(2026, 4, 10)),
        (date(2026, 3, 31), date(2026, 4, 10)),
        (date(2026, 2, 28), date(2026, 3, 10)),
        (date(2028, 2, 29), date(2028, 3, 10)),
        (date(2026, 12, 11), date(2027, 1, 10)),
        (date(2026, 12, 31), date(2027, 1, 10)),
        (date(2027, 1, 1), date(2027, 1, 10)),
        # Holidays and weekends do not move it: 10 January 2027 is a Sunday, 10 August 2026 a Monday.
        (date(2027, 1, 9), date(2027, 1, 10)),
    ],
)
def test_next_pnrr_deadline(today, deadline):
    assert pnrr.next_update_deadline(today) == deadline


def test_period_due_is_the_month_before():
    assert pnrr.period_due(date(2026, 3, 10)) == (2026, 2)
    assert pnrr.period_due(date(2027, 1, 10)) == (2026, 12)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_the_deadline_is_the_next_tenth(today):
    deadline = pnrr.next_update_deadline(today)
    assert deadline.day == 10
    assert 0 <= (deadline - today).days <= 31
    # No 10th lies strictly between today and the deadline.
    assert all((today + timedelta(days=d)).day != 10 for d in range((deadline - today).days))
    assert pnrr.days_left(today) == (deadline - today).days


# --- KPIs ---------------------------------------------------------------------------------------------------


def test_results_from_counts():
    counts = kpis.Counts(
        calls_screened=40,
        interests=12,
        applications=8,
        submitted=6,
        funded=3,
        not_funded=1,
        requested=Decimal("1200000.00"),
        granted=Decimal("450000.00"),
        population=90000,
        comuni_served=6,
        small_served=4,
        small_total=10,
    )
    results = kpis.results(counts)
    assert results.success_rate == Decimal("0.7500")
    assert results.granted_per_inhabitant == Decimal("5.00")
    assert results.small_coverage == Decimal("0.4000")
    assert results.small_share == Decimal("0.6667")
    assert results.funded == 3 and results.granted == Decimal("450000.00")


def test_nothing_decided_gives_no_rate():
    results = kpis.results(kpis.Counts(submitted=3))
    assert results.success_rate is None
    assert results.granted_per_inhabitant is None
    assert results.small_coverage is None and results.small_share is None


@pytest.mark.parametrize(("population", "small"), [(4999, True), (5000, False), (120, True), (None, None)])
def test_small_comune_threshold(population, small):
    assert kpis.is_small(population) is small


def test_combine_sums_every_count():
    a = kpis.Counts(interests=1, funded=1, granted=Decimal("10"), population=100)
    b = kpis.Counts(interests=2, not_funded=1, granted=Decimal("5"), population=50)
    total = kpis.combine([a, b])
    assert total == kpis.Counts(interests=3, funded=1, not_funded=1, granted=Decimal("15"), population=150)


def test_the_cost_plan_gap():
    """Art. 191 c. 1 TUEL: a local authority spends only with financial cover; a cost plan (quadro economico)
    above the financing has an uncovered share, one below it leaves financing unplanned. Worked example: a
    school financed € 200,000 (EU) with budget lines of € 150,000 (works) and € 30,000 (design) is € 20,000
    short of its financing."""
    from casacomuni.projects.rules import budget

    assert budget.cost_plan_gap(Decimal("200000"), Decimal("180000")) == Decimal("-20000")
    assert budget.cost_plan_gap(Decimal("200000"), Decimal("230000.50")) == Decimal("30000.50")
    assert budget.cost_plan_gap(Decimal("200000"), Decimal("200000.00")) is None
    assert budget.cost_plan_gap(Decimal("200000"), Decimal("0")) is None  # no cost plan written yet
