"""EU thresholds as dated data (procurement/rules/thresholds.py).

Art. 14 D.Lgs. 36/2023; values 2020-2021 from Reg. delegati (UE) 2019/1827-1829, 2022-2023 from Reg. delegati
(UE) 2021/1951-1953, 2024-2025 from Reg. delegati (UE) 2023/2495-2497, 2026-2027 from Reg. delegati (UE)
2025/2150-2152 (DOMAIN §4.1 and the issue that added the earlier biennia). A value equal to the threshold is of European relevance
(Dir. 2014/24/UE art. 4: "equal to or greater than"); options and renewals count (art. 14 c.4); the
threshold is the one in force the day the procedure starts.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.procurement.rules import thresholds as t
from casacomuni.procurement.rules.thresholds import ThresholdError, estimated_value, is_above, threshold_on

LAST_DAY_2025 = date(2025, 12, 31)
FIRST_DAY_2026 = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("kind", "authority", "sector", "before", "after"),
    [
        (t.WORKS, t.SUB_CENTRAL, t.ORDINARY, "5538000", "5404000"),
        (t.CONCESSIONS, t.SUB_CENTRAL, t.ORDINARY, "5538000", "5404000"),
        (t.SUPPLIES_SERVICES, t.CENTRAL, t.ORDINARY, "143000", "140000"),
        (t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.ORDINARY, "221000", "216000"),
        (t.SOCIAL, t.SUB_CENTRAL, t.ORDINARY, "750000", "750000"),
        (t.WORKS, t.SUB_CENTRAL, t.SPECIAL, "5538000", "5404000"),
        (t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.SPECIAL, "443000", "432000"),
        (t.SOCIAL, t.SUB_CENTRAL, t.SPECIAL, "1000000", "1000000"),
    ],
)
def test_thresholds_change_on_the_first_of_january_2026(kind, authority, sector, before, after):
    assert threshold_on(kind, LAST_DAY_2025, authority, sector) == Decimal(before)
    assert threshold_on(kind, FIRST_DAY_2026, authority, sector) == Decimal(after)


def test_first_and_last_day_of_each_period_are_covered():
    assert threshold_on(t.WORKS, date(2024, 1, 1)) == Decimal("5538000")
    assert threshold_on(t.WORKS, date(2027, 12, 31)) == Decimal("5404000")


def test_comuni_are_sub_central_by_default():
    # A Comune buys services: sub-central threshold (art. 14 c.1 lett. c), 216,000 from 2026.
    assert threshold_on(t.SUPPLIES_SERVICES, FIRST_DAY_2026) == Decimal("216000")


def test_exactly_216000_is_of_european_relevance_in_2026():
    # 216,000.00 >= 216,000 (2026 threshold): "equal to or greater than" -> above.
    assert is_above(Decimal("216000.00"), t.SUPPLIES_SERVICES, FIRST_DAY_2026)
    assert not is_above(Decimal("215999.99"), t.SUPPLIES_SERVICES, FIRST_DAY_2026)


def test_the_same_216000_is_below_the_2025_threshold():
    # On 2025-12-31 the threshold is 221,000: 216,000 < 221,000 -> below; the day the procedure starts decides.
    assert not is_above(Decimal("216000.00"), t.SUPPLIES_SERVICES, LAST_DAY_2025)
    assert is_above(Decimal("221000.00"), t.SUPPLIES_SERVICES, LAST_DAY_2025)


def test_works_at_5404000_change_side_with_the_new_year():
    assert not is_above(Decimal("5404000.00"), t.WORKS, LAST_DAY_2025)  # 5,404,000 < 5,538,000
    assert is_above(Decimal("5404000.00"), t.WORKS, FIRST_DAY_2026)  # 5,404,000 >= 5,404,000


def test_options_and_renewals_count_towards_the_threshold():
    # Art. 14 c.4: base 180,000 + 1-year renewal 36,000 = 216,000 -> above on 2026-01-01, while the base alone
    # would be below.
    value = estimated_value(Decimal("180000"), renewals=Decimal("36000"))
    assert value == Decimal("216000")
    assert is_above(value, t.SUPPLIES_SERVICES, FIRST_DAY_2026)
    assert not is_above(Decimal("180000"), t.SUPPLIES_SERVICES, FIRST_DAY_2026)


@pytest.mark.parametrize(
    ("day", "kind", "authority", "sector", "threshold"),
    [
        # Reg. delegato (UE) 2021/1952 (Dir. 2014/24), in force 2022-2023.
        (date(2023, 12, 31), t.WORKS, t.SUB_CENTRAL, t.ORDINARY, "5382000"),
        (date(2023, 3, 15), t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.ORDINARY, "215000"),
        (date(2022, 1, 1), t.SUPPLIES_SERVICES, t.CENTRAL, t.ORDINARY, "140000"),
        # Reg. delegato (UE) 2021/1953 (Dir. 2014/25, special sectors).
        (date(2022, 6, 1), t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.SPECIAL, "431000"),
        # Reg. delegato (UE) 2019/1828 (Dir. 2014/24), in force 2020-2021.
        (date(2021, 12, 31), t.WORKS, t.SUB_CENTRAL, t.ORDINARY, "5350000"),
        (date(2020, 1, 1), t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.ORDINARY, "214000"),
        (date(2020, 7, 1), t.SUPPLIES_SERVICES, t.CENTRAL, t.ORDINARY, "139000"),
        # Reg. delegato (UE) 2019/1829 (Dir. 2014/25, special sectors).
        (date(2021, 6, 1), t.SUPPLIES_SERVICES, t.SUB_CENTRAL, t.SPECIAL, "428000"),
    ],
)
def test_earlier_biennia_are_dated_data_with_their_regulations(day, kind, authority, sector, threshold):
    assert threshold_on(kind, day, authority, sector) == Decimal(threshold)


def test_a_procedure_started_in_2023_is_routed_on_the_2022_2023_threshold():
    # 215,000 euro of services on 2023-09-01: equal to the sub-central threshold of Reg. 2021/1952, so of
    # European relevance; 214,999.99 is not.
    assert is_above(Decimal("215000.00"), t.SUPPLIES_SERVICES, date(2023, 9, 1))
    assert not is_above(Decimal("214999.99"), t.SUPPLIES_SERVICES, date(2023, 9, 1))
    assert "2021/1952" in t.period_on(date(2023, 9, 1)).source


@pytest.mark.parametrize("day", [date(2019, 12, 31), date(2028, 1, 1)])
def test_a_day_outside_the_known_periods_is_refused_not_guessed(day):
    with pytest.raises(ThresholdError, match="No EU threshold is recorded"):
        threshold_on(t.WORKS, day)


def test_floats_are_refused_because_they_are_not_exact():
    with pytest.raises(ThresholdError):
        is_above(216000.0, t.SUPPLIES_SERVICES, FIRST_DAY_2026)


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("NaN"), "abc"])
def test_negative_or_non_numeric_amounts_are_refused(bad):
    with pytest.raises(ThresholdError):
        is_above(bad, t.WORKS, FIRST_DAY_2026)


def test_unknown_kind_is_refused():
    with pytest.raises(ThresholdError, match="Unknown kind"):
        threshold_on("furniture", FIRST_DAY_2026)


@given(st.decimals(min_value=0, max_value=10_000_000, places=2), st.sampled_from(t.KINDS))
def test_above_means_at_least_the_threshold(amount, kind):
    assert is_above(amount, kind, FIRST_DAY_2026) == (amount >= threshold_on(kind, FIRST_DAY_2026))
