"""OEPV scoring (procurement/rules/oepv.py), art. 108 D.Lgs. 36/2023 and DOMAIN §4.6.

Economic coefficients (ANAC Linee guida n. 2): linear C = A/A_max, inverse C = P_min/P, bilinear with X,
tabular; score = C x maximum points. Technical: commissioners' coefficients averaged; re-scaling gives the
best the maximum; the minimum technical score cuts before or after re-scaling, as the documents say. Caps on
the economic weight: 30% labour-intensive, 10% strategic IT (art. 108 c.4), not in general.
"""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.procurement.rules import oepv as o
from casacomuni.procurement.rules.oepv import (
    Band,
    Criterion,
    EconomicFormula,
    OepvError,
    Rounding,
    SubCriterion,
    economic_scores,
    score_oepv,
    validate_weights,
)

D = Decimal
LINEAR = EconomicFormula(o.LINEAR)
TWO = Rounding(decimals=2)


EXACT = Rounding()


def scores(values, formula, points, rounding=EXACT):
    result = economic_scores({k: D(v) for k, v in values.items()}, formula, D(points), rounding)
    return {bid: (s.coefficient, s.score) for bid, s in result.items()}


# Economic formulas ----------------------------------------------------------------------------------


def test_linear_on_the_discount():
    # A_max = 25: C = 10/25 = 0.4, 20/25 = 0.8, 25/25 = 1; x 30 points = 12, 24, 30.
    assert scores({"x": "10", "y": "20", "z": "25"}, LINEAR, 30) == {
        "x": (D("0.4"), D("12")),
        "y": (D("0.8"), D("24")),
        "z": (D("1"), D("30")),
    }


def test_linear_with_no_discount_at_all_gives_no_points():
    assert scores({"x": "0", "y": "0"}, LINEAR, 30) == {"x": (0, 0), "y": (0, 0)}


def test_inverse_on_the_price():
    # P_min = 80,000: C = 80/100 = 0.8, 80/80 = 1, 80/125 = 0.64; x 30 = 24, 30, 19.2.
    result = scores({"x": "100000", "y": "80000", "z": "125000"}, EconomicFormula(o.INVERSE), 30)
    assert result == {"x": (D("0.8"), D("24")), "y": (D("1"), D("30")), "z": (D("0.64"), D("19.2"))}


def test_bilinear_with_x_085():
    # A_mean = (10+20+30)/3 = 20, A_max = 30. A=10 <= mean: 0.85*10/20 = 0.425; A=20 <= mean: 0.85;
    # A=30 > mean: 0.85 + 0.15*(30-20)/(30-20) = 1. x 20 points = 8.5, 17, 20.
    result = scores({"x": "10", "y": "20", "z": "30"}, EconomicFormula(o.BILINEAR, x=D("0.85")), 20)
    assert result == {"x": (D("0.425"), D("8.5")), "y": (D("0.85"), D("17")), "z": (D("1"), D("20"))}


def test_bilinear_above_the_mean_is_interpolated_towards_one():
    # A = 10, 12, 14, 24: mean 15, max 24. A=14 <= 15: 0.9*14/15 = 0.84. Add A=18 -> mean (10+12+14+24+18)/5
    # = 15.6, max 24: A=18 > mean: 0.9 + 0.1*(18-15.6)/(24-15.6) = 0.9 + 0.1*2.4/8.4 = 0.9 + 2/70 = 0.92857142...
    first = scores({"a": "10", "b": "12", "c": "14", "d": "24"}, EconomicFormula(o.BILINEAR, x=D("0.90")), 1)
    assert first["c"][0] == D("0.84")
    second = scores(
        {"a": "10", "b": "12", "c": "14", "d": "24", "e": "18"},
        EconomicFormula(o.BILINEAR, x=D("0.90")),
        1,
        TWO,
    )
    assert second["e"][0] == D("0.93")


@pytest.mark.parametrize("x", [None, D("0.75"), D("1")])
def test_bilinear_x_outside_080_085_090_is_refused(x):
    with pytest.raises(OepvError, match="0.80, 0.85 or 0.90"):
        EconomicFormula(o.BILINEAR, x=x)


