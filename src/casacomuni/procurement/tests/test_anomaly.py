"""Automatic exclusion of anomalous bids (procurement/rules/anomaly.py).

Sources: art. 54 c.1-2 D.Lgs. 36/2023 (as amended by D.Lgs. 209/2024) and its Allegato II.2, as summarised in
DOMAIN.md §4.5: k = ceil(10 % of n) wings set aside (bids equal to a wing's boundary value too); on the rest R,
S = sum, M = S/|R|, SM = mean of (r - M) for r > M, c1 c2 = first two decimals of S; method A with n >= 15:
T = M + SM - SM*c1*c2/100; method A with n < 15: rho = SM/M, T = 1,20*M if rho <= 0,15 else M + SM; method B:
V = SM*c1*c2/100, d = digit sum of S to its second decimal, T = M + SM -/+ V for d even/odd; method C: S, M,
SM, V and d as in B, T = R_ref -/+ V for d even/odd (DOMAIN.md §4.5, corrected). Bids above T are excluded (bids equal to T: method A excludes them, Cons. Stato V
n. 5780/2024; B and C keep them); the highest remaining discount wins, ties go to a recorded draw.

Every expected value below is derived by hand in the comments from those rules; all discounts are percentages
with three decimals, the default settings (3 decimals, ROUND_HALF_UP, exact intermediates) unless stated.
"""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casacomuni.procurement.rules.anomaly import (
    METHOD_A,
    METHOD_B,
    METHOD_C,
    ROUNDING_MODES,
    WINGS_ALLEGATO,
    WINGS_BLOCK,
    AnomalyParameters,
    ApplicabilityFacts,
    Bid,
    check_applicability,
    compute_threshold,
    italian_number,
    round_fraction,
)

D = Decimal


def bids_of(*discounts):
    """Bids OE01, OE02, ... with the given discounts, in the order given."""
    return [Bid(f"OE{number:02}", D(discount)) for number, discount in enumerate(discounts, 1)]


def ids(bids):
    return [bid.operator_id for bid in bids]


def facts(**changes):
    values = {
        "criterion": "lowest_price",
        "contract_kind": "works",
        "below_eu_threshold": True,
        "certain_cross_border_interest": False,
        "admitted_bids": 15,
        "direct_award": False,
    }
    return ApplicabilityFacts(**(values | changes))


# Fifteen bids, used for method A with n >= 15, method B with d odd and method C.
# Sorted: 8,000 9,000 | 10,000 10,500 11,000 11,500 12,000 12,295 13,000 13,500 13,700 14,000 14,300 | 16,000 18,500
# n = 15 -> k = ceil(1,5) = 2: lower wing OE01 OE02, upper wing OE14 OE15, R = the 11 bids in the middle.
# S = (10 + 10,5 + 11 + 11,5 + 12 + 12,295) + (13 + 13,5 + 13,7 + 14 + 14,3) = 67,295 + 68,5 = 135,795
# M = 135,795 / 11 = 12,345 (exact: 11 x 12,345 = 135,795)
# above M: 13,000 13,500 13,700 14,000 14,300 -> sum of (r - M) = 68,5 - 5 x 12,345 = 6,775 -> SM = 1,355
# c1 = 7, c2 = 9 -> c1 x c2 = 63; V = 1,355 x 63 / 100 = 0,85365
# d = 1 + 3 + 5 + 7 + 9 = 25 (odd)
FIFTEEN = bids_of(
    "8.000", "9.000", "10.000", "10.500", "11.000", "11.500", "12.000", "12.295",
    "13.000", "13.500", "13.700", "14.000", "14.300", "16.000", "18.500",
)  # fmt: skip


