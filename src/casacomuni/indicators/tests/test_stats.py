"""rules.stats: worked examples checked by hand and against a spreadsheet's QUARTILE.INC / MEDIAN
(Hyndman & Fan definition 7)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.indicators.rules import stats


def test_median_of_an_odd_count_is_the_middle_value():
    assert stats.median([D(7), D(1), D(3)]) == D(3)


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values():
    assert stats.median([4, 1, 3, 2]) == D("2.5")


def test_median_of_nothing_is_none():
    assert stats.median([]) is None
    assert stats.summarize([]) is None


def test_quartiles_interpolate_like_quartile_inc():
    # QUARTILE.INC({1;2;3;4;5;6;7;8};1) = 2.75, (…;3) = 6.25: positions 7 × 0.25 = 1.75 and 5.25.
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    assert stats.quantile(values, "0.25") == D("2.75")
    assert stats.quantile(values, "0.75") == D("6.25")
    assert stats.quantile(values, 0) == D(1)
    assert stats.quantile(values, 1) == D(8)


def test_quartiles_of_five_values_fall_on_values():
    # Positions 4 × 0.25 = 1 and 3: the 2nd and 4th values.
    summary = stats.summarize([D("10"), D("40"), D("20"), D("50"), D("30")])
    assert (summary.minimum, summary.q1, summary.median, summary.q3, summary.maximum) == (
        D(10),
        D(20),
        D(30),
        D(40),
        D(50),
    )
    assert summary.mean == D(30)
    assert summary.count == 5


def test_a_single_value_is_every_quantile():
    assert stats.summarize([D("3.5")]) == stats.Summary(1, *[D("3.5")] * 6)


def test_quantile_outside_zero_one_is_refused():
    with pytest.raises(ValueError):
        stats.quantile([1, 2], "1.5")


def test_rank_with_ties_shares_the_best_rank_and_skips_the_next():
    assert stats.rank([D(10), D(30), D(20), D(30)]) == [4, 1, 3, 1]


def test_rank_when_lower_is_better():
    assert stats.rank([D(10), D(30), D(20), D(10)], higher_is_better=False) == [1, 4, 3, 1]


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, "lt1000"),
        (999, "lt1000"),
        (1_000, "1000-4999"),
        (4_999, "1000-4999"),
        (5_000, "5000-14999"),
        (14_999, "5000-14999"),
        (15_000, "15000-59999"),
        (59_999, "15000-59999"),
        (60_000, "ge60000"),
        (2_748_109, "ge60000"),
        (None, None),
    ],
)
def test_size_classes_include_the_lower_bound_and_exclude_the_upper(population, expected):
    assert stats.size_class(population) == expected


def test_class_breaks_are_the_quintiles_and_values_fall_in_classes():
    values = list(range(1, 11))  # quintile positions 9 × 0.2 = 1.8, 3.6, 5.4, 7.2
    breaks = stats.class_breaks(values)
    assert breaks == [D("2.8"), D("4.6"), D("6.4"), D("8.2")]
    assert [stats.class_of(v, breaks) for v in (1, 3, 5, 7, 9, 10)] == [0, 1, 2, 3, 4, 4]


def test_class_breaks_of_equal_values_make_one_class():
    assert stats.class_breaks([5, 5, 5, 5]) == []
    assert stats.class_of(5, []) == 0


def test_class_breaks_keep_repeated_bounds_once():
    # Quintile positions 1.8, 3.6, 5.4 fall among the 1s; 7.2 between the last 1 and the 2.
    assert stats.class_breaks([1, 1, 1, 1, 1, 1, 1, 1, 2, 3]) == [D(1), D("1.2")]


@given(st.lists(st.decimals(min_value=-(10**6), max_value=10**6, places=2), min_size=1, max_size=50))
def test_quartiles_are_ordered_and_within_the_range(values):
    summary = stats.summarize(values)
    assert summary.minimum <= summary.q1 <= summary.median <= summary.q3 <= summary.maximum


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=30))
def test_ranks_start_at_one_and_count_the_better_values(values):
    ranks = stats.rank(values)
    for value, position in zip(values, ranks, strict=True):
        assert position == 1 + sum(1 for other in values if other > value)


def test_histogram_of_whole_numbers_has_one_class_per_unit():
    assert stats.histogram([0, 1, 1, 3]) == [
        stats.Bin(D(0), D(1), 1),
        stats.Bin(D(1), D(2), 2),
        stats.Bin(D(2), D(3), 0),
        stats.Bin(D(3), D(4), 1),
    ]


def test_histogram_of_decimals_has_equal_widths_and_a_closed_last_class():
    bins = stats.histogram([D("0"), D("2.5"), D("5"), D("10")], bins=4)
    assert [(b.low, b.high, b.count) for b in bins] == [
        (D(0), D("2.5"), 1),
        (D("2.5"), D(5), 1),
        (D(5), D("7.5"), 1),
        (D("7.5"), D(10), 1),
    ]


def test_histogram_of_one_repeated_decimal_is_one_class():
    assert stats.histogram([D("2.5"), D("2.5")]) == [stats.Bin(D("2.5"), D("3.5"), 2)]
    assert stats.histogram([]) == []


@given(st.lists(st.decimals(min_value=0, max_value=1000, places=1), min_size=1, max_size=40))
def test_histogram_counts_every_value_once(values):
    assert sum(b.count for b in stats.histogram(values)) == len(values)