def test_tabular_bands():
    table = (Band(D("0"), D("0")), Band(D("5"), D("0.5")), Band(D("10"), D("1")))
    formula = EconomicFormula(o.TABULAR, bands=table)
    # 4.99 is in the first band, 5 starts the second, 12 is in the last.
    assert scores({"a": "4.99", "b": "5", "c": "12"}, formula, 10) == {
        "a": (0, 0),
        "b": (D("0.5"), D("5")),
        "c": (D("1"), D("10")),
    }
    with pytest.raises(OepvError, match="no band"):
        scores({"a": "-1"}, formula, 10)


def test_bad_economic_offers_are_refused():
    with pytest.raises(OepvError, match="greater than zero"):
        scores({"a": "0", "b": "100"}, EconomicFormula(o.INVERSE), 30)
    with pytest.raises(OepvError, match="negative"):
        scores({"a": "-2", "b": "10"}, LINEAR, 30)
    with pytest.raises(OepvError):
        economic_scores({"a": 10.5}, LINEAR, D(30))  # floats are not exact


# Rounding ---------------------------------------------------------------------------------------------


def test_exact_arithmetic_then_rounding_as_the_documents_say():
    # Discounts 10 and 30: C = 10/30 = 1/3, score = 1/3 * 30 = 10 exactly (no 9.999...).
    exact = scores({"a": "10", "b": "30"}, LINEAR, 30)
    assert exact["a"][1] == D("10")
    assert exact["a"][0] == D(1) / D(3)  # 28 significant digits when the expansion does not end
    # Two decimals on the output only: C 0.33, score 10.00.
    assert scores({"a": "10", "b": "30"}, LINEAR, 30, TWO)["a"] == (D("0.33"), D("10.00"))
    # Rounding intermediates: C rounded to 0.33 first, then 0.33 * 30 = 9.90 -- the documents' choice matters.
    rounded = Rounding(decimals=2, intermediates=True)
    assert scores({"a": "10", "b": "30"}, LINEAR, 30, rounded)["a"] == (D("0.33"), D("9.90"))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(ROUND_HALF_UP, "2.35"), (ROUND_HALF_EVEN, "2.34"), (ROUND_DOWN, "2.34")],
)
def test_rounding_modes_on_a_half(mode, expected):
    assert Rounding(decimals=2, mode=mode).out(Fraction("2.345")) == D(expected)


def test_unknown_rounding_is_refused():
    with pytest.raises(OepvError):
        Rounding(decimals=2, mode="ROUND_SOMETIMES")
    with pytest.raises(OepvError):
        Rounding(decimals=-1)


# Weights (art. 108 c.4) -------------------------------------------------------------------------------


def test_economic_weight_caps_apply_only_where_the_law_puts_them():
    validate_weights(D(20), D(80))  # no cap in general
    validate_weights(D(70), D(30), labour_intensive=True)  # exactly 30%: "entro il limite"
    with pytest.raises(OepvError, match="30%"):
        validate_weights(D(69), D(31), labour_intensive=True)
    validate_weights(D(90), D(10), strategic_it=True)
    with pytest.raises(OepvError, match="10%"):
        validate_weights(D(85), D(15), strategic_it=True)


# Technical scores, re-scaling, minimum cut, ranking ----------------------------------------------------

# Criterion A (40) = A1 (25) + A2 (15); criterion B (30) without sub-criteria; economic 30 points, linear.
CRITERIA = (
    Criterion("A", D(40), (SubCriterion("A1", D(25)), SubCriterion("A2", D(15)))),
    Criterion("B", D(30)),
)
# Three commissioners. Means and raw points:
# X: A1 (1+0.8+0.9)/3 = 0.9 -> 22.5; A2 0.6 -> 9;  B (0.5+0.5+0.8)/3 = 0.6 -> 18. Raw total 49.5.
# Y: A1 0.6 -> 15;   A2 1 -> 15;   B 0.4 -> 12. Raw total 42.
# Z: A1 0.2 -> 5;    A2 0.2 -> 3;  B 0.3 -> 9.  Raw total 17.
TECHNICAL = {
    "X": {"A1": ["1", "0.8", "0.9"], "A2": ["0.6"] * 3, "B": ["0.5", "0.5", "0.8"]},
    "Y": {"A1": ["0.6"] * 3, "A2": ["1"] * 3, "B": ["0.4"] * 3},
    "Z": {"A1": ["0.2"] * 3, "A2": ["0.2"] * 3, "B": ["0.3"] * 3},
}
ECONOMIC = {"X": D(10), "Y": D(20), "Z": D(25)}  # linear over all: 12, 24, 30