def test_method_a_with_fifteen_bids_lowers_the_threshold_by_c1_c2_percent_of_sm():
    result = compute_threshold(FIFTEEN, AnomalyParameters(method=METHOD_A))
    # T = M + SM - V = 12,345 + 1,355 - 0,85365 = 12,84635 -> 12,846 (3 decimals, half up)
    assert (result.n, result.k) == (15, 2)
    assert ids(result.lower_wing) == ["OE01", "OE02"] and ids(result.upper_wing) == ["OE14", "OE15"]
    assert (result.total, result.mean, result.mean_deviation) == (D("135.795"), D("12.345"), D("1.355"))
    assert (result.c1, result.c2, result.above_mean) == (7, 9, 5)
    assert result.adjustment == D("0.854")  # 0,85365 shown with 3 decimals; the exact value enters T
    assert result.threshold == D("12.846")
    # every bid above 12,846 is excluded, the upper wing included (OE09..OE15)
    assert ids(result.excluded) == ["OE09", "OE10", "OE11", "OE12", "OE13", "OE14", "OE15"]
    # the highest discount left is OE08's 12,295; the lower wing stays in the ranking
    assert result.winner == "OE08" and result.tied_for_first == ()
    assert ids(result.admitted) == ["OE08", "OE07", "OE06", "OE05", "OE04", "OE03", "OE02", "OE01"]


def test_method_a_below_fifteen_bids_with_low_ratio_uses_mean_plus_twenty_percent():
    # n = 5 -> k = ceil(0,5) = 1: lower wing 8,000, upper wing 12,500, R = {10,000 10,500 11,000}
    # S = 31,5; M = 10,5; above M only 11,000 -> SM = 0,5; rho = 0,5 / 10,5 = 0,047619... <= 0,15
    # T = 1,20 x 10,5 = 12,600: nothing is above it; the upper-wing bid 12,500 is not excluded and wins
    result = compute_threshold(bids_of("8.000", "10.000", "10.500", "11.000", "12.500"), AnomalyParameters())
    assert result.branch == "A_under_15_ratio_at_most_0.15"
    assert (result.mean, result.mean_deviation, result.ratio) == (D("10.500"), D("0.500"), D("0.048"))
    assert result.threshold == D("12.600")
    assert result.excluded == () and ids(result.upper_wing) == ["OE05"] and result.winner == "OE05"


def test_method_a_below_fifteen_bids_with_high_ratio_uses_mean_plus_sm():
    # n = 7 -> k = 1: lower wing 4,000, upper wing 20,000, R = {6 8 10 14 16}
    # S = 54; M = 10,8; above M: 14 and 16 -> (3,2 + 5,2) / 2 = SM = 4,2; rho = 4,2 / 10,8 = 0,3888... > 0,15
    # T = 10,8 + 4,2 = 15,000: 16,000 (in R) and 20,000 (upper wing) are excluded; 14,000 wins
    result = compute_threshold(bids_of("4", "6", "8", "10", "14", "16", "20"), AnomalyParameters())
    assert result.branch == "A_under_15_ratio_above_0.15"
    assert (result.mean, result.mean_deviation, result.ratio) == (D("10.800"), D("4.200"), D("0.389"))
    assert result.threshold == D("15.000")
    assert ids(result.excluded) == ["OE06", "OE07"] and result.winner == "OE05"


def test_method_b_with_even_digit_sum_subtracts_v():
    # n = 6 -> k = 1: lower wing 9,000, upper wing 13,000, R = {10,000 10,252 11,000 12,000}
    # S = 43,252; M = 43,252 / 4 = 10,813
    # above M: 11,000 -> 0,187 and 12,000 -> 1,187; SM = 1,374 / 2 = 0,687
    # c1 = 2, c2 = 5 -> 10; V = 0,687 x 10 / 100 = 0,0687; d = 4 + 3 + 2 + 5 = 14, even
    # T = M + SM - V = 10,813 + 0,687 - 0,0687 = 11,4313 -> 11,431
    bids = bids_of("9.000", "10.000", "10.252", "11.000", "12.000", "13.000")
    result = compute_threshold(bids, AnomalyParameters(method=METHOD_B))
    assert result.branch == "B_even"
    assert (result.total, result.mean, result.mean_deviation) == (D("43.252"), D("10.813"), D("0.687"))
    assert (result.c1, result.c2, result.digit_sum, result.adjustment) == (2, 5, 14, D("0.069"))
    assert result.threshold == D("11.431")
    assert ids(result.excluded) == ["OE05", "OE06"] and result.winner == "OE04"


