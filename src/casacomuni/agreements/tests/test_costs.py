"""Yearly cost of a service under each cost-sharing model (agreements/rules/costs.py).

The models are those of the Province–Comuni agreements (DOMAIN.md §3: "cost sharing (fixed fee, per
inhabitant, per procedure or % of amount)"); each expected value below is worked out by hand in the test.
"""

from datetime import date
from decimal import Decimal

import pytest

from casacomuni.agreements.rules.costs import (
    FIXED_FEE,
    FREE,
    PER_INHABITANT,
    PER_PROCEDURE,
    PERCENTAGE,
    CostModel,
    Procedure,
    yearly_cost,
)

D = Decimal


def test_a_free_service_costs_nothing():
    assert yearly_cost(CostModel(FREE), 2026, date(2026, 1, 1)).total == D("0.00")


def test_a_fixed_fee_is_prorated_by_the_days_of_adhesion():
    # From 1 July 2026: 31+31+30+31+30+31 = 184 days of 365. 1,200 × 184 / 365 = 604.9315… → 604.93.
    cost = yearly_cost(CostModel(FIXED_FEE, D(1200)), 2026, date(2026, 7, 1))
    assert (cost.total, cost.days_active, cost.days_in_year) == (D("604.93"), 184, 365)


def test_a_fixed_fee_for_the_whole_of_a_leap_year_is_the_fee():
    # 2024 has 366 days: 1,200 × 366 / 366.
    assert yearly_cost(CostModel(FIXED_FEE, D(1200)), 2024, date(2023, 5, 1)).total == D("1200.00")


def test_an_adhesion_ending_mid_year_pays_until_its_last_day_included():
    # 1 January – 31 March 2026: 31 + 28 + 31 = 90 days. 1,000 × 90 / 365 = 246.5753… → 246.58.
    cost = yearly_cost(CostModel(FIXED_FEE, D(1000)), 2026, date(2025, 1, 1), date(2026, 3, 31))
    assert (cost.total, cost.days_active) == (D("246.58"), 90)


def test_an_adhesion_outside_the_year_costs_nothing():
    cost = yearly_cost(CostModel(FIXED_FEE, D(1000)), 2026, date(2024, 1, 1), date(2025, 12, 31))
    assert (cost.total, cost.days_active) == (D("0.00"), 0)


def test_per_inhabitant_over_a_whole_year():
    # 10,000 inhabitants × 0.50 €.
    cost = yearly_cost(
        CostModel(PER_INHABITANT, D("0.50")), 2026, date(2026, 1, 1), populations=[(date(2026, 1, 1), 10_000)]
    )
    assert cost.total == D("5000.00")


def test_per_inhabitant_weighs_a_population_that_changes_mid_year_by_its_days():
    # 10,000 from 1 January (181 days to 30 June), 12,000 from 1 July (184 days, e.g. after a merger):
    # (10,000 × 181 + 12,000 × 184) × 0.50 / 365 = 4,018,000 × 0.50 / 365 = 5,504.1095… → 5,504.11.
    populations = [(date(2026, 1, 1), 10_000), (date(2026, 7, 1), 12_000)]
    cost = yearly_cost(CostModel(PER_INHABITANT, D("0.50")), 2026, date(2020, 1, 1), populations=populations)
    assert cost.total == D("5504.11")


def test_per_inhabitant_uses_an_older_census_for_the_days_before_it_and_prorates():
    # The 2023 ISTAT figure (8,000) applies to 2026; adhesion from 1 October: 92 days.
    # 8,000 × 92 × 1.20 / 365 = 2,419.7260… → 2,419.73.
    cost = yearly_cost(
        CostModel(PER_INHABITANT, D("1.20")), 2026, date(2026, 10, 1), populations=[(date(2023, 1, 1), 8_000)]
    )
    assert cost.total == D("2419.73")


def test_per_inhabitant_without_the_population_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="population"):
        yearly_cost(CostModel(PER_INHABITANT, D("0.50")), 2026, date(2026, 1, 1), populations=[])


def test_per_procedure_counts_only_procedures_within_the_adhesion():
    procedures = [
        Procedure(date(2026, 2, 10), D(50_000)),
        Procedure(date(2026, 6, 1), D(10_000)),
        Procedure(date(2026, 11, 30), D(400_000)),
        Procedure(date(2025, 12, 31), D(90_000)),  # before the year
        Procedure(date(2026, 12, 15), D(20_000)),  # after the adhesion ended
    ]
    cost = yearly_cost(
        CostModel(PER_PROCEDURE, D(800)), 2026, date(2026, 1, 1), date(2026, 12, 1), procedures=procedures
    )
    assert (cost.total, cost.procedures_counted) == (D("2400.00"), 3)


def test_a_percentage_is_clamped_to_the_minimum_and_maximum_procedure_by_procedure():
    # 1% of 30,000 = 300 → raised to the minimum 500; 1% of 200,000 = 2,000; 1% of 900,000 = 9,000 → cut to
    # the maximum 5,000. Total 500 + 2,000 + 5,000 = 7,500.
    procedures = [
        Procedure(date(2026, 3, 1), D(30_000)),
        Procedure(date(2026, 4, 1), D(200_000)),
        Procedure(date(2026, 5, 1), D(900_000)),
    ]
    model = CostModel(PERCENTAGE, D(1), minimum=D(500), maximum=D(5000))
    assert yearly_cost(model, 2026, date(2026, 1, 1), procedures=procedures).total == D("7500.00")


def test_a_percentage_without_bounds_is_rounded_once_half_up_to_the_cent():
    # 0.5% of 123,457 = 617.285 → 617.29 (half up, never 617.28).
    model = CostModel(PERCENTAGE, D("0.5"))
    assert yearly_cost(
        model, 2026, date(2026, 1, 1), procedures=[Procedure(date(2026, 9, 9), D(123_457))]
    ).total == D("617.29")


@pytest.mark.parametrize(
    "arguments",
    [
        {"model": "tariffa"},
        {"model": FIXED_FEE, "amount": D(-1)},
        {"model": PERCENTAGE, "amount": D(1), "minimum": D(10), "maximum": D(5)},
    ],
)
def test_an_impossible_cost_model_is_refused(arguments):
    with pytest.raises(ValueError):
        CostModel(**arguments)