def run(**options):
    return score_oepv(
        CRITERIA, TECHNICAL, ECONOMIC, LINEAR, D(30), rounding=options.pop("rounding", TWO), **options
    )


def by_bid(result):
    return {s.bid: s for s in result.ranking + result.excluded}


def test_averaged_coefficients_without_rescaling():
    # Totals: X 49.5 + 12 = 61.5; Y 42 + 24 = 66; Z 17 + 30 = 47 -> Y, X, Z.
    result = run()
    assert [s.bid for s in result.ranking] == ["Y", "X", "Z"]
    x = by_bid(result)["X"]
    assert x.coefficients == {"A1": D("0.90"), "A2": D("0.60"), "B": D("0.60")}
    assert (x.technical, x.economic, x.total) == (D("49.50"), D("12.00"), D("61.50"))
    assert [s.rank for s in result.ranking] == [1, 2, 3]
    assert result.ties == ()


def test_rescaling_at_sub_criterion_level():
    # A1 best 22.5 -> x 25/22.5: X 25, Y 16.67, Z 5.56; A2 best 15 (Y) unchanged: 9, 15, 3;
    # B best 18 -> x 30/18: X 30, Y 20, Z 15. Totals X 64, Y 51.67 (51.666...), Z 23.56 (23.555...).
    result = run(rescale=[o.SUB_CRITERION])
    got = {bid: s.technical for bid, s in by_bid(result).items()}
    assert got == {"X": D("64.00"), "Y": D("51.67"), "Z": D("23.56")}
    assert by_bid(result)["Y"].technical_points["A1"] == D("16.67")


def test_rescaling_at_criterion_level():
    # A: X 31.5, Y 30, Z 8 -> x 40/31.5: X 40, Y 38.10 (38.095...), Z 10.16 (10.158...); B as above x 30/18.
    result = run(rescale=[o.CRITERION])
    got = {bid: s.technical for bid, s in by_bid(result).items()}
    assert got == {"X": D("70.00"), "Y": D("58.10"), "Z": D("25.16")}


def test_rescaling_at_total_level_gives_the_best_the_maximum():
    # Best raw 49.5 -> x 70/49.5: X 70, Y 42*70/49.5 = 59.39..., Z 17*70/49.5 = 24.04...
    result = run(rescale=[o.TOTAL])
    assert {bid: s.technical for bid, s in by_bid(result).items()} == {
        "X": D("70.00"),
        "Y": D("59.39"),
        "Z": D("24.04"),
    }


def test_the_minimum_cut_before_or_after_rescaling_changes_the_winner():
    # Minimum 45 technical points, total re-scaling.
    # Before: raw X 49.5 passes, Y 42 and Z 17 are barred. Only X is re-scaled (70) and priced (10/10 = 1 ->
    # 30): X wins with 100.
    before = run(rescale=[o.TOTAL], minimum_technical=D(45), cut=o.BEFORE_RESCALING)
    assert [s.bid for s in before.ranking] == ["X"]
    assert by_bid(before)["X"].total == D("100.00")
    assert {s.bid for s in before.excluded} == {"Y", "Z"}
    assert by_bid(before)["Y"].technical == D("42.00")  # barred bids keep their raw score, no economic score
    assert by_bid(before)["Y"].economic is None
    # After: X 70 and Y 59.39 pass, Z 24.04 is barred. Linear over X, Y: A_max 20 -> X 10/20 -> 15,
    # Y -> 30. Totals X 85, Y 89.39: Y wins.
    after = run(rescale=[o.TOTAL], minimum_technical=D(45), cut=o.AFTER_RESCALING)
    assert [(s.bid, s.total) for s in after.ranking] == [("Y", D("89.39")), ("X", D("85.00"))]
    assert [s.bid for s in after.excluded] == ["Z"]


def test_a_minimum_without_saying_when_it_applies_is_refused():
    with pytest.raises(OepvError, match="before or after"):
        run(minimum_technical=D(45))