def test_method_b_with_odd_digit_sum_adds_v():
    # FIFTEEN: d = 25, odd -> T = M + SM + V = 12,345 + 1,355 + 0,85365 = 14,55365 -> 14,554
    # excluded: only the upper wing (16,000 and 18,500); 14,300 wins
    result = compute_threshold(FIFTEEN, AnomalyParameters(method=METHOD_B))
    assert result.branch == "B_odd" and result.digit_sum == 25
    assert result.threshold == D("14.554")
    assert ids(result.excluded) == ["OE14", "OE15"] and result.winner == "OE13"
    assert result.caveats  # the [unverified] award-price detail of method B is shown to the officer


def test_method_c_with_odd_digit_sum_adds_v_to_the_reference_discount():
    """Allegato II.2 D.Lgs. 36/2023, method C (DOMAIN.md §4.5, as TuttoGare PA's 23C.php computes it):
    S, M, SM, c1, c2, V and d as in method B, SM being the mean excess over M; T = R_ref + V when d is odd.

    FIFTEEN with R_ref = 10,000 (k = 2, R = the 11 middle bids, see above):
    S = 135,795; M = 12,345; SM = 1,355 (the five bids above M); c1 = 7, c2 = 9, c1 x c2 = 63;
    V = 1,355 x 63 / 100 = 0,85365; d = 1 + 3 + 5 + 7 + 9 = 25, odd;
    T = R_ref + V = 10 + 0,85365 = 10,85365 -> 10,854 (3 decimals, half up).
    Every bid above 10,854 is excluded (OE05 11,000 ... OE15 18,500): OE04 (10,500) wins. The old reading
    (SM around R_ref and T = R_ref + SM + V = 14,205) excluded only OE13-OE15.
    """
    params = AnomalyParameters(method=METHOD_C, reference_discount=D("10.000"))
    result = compute_threshold(FIFTEEN, params)
    assert result.branch == "C_odd" and result.reference_discount == D("10.000")
    assert (result.total, result.mean, result.mean_deviation, result.above_mean) == (
        D("135.795"),
        D("12.345"),
        D("1.355"),
        5,
    )
    assert (result.c1, result.c2, result.digit_sum, result.adjustment) == (7, 9, 25, D("0.854"))
    assert result.threshold == D("10.854")
    assert ids(result.excluded) == [f"OE{number:02}" for number in range(5, 16)]
    assert result.winner == "OE04"
    assert "soglia T = R_rif + V." in result.reasoning_text


# Seven bids around a real cell of the Allegato's table: SOA category OG1, band 150,000-1,000,000 euro,
# 70th percentile, R_ref = 29,950 (procurement/data/allegato_II2_metodo_c.json).
OG1_BAND_2_P70 = D("29.950")


def test_method_c_with_odd_digit_sum_on_a_table_cell():
    """Allegato II.2 method C, R_ref = 29,950 (OG1, 150,000-1,000,000 euro, 70th percentile).

    Bids 22,100 26,400 27,350 28,120 30,100 31,000 35,000: n = 7, k = ceil(0,7) = 1; wings 22,100 and
    35,000; R = {26,400 27,350 28,120 30,100 31,000}.
    S = 26,4 + 27,35 + 28,12 + 30,1 + 31 = 142,970; M = 142,97 / 5 = 28,594.
    Above M: 30,100 (1,506) and 31,000 (2,406): SM = 3,912 / 2 = 1,956.
    c1 = 9, c2 = 7, c1 x c2 = 63; V = 1,956 x 63 / 100 = 1,23228; d = 1 + 4 + 2 + 9 + 7 = 23, odd.
    T = R_ref + V = 29,950 + 1,23228 = 31,18228 -> 31,182: only 35,000 is excluded; 31,000 (OE06) wins.
    The old reading (SM over R_ref: (0,15 + 1,05) / 2 = 0,6; T = 29,95 + 0,6 + 0,378 = 30,928) excluded
    31,000 too.
    """
    bids = bids_of("22.100", "26.400", "27.350", "28.120", "30.100", "31.000", "35.000")
    result = compute_threshold(bids, AnomalyParameters(method=METHOD_C, reference_discount=OG1_BAND_2_P70))
    assert result.branch == "C_odd"
    assert (result.total, result.mean, result.mean_deviation) == (D("142.970"), D("28.594"), D("1.956"))
    assert (result.c1, result.c2, result.digit_sum, result.adjustment) == (9, 7, 23, D("1.232"))
    assert result.threshold == D("31.182")
    assert ids(result.excluded) == ["OE07"] and result.winner == "OE06"


def test_method_c_with_even_digit_sum_subtracts_v_from_the_reference_discount():
    """Allegato II.2 method C, R_ref = 29,950 (OG1, 150,000-1,000,000 euro, 70th percentile), d even.

    Bids 22,100 26,400 27,350 28,120 30,100 31,010 35,000: n = 7, k = 1; R = {26,400 27,350 28,120 30,100
    31,010}. S = 142,980; M = 142,98 / 5 = 28,596.
    Above M: 30,100 (1,504) and 31,010 (2,414): SM = 3,918 / 2 = 1,959.
    c1 = 9, c2 = 8, c1 x c2 = 72; V = 1,959 x 72 / 100 = 1,41048; d = 1 + 4 + 2 + 9 + 8 = 24, even.
    T = R_ref - V = 29,950 - 1,41048 = 28,53952 -> 28,540: 30,100, 31,010 and 35,000 are excluded;
    28,120 (OE04) wins. M + SM (30,555) plays no part in T. The old reading gave T = 30,119 and the win to
    30,100.
    """
    bids = bids_of("22.100", "26.400", "27.350", "28.120", "30.100", "31.010", "35.000")
    result = compute_threshold(bids, AnomalyParameters(method=METHOD_C, reference_discount=OG1_BAND_2_P70))
    assert result.branch == "C_even"
    assert (result.total, result.mean, result.mean_deviation) == (D("142.980"), D("28.596"), D("1.959"))
    assert (result.c1, result.c2, result.digit_sum, result.adjustment) == (9, 8, 24, D("1.410"))
    assert result.threshold == D("28.540")
    assert ids(result.excluded) == ["OE05", "OE06", "OE07"] and result.winner == "OE04"
    assert "soglia T = R_rif − V." in result.reasoning_text
    assert any("Gazzetta Ufficiale" in caveat for caveat in result.caveats)


# n = 11 -> k = ceil(1,1) = 2. Sorted: 5 5 7 9 10 11 12 13 15 16 16
ELEVEN = bids_of("5", "5", "7", "9", "10", "11", "12", "13", "15", "16", "16")


def test_allegato_wing_rule_counts_equal_bids_singly():
    # the 2 lowest bids are 5 and 5, the 2 highest 16 and 16: R = {7 9 10 11 12 13 15}
    # S = 77; M = 11; above M: 12 13 15 -> (1 + 2 + 4) / 3 = SM = 2,3333...; rho = 7/33 = 0,2121... > 0,15
    # T = 11 + 2,3333... = 13,3333... -> 13,333; excluded 15 16 16; 13 wins
    result = compute_threshold(ELEVEN, AnomalyParameters(wing_rule=WINGS_ALLEGATO))
    assert ids(result.lower_wing) == ["OE01", "OE02"] and ids(result.upper_wing) == ["OE10", "OE11"]
    assert len(result.remaining) == 7 and result.mean == D("11.000") and result.mean_deviation == D("2.333")
    assert result.threshold == D("13.333")
    assert ids(result.excluded) == ["OE09", "OE10", "OE11"] and result.winner == "OE08"