def test_equal_totals_are_flagged_as_ties_sharing_the_rank():
    technical = {bid: {"A1": ["0.5"], "A2": ["0.5"], "B": ["0.5"]} for bid in ("P", "Q", "R")}
    technical["R"] = {"A1": ["0.1"], "A2": ["0.1"], "B": ["0.1"]}
    result = score_oepv(CRITERIA, technical, {"P": D(10), "Q": D(10), "R": D(10)}, LINEAR, D(30))
    assert [(s.bid, s.rank, s.tied) for s in result.ranking] == [
        ("P", 1, True),
        ("Q", 1, True),
        ("R", 3, False),
    ]
    assert result.ties == (("P", "Q"),)


def test_the_economic_cap_is_enforced_on_labour_intensive_contracts():
    # Technical 70 + economic 40: 40/110 = 36% > 30%.
    with pytest.raises(OepvError, match="30%"):
        score_oepv(CRITERIA, TECHNICAL, ECONOMIC, LINEAR, D(40), labour_intensive=True)


@pytest.mark.parametrize(
    ("criteria", "technical", "economic", "match"),
    [
        ((Criterion("A", D(40), (SubCriterion("A1", D(20)),)),), {}, {}, "add up"),
        (CRITERIA, {"X": {**TECHNICAL["X"], "B": ["1.2"]}}, {"X": D(1)}, "between 0 and 1"),
        (CRITERIA, {"X": {"A1": ["1"]}}, {"X": D(1)}, "exactly these parts"),
        (CRITERIA, TECHNICAL, {"X": D(1)}, "both a technical and an economic"),
        ((Criterion("A", D(10)), Criterion("A", D(10))), {}, {}, "twice"),
    ],
)
def test_inconsistent_inputs_are_refused(criteria, technical, economic, match):
    with pytest.raises(OepvError, match=match):
        score_oepv(criteria, technical, economic, LINEAR, D(30))


# Properties -------------------------------------------------------------------------------------------

discounts = st.lists(st.decimals(min_value=0, max_value=60, places=3), min_size=1, max_size=12)
prices = st.lists(st.decimals(min_value="0.01", max_value=1_000_000, places=2), min_size=1, max_size=12)


def as_bids(values):
    return {f"b{i}": value for i, value in enumerate(values)}


@given(discounts, st.sampled_from(o.BILINEAR_X))
def test_coefficients_stay_between_0_and_1(values, x):
    for formula in (LINEAR, EconomicFormula(o.BILINEAR, x=x)):
        for score in economic_scores(as_bids(values), formula, D(30)).values():
            assert 0 <= score.coefficient <= 1
            assert 0 <= score.score <= 30


@given(prices)
def test_inverse_coefficients_stay_between_0_and_1_and_the_lowest_price_gets_the_maximum(values):
    result = economic_scores(as_bids(values), EconomicFormula(o.INVERSE), D(30))
    assert all(0 < s.coefficient <= 1 for s in result.values())
    cheapest = min(result.values(), key=lambda s: s.value)
    assert cheapest.score == 30


@given(discounts)
def test_the_highest_discount_gets_the_maximum_under_linear(values):
    result = economic_scores(as_bids(values), LINEAR, D(30))
    best = max(result.values(), key=lambda s: s.value)
    assert best.score == (30 if best.value > 0 else 0)


coefficient = st.sampled_from([D("0"), D("0.25"), D("0.5"), D("0.7"), D("1")])
bids = st.dictionaries(
    st.text("PQRSTU", min_size=1, max_size=2),
    st.tuples(coefficient, coefficient, coefficient, st.decimals(min_value=0, max_value=40, places=2)),
    min_size=1,
    max_size=6,
)


@given(bids)
def test_after_total_rescaling_the_best_technical_offer_has_the_maximum(data):
    technical = {bid: {"A1": [a1], "A2": [a2], "B": [b]} for bid, (a1, a2, b, _) in data.items()}
    economic = {bid: row[3] for bid, row in data.items()}
    result = score_oepv(CRITERIA, technical, economic, LINEAR, D(30), rescale=[o.TOTAL])
    best = max(s.technical for s in result.ranking)
    assert best in (D(70), D(0))
    # The ranking does not depend on the order the bids come in.
    reversed_order = dict(reversed(list(technical.items())))
    again = score_oepv(CRITERIA, reversed_order, economic, LINEAR, D(30), rescale=[o.TOTAL])
    assert again == result