def test_block_wing_rule_counts_equal_bids_as_one_offer():
    # the 2 lowest distinct values are 5 and 7, the 2 highest 16 and 15: lower wing 5 5 7, upper 15 16 16
    # R = {9 10 11 12 13}: S = 55; M = 11; above M: 12 13 -> SM = 1,5; rho = 1,5 / 11 = 0,136... <= 0,15
    # T = 1,20 x 11 = 13,200: a different threshold from the Allegato's rule on the same bids
    result = compute_threshold(ELEVEN, AnomalyParameters(wing_rule=WINGS_BLOCK))
    assert ids(result.lower_wing) == ["OE01", "OE02", "OE03"] and ids(result.upper_wing) == [
        "OE09",
        "OE10",
        "OE11",
    ]
    assert (result.mean, result.mean_deviation, result.ratio) == (D("11.000"), D("1.500"), D("0.136"))
    assert result.threshold == D("13.200")


def test_bids_equal_to_a_wing_boundary_are_set_aside_beyond_k():
    # n = 6 -> k = 1: the lowest bid is 6,000 and the other 6,000 equals it, so both go to the lower wing
    # (Allegato II.2: offers equal to those to be set aside "sono altresì da accantonare"); R = {8 9 10}
    result = compute_threshold(bids_of("6", "6", "8", "9", "10", "12"), AnomalyParameters())
    assert (
        result.k == 1
        and ids(result.lower_wing) == ["OE01", "OE02"]
        and ids(result.remaining) == ["OE03", "OE04", "OE05"]
    )


# n = 5 -> k = 1; R = {10 10,5 11}: M = 10,5, SM = 0,5, rho = 0,0476 <= 0,15 -> T = 1,20 x 10,5 = 12,600,
# exactly OE05's discount (an upper-wing bid).
EQUAL_TO_T = bids_of("8.000", "10.000", "10.500", "11.000", "12.600")


def test_method_a_excludes_a_bid_equal_to_the_threshold_by_default():
    result = compute_threshold(EQUAL_TO_T, AnomalyParameters(method=METHOD_A))
    assert result.threshold == D("12.600")
    assert ids(result.excluded) == ["OE05"] and result.winner == "OE04"


def test_a_bid_equal_to_the_threshold_is_kept_when_the_documents_say_so():
    result = compute_threshold(
        EQUAL_TO_T, AnomalyParameters(method=METHOD_A, exclude_equal_to_threshold=False)
    )
    assert result.excluded == () and result.winner == "OE05"


def test_methods_b_and_c_keep_bids_equal_to_the_threshold_by_default():
    assert not AnomalyParameters(method=METHOD_B).excludes_equal
    assert not AnomalyParameters(method=METHOD_C, reference_discount=D("10")).excludes_equal
    assert AnomalyParameters(method=METHOD_B, exclude_equal_to_threshold=True).excludes_equal


# n = 5 -> k = 1; R = {9,000 9,496 11,504}: S = 30,000, M = 10,000, above M only 11,504 -> SM = 1,504
# rho = 1,504 / 10 = 0,1504 exactly.
RHO_AT_THE_EDGE = bids_of("8.000", "9.000", "9.496", "11.504", "13.000")


def test_rounding_intermediates_to_three_decimals_changes_the_excluded_bids():
    # exact: rho = 0,1504 > 0,15 -> T = M + SM = 11,504; OE04 equals T (excluded under method A) and OE05
    # is above: OE03 (9,496) wins
    exact = compute_threshold(RHO_AT_THE_EDGE, AnomalyParameters(decimals=3))
    assert (
        exact.threshold == D("11.504") and ids(exact.excluded) == ["OE04", "OE05"] and exact.winner == "OE03"
    )
    # the minutes print rho with the decimals that show its side of 0,15, not a misleading 0,150
    assert exact.ratio == D("0.1504") and "SM / M = 0,1504, superiore a 0,15" in exact.reasoning_text
    # rounded half up to 3 decimals: rho = 0,150 <= 0,15 -> T = 1,20 x 10 = 12,000; only OE05 is excluded
    # and OE04 (11,504) wins
    rounded = compute_threshold(RHO_AT_THE_EDGE, AnomalyParameters(decimals=3, round_intermediates=True))
    assert rounded.ratio == D("0.150") and rounded.threshold == D("12.000")
    assert ids(rounded.excluded) == ["OE05"] and rounded.winner == "OE04"
    # rounded up instead: rho = 0,151 > 0,15 -> back to T = 11,504
    upward = compute_threshold(
        RHO_AT_THE_EDGE, AnomalyParameters(decimals=3, round_intermediates=True, rounding=ROUND_UP)
    )
    assert upward.ratio == D("0.151") and upward.threshold == D("11.504")


def test_rounding_s_to_two_decimals_changes_c1_c2_and_the_threshold():
    # FIFTEEN, method A, 2 decimals, intermediates rounded half up:
    # S = 135,795 -> 135,80: c1 = 8, c2 = 0 -> product 0, V = 0
    # M = 135,80 / 11 = 12,3454... -> 12,35; above M: 13 13,5 13,7 14 14,3 -> (68,5 - 5 x 12,35) / 5 = 1,35
    # T = 12,35 + 1,35 - 0 = 13,70; 13,70 (OE11) equals T and is excluded: OE10 (13,500) wins
    rounded = compute_threshold(FIFTEEN, AnomalyParameters(decimals=2, round_intermediates=True))
    assert (rounded.total, rounded.c1, rounded.c2, rounded.mean) == (D("135.80"), 8, 0, D("12.35"))
    assert rounded.threshold == D("13.70") and rounded.winner == "OE10"
    # exact intermediates, 2 decimals: T = 12,84635 -> 12,85 and OE08 (12,295) wins, as with 3 decimals
    exact = compute_threshold(FIFTEEN, AnomalyParameters(decimals=2))
    assert (exact.c1, exact.c2, exact.threshold, exact.winner) == (7, 9, D("12.85"), "OE08")


def test_fewer_than_five_bids_exclude_nothing():
    # art. 54 c.1: "qualora il numero delle offerte ammesse sia pari o superiore a cinque"
    result = compute_threshold(bids_of("10", "30", "31", "32"), AnomalyParameters())
    assert not result.applicable and [reason.code for reason in result.reasons] == ["too_few_bids"]
    assert result.reasons[0].params == {"count": 4, "minimum": 5}
    assert result.threshold is None and result.excluded == () and result.k is None
    assert result.winner == "OE04"  # the highest discount, subject to the art. 110 verification
    assert "inferiore a cinque" in result.reasoning_text and "art. 110" in result.reasoning_text


def test_supplies_are_never_subject_to_automatic_exclusion():
    assert [
        reason.code for reason in check_applicability(facts(contract_kind="supplies"), AnomalyParameters())
    ] == ["supplies"]
    result = compute_threshold(FIFTEEN, AnomalyParameters(), facts(contract_kind="supplies", admitted_bids=0))
    assert not result.applicable and result.excluded == () and result.threshold is None
    assert "forniture" in result.reasoning_text


def test_automatic_exclusion_applies_when_every_condition_of_article_54_holds():
    assert check_applicability(facts(contract_kind="services"), AnomalyParameters()) == []
    assert compute_threshold(FIFTEEN, AnomalyParameters(), facts()).applicable


@pytest.mark.parametrize(
    ("changes", "params", "code", "paragraph"),
    [
        ({"criterion": "best_quality_price"}, {}, "criterion", "c. 1"),
        ({"below_eu_threshold": False}, {}, "above_threshold", "c. 1"),
        ({"certain_cross_border_interest": True}, {}, "cross_border", "c. 1"),
        ({"direct_award": True}, {}, "direct_award", "c. 1"),
        ({"admitted_bids": 4}, {}, "too_few_bids", "c. 1"),
        ({}, {"stated_in_documents": False}, "not_in_documents", "c. 1"),
        ({}, {"method": "C", "reference_discount": D("12"), "method_drawn": True}, "method_c_drawn", "c. 2"),
    ],
)
def test_each_failed_condition_is_a_reason_citing_article_54(changes, params, code, paragraph):
    reasons = check_applicability(facts(**changes), AnomalyParameters(**params))
    assert [reason.code for reason in reasons] == [code]
    assert f"art. 54 {paragraph}" in reasons[0].article


def test_exactly_five_bids_are_enough():
    assert check_applicability(facts(admitted_bids=5), AnomalyParameters()) == []


def test_equal_highest_discounts_are_left_to_a_recorded_draw():
    # n = 6 -> k = 1; both 12,500 bids equal the upper boundary and are set aside; R = {10 10,5 11}
    # T = 12,600 as in EQUAL_TO_T: nothing excluded, OE05 and OE06 share the highest discount
    result = compute_threshold(bids_of("8", "10", "10.5", "11", "12.5", "12.5"), AnomalyParameters())
    assert result.winner is None and result.tied_for_first == ("OE05", "OE06")
    assert "sorteggio" in result.reasoning_text


def test_when_the_wings_take_every_bid_nothing_is_computed_or_excluded():
    # five equal bids: the lowest is 10 and every other bid equals it, so all are set aside
    result = compute_threshold(bids_of("10", "10", "10", "10", "10"), AnomalyParameters())
    assert result.applicable and result.branch == "no_remaining_bids" and result.threshold is None
    assert result.excluded == () and len(result.tied_for_first) == 5


def test_the_minutes_list_every_value_in_italian_format():
    text = compute_threshold(FIFTEEN, AnomalyParameters()).reasoning_text
    for fragment in (
        "metodo A dell'Allegato II.2",
        "n = 15",
        "k = 2",
        "S = 135,795",
        "M = S / 11 = 12,345",
        "SM = 1,355",
        "c1 = 7, c2 = 9",
        "prodotto c1 × c2 = 63",
        "T = 12,846 %",
        "OE15 (18,500 %)",
        "Prima classificata: OE08, con un ribasso pari a 12,295 %",
    ):
        assert fragment in text


def test_italian_numbers_use_a_decimal_comma_and_a_thousands_dot():
    assert italian_number(D("1234.5"), 3) == "1.234,500"
    assert italian_number(D("12.34567"), 3) == "12,34567"  # a bid keeps the decimals it was written with


def test_fractions_are_rounded_exactly_in_every_mode():
    assert round_fraction(Fraction(2, 3), 3, ROUND_HALF_UP) == D("0.667")
    assert round_fraction(Fraction(2, 3), 3, ROUND_DOWN) == D("0.666")
    assert round_fraction(Fraction(1, 2000), 3, ROUND_HALF_UP) == D("0.001")  # 0,0005: exactly half
    assert round_fraction(Fraction(1, 2000), 3, ROUND_HALF_EVEN) == D("0.000")
    assert round_fraction(Fraction(-13, 10), 0, ROUND_DOWN) == D("-1")


def test_bad_input_is_refused():
    with pytest.raises(TypeError):
        Bid("OE01", 12.5)
    with pytest.raises(ValueError):
        Bid("OE01", D("-1"))
    with pytest.raises(ValueError):
        AnomalyParameters(method=METHOD_C)
    with pytest.raises(ValueError):
        AnomalyParameters(method=METHOD_A, reference_discount=D("10"))
    with pytest.raises(ValueError):
        AnomalyParameters(rounding="ROUND_05UP")
    with pytest.raises(ValueError):
        compute_threshold([Bid("OE01", D("10")), Bid("OE01", D("11"))], AnomalyParameters())


# --- Properties -------------------------------------------------------------------------------------------

discounts = st.decimals(min_value=0, max_value=60, places=3, allow_nan=False, allow_infinity=False)


@st.composite
def parameters(draw):
    method = draw(st.sampled_from([METHOD_A, METHOD_B, METHOD_C]))
    return AnomalyParameters(
        method=method,
        wing_rule=draw(st.sampled_from([WINGS_ALLEGATO, WINGS_BLOCK])),
        exclude_equal_to_threshold=draw(st.sampled_from([None, True, False])),
        decimals=draw(st.integers(min_value=0, max_value=5)),
        rounding=draw(st.sampled_from(ROUNDING_MODES)),
        round_intermediates=draw(st.booleans()),
        reference_discount=draw(discounts) if method == METHOD_C else None,
    )


def as_bids(values):
    return [Bid(f"OE{number:02}", value) for number, value in enumerate(values, 1)]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(discounts, max_size=40), params=parameters(), data=st.data())
def test_the_result_does_not_depend_on_the_order_of_the_bids(values, params, data):
    bids = as_bids(values)
    shuffled = data.draw(st.permutations(bids))
    assert compute_threshold(shuffled, params) == compute_threshold(bids, params)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(discounts, max_size=4), params=parameters())
def test_nothing_is_excluded_with_fewer_than_five_bids(values, params):
    result = compute_threshold(as_bids(values), params)
    assert not result.applicable and result.excluded == () and result.threshold is None


@settings(max_examples=200, deadline=None)
@given(values=st.lists(discounts, min_size=5, max_size=40), params=parameters())
def test_the_winner_is_never_an_excluded_bid_and_exclusion_follows_the_threshold(values, params):
    result = compute_threshold(as_bids(values), params)
    excluded = set(ids(result.excluded))
    assert result.winner not in excluded and not excluded & set(result.tied_for_first)
    assert len(result.excluded) + len(result.admitted) == len(values)
    for bid in result.excluded:
        assert bid.discount > result.threshold or (bid.discount == result.threshold and params.excludes_equal)
    for bid in result.admitted:
        assert (
            result.threshold is None
            or bid.discount < result.threshold
            or (bid.discount == result.threshold and not params.excludes_equal)
        )


@settings(max_examples=200, deadline=None)
@given(values=st.lists(discounts, min_size=5, max_size=40), params=parameters())
def test_the_threshold_is_never_below_its_centre(values, params):
    # Method A: T = M + SM(1 - c1c2/100) with c1c2 <= 81, or 1,20 M, or M + SM, and SM >= 0, so T >= M; the
    # same holds for method B (M + SM - V with V <= SM). Method C is R_ref - V (d even) or R_ref + V (d odd),
    # V >= 0: T lies on the side of R_ref that d says. Rounding is monotone, so the printed values keep the
    # order.
    result = compute_threshold(as_bids(values), params)
    if result.threshold is None:
        return
    if params.method == METHOD_C:
        centre = round_fraction(Fraction(params.reference_discount), params.decimals, params.rounding)
        if result.digit_sum % 2 == 0:
            assert result.threshold <= centre
        else:
            assert result.threshold >= centre
    else:
        assert result.threshold >= result.mean


@settings(max_examples=200, deadline=None)
@given(values=st.lists(discounts, min_size=5, max_size=40), method=st.sampled_from([METHOD_A, METHOD_B]))
def test_methods_a_and_b_always_leave_a_bid_to_award(values, method):
    # The lower wing lies strictly below every bid of R (equal bids join the wing), hence below M <= T: with
    # three or more decimals (the bids' own) at least the lower wing survives the exclusion.
    result = compute_threshold(
        as_bids(values), AnomalyParameters(method=method, exclude_equal_to_threshold=True)
    )
    assert result.winner is not None or result.tied_for_first
