"""The procedure router (procurement/rules/router.py), D.Lgs. 36/2023 as amended by D.Lgs. 209/2024.

Art. 50 c.1: works < 150,000 and services/supplies < 140,000 direct award (lett. a, b); works 150,000 to
< 1,000,000 negotiated with at least 5 operators (lett. c); works 1,000,000 to the EU threshold with at least
10, or an ordinary procedure (lett. d); services/supplies 140,000 to the EU threshold with at least 5 (lett. e).
Art. 62 c.1 / Allegato II.4: a non-qualified authority acts alone up to 140,000 (services, supplies) and
500,000 (works); levels basic 750,000 / 1,000,000, intermediate 5,000,000 / EU threshold, advanced unlimited.
Art. 54 c.1 (automatic exclusion), art. 108 c.2 (mandatory OEPV), art. 49 (rotation), art. 52 (self-declaration).
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import router as r
from casacomuni.procurement.rules.router import OepvFlags, RouteError, route
from casacomuni.procurement.rules.thresholds import CENTRAL, ThresholdError

DAY = date(2026, 3, 2)


def codes(decision):
    return [option.code for option in decision.procedures.value]


# Art. 50 c.1 bands ---------------------------------------------------------------------------------------


def test_works_just_below_150000_go_by_direct_award():
    decision = route(r.OBJECT_WORKS, Decimal("149999.99"), DAY)
    assert codes(decision) == [procs.DIRECT_AWARD]
    assert decision.min_operators.value == 1
    assert "lett. a)" in decision.procedures.article


def test_works_of_exactly_150000_need_a_negotiated_procedure_with_five_operators():
    # lett. c: "pari o superiore a 150.000 euro" -> 150,000.00 is in the negotiated band.
    decision = route(r.OBJECT_WORKS, Decimal("150000.00"), DAY)
    assert codes(decision) == [procs.NEGOTIATED_BELOW_THRESHOLD]
    assert decision.min_operators.value == 5
    assert "lett. c)" in decision.min_operators.article


def test_works_of_exactly_1000000_need_ten_operators_or_an_ordinary_procedure():
    # 999,999.99 still lett. c (5 operators); 1,000,000.00 is "pari o superiore a 1 milione": lett. d, 10.
    assert route(r.OBJECT_WORKS, Decimal("999999.99"), DAY).min_operators.value == 5
    decision = route(r.OBJECT_WORKS, Decimal("1000000.00"), DAY)
    assert decision.min_operators.value == 10
    assert "lett. d)" in decision.procedures.article
    assert codes(decision)[0] == procs.NEGOTIATED_BELOW_THRESHOLD
    assert procs.OPEN in codes(decision)


def test_services_just_below_140000_go_by_direct_award():
    decision = route(r.OBJECT_SERVICES, Decimal("139999.99"), DAY)
    assert codes(decision) == [procs.DIRECT_AWARD]
    assert "lett. b)" in decision.procedures.article


def test_services_of_exactly_140000_need_five_operators():
    # lett. e: "pari o superiore a 140.000 euro".
    decision = route(r.OBJECT_SERVICES, Decimal("140000.00"), DAY)
    assert codes(decision) == [procs.NEGOTIATED_BELOW_THRESHOLD]
    assert decision.min_operators.value == 5
    assert "lett. e)" in decision.procedures.article


def test_engineering_services_follow_the_services_bands():
    # lett. b names "servizi di ingegneria e architettura e l'attività di progettazione".
    assert codes(route(r.OBJECT_ENGINEERING, Decimal("139999.99"), DAY)) == [procs.DIRECT_AWARD]
    assert route(r.OBJECT_ENGINEERING, Decimal("140000.00"), DAY).min_operators.value == 5


def test_services_of_216000_are_above_threshold_from_2026_but_below_in_2025():
    # 2026: 216,000.00 >= 216,000 -> ordinary procedures, public notice, no invitation list.
    above = route(r.OBJECT_SERVICES, Decimal("216000.00"), date(2026, 1, 1))
    assert above.above_threshold.value is True
    assert codes(above)[:2] == [procs.OPEN, procs.RESTRICTED]
    assert above.min_operators.value is None
    assert above.rotation is None  # art. 49 concerns below-threshold awards
    # 2025-12-31: threshold 221,000 -> 216,000 < 221,000, negotiated with 5.
    below = route(r.OBJECT_SERVICES, Decimal("216000.00"), date(2025, 12, 31))
    assert below.above_threshold.value is False
    assert below.min_operators.value == 5


def test_works_of_5404000_change_route_on_the_first_of_january_2026():
    assert route(r.OBJECT_WORKS, Decimal("5404000.00"), date(2025, 12, 31)).min_operators.value == 10
    assert route(r.OBJECT_WORKS, Decimal("5404000.00"), date(2026, 1, 1)).above_threshold.value is True


def test_a_central_authority_has_no_negotiated_band_for_services_in_2026():
    # Central threshold 2026 = 140,000 = the direct-award limit: 139,999.99 direct, 140,000.00 above.
    assert codes(route(r.OBJECT_SERVICES, Decimal("139999.99"), DAY, authority=CENTRAL)) == [
        procs.DIRECT_AWARD
    ]
    assert route(r.OBJECT_SERVICES, Decimal("140000.00"), DAY, authority=CENTRAL).above_threshold.value


def test_social_services_use_their_750000_threshold():
    assert route(r.OBJECT_SOCIAL_SERVICES, Decimal("749999.99"), DAY).min_operators.value == 5
    assert route(r.OBJECT_SOCIAL_SERVICES, Decimal("750000.00"), DAY).above_threshold.value


def test_ordinary_procedures_below_threshold_only_when_asked():
    assert codes(route(r.OBJECT_SERVICES, Decimal("180000"), DAY)) == [procs.NEGOTIATED_BELOW_THRESHOLD]
    allowed = route(r.OBJECT_SERVICES, Decimal("180000"), DAY, ordinary_below_threshold=True)
    assert procs.OPEN in codes(allowed)
    assert allowed.min_operators.value == 5  # the negotiated procedure stays the first option


# Qualification (art. 62-63, Allegato II.4) ------------------------------------------------------------


def test_a_comune_may_award_works_of_exactly_500000_alone_under_anac_reading():
    # Default reading (ANAC FAQ): a qualified SUA is needed only strictly above 500,000.
    decision = route(r.OBJECT_WORKS, Decimal("500000.00"), DAY)
    assert decision.may_proceed_alone.value is True
    assert decision.may_proceed_alone.unverified  # on the boundary the [unverified] reading decides


def test_with_the_allegato_reading_500000_already_needs_the_sua():
    decision = route(r.OBJECT_WORKS, Decimal("500000.00"), DAY, autonomy_boundary=r.AT_OR_ABOVE)
    assert decision.may_proceed_alone.value is False


def test_works_of_500000_01_need_a_qualified_sua():
    decision = route(r.OBJECT_WORKS, Decimal("500000.01"), DAY, sua_qualification=r.BASIC)
    assert decision.may_proceed_alone.value is False
    assert not decision.may_proceed_alone.unverified
    assert decision.sua_level_suffices.value is True  # basic covers works up to 1,000,000


def test_services_of_exactly_140000_under_both_readings():
    assert route(r.OBJECT_SERVICES, Decimal("140000.00"), DAY).may_proceed_alone.value is True
    strict = route(r.OBJECT_SERVICES, Decimal("140000.00"), DAY, autonomy_boundary=r.AT_OR_ABOVE)
    assert strict.may_proceed_alone.value is False
    assert route(r.OBJECT_SERVICES, Decimal("140000.01"), DAY).may_proceed_alone.value is False


def test_a_qualified_comune_may_proceed_alone_within_its_level():
    # Basic covers services up to 750,000: 300,000 alone; 750,000.01 not.
    assert route(
        r.OBJECT_SERVICES, Decimal("300000"), date(2025, 6, 1), buyer_qualification=r.BASIC
    ).may_proceed_alone.value
    above_level = route(r.OBJECT_SERVICES, Decimal("750000.01"), DAY, buyer_qualification=r.BASIC)
    assert above_level.may_proceed_alone.value is False


@pytest.mark.parametrize(
    ("kind", "amount", "level", "suffices"),
    [
        (r.OBJECT_WORKS, "1000000.00", r.BASIC, True),  # basic: works <= 1,000,000
        (r.OBJECT_WORKS, "1000000.01", r.BASIC, False),
        (r.OBJECT_WORKS, "1000000.01", r.INTERMEDIATE, True),
        (r.OBJECT_WORKS, "5404000.00", r.INTERMEDIATE, True),  # intermediate: works <= EU threshold 2026
        (r.OBJECT_WORKS, "5404000.01", r.INTERMEDIATE, False),
        (r.OBJECT_WORKS, "50000000", r.ADVANCED, True),
        (r.OBJECT_SERVICES, "750000.00", r.BASIC, True),  # basic: services <= 750,000
        (r.OBJECT_SERVICES, "750000.01", r.BASIC, False),
        (r.OBJECT_SERVICES, "5000000.00", r.INTERMEDIATE, True),  # intermediate: services <= 5,000,000
        (r.OBJECT_SERVICES, "5000000.01", r.INTERMEDIATE, False),
        (r.OBJECT_SERVICES, "600000", r.NONE, False),
        (r.OBJECT_SERVICES, "140000.00", r.NONE, True),  # within art. 62 c.1 any authority may run it
        (r.OBJECT_WORKS, "500000.00", r.NONE, True),
        (r.OBJECT_WORKS, "500000.01", r.NONE, False),
    ],
)
def test_the_sua_level_suffices_up_to_its_limit(kind, amount, level, suffices):
    decision = route(kind, Decimal(amount), DAY, sua_qualification=level)
    assert decision.sua_level_suffices.value is suffices


def test_a_non_qualified_sua_with_the_allegato_reading_stops_at_the_limit_itself():
    decision = route(
        r.OBJECT_WORKS, Decimal("500000.00"), DAY, sua_qualification=r.NONE, autonomy_boundary=r.AT_OR_ABOVE
    )
    assert decision.sua_level_suffices.value is False


def test_an_unstated_sua_level_is_not_guessed():
    assert route(r.OBJECT_WORKS, Decimal("800000"), DAY).sua_level_suffices.value is None


# ANAC forms [unverified mapping] ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "amount", "form"),
    [
        (r.OBJECT_SERVICES, "4999.99", "AD5"),  # direct award < 5,000
        (r.OBJECT_SERVICES, "5000.00", "AD3"),  # direct award >= 5,000
        (r.OBJECT_WORKS, "149999.99", "AD3"),
        (r.OBJECT_WORKS, "150000.00", "P7_1_3"),  # negotiated below threshold
        (r.OBJECT_SERVICES, "216000.00", "P1_16"),  # EU notice (open procedure)
    ],
)
def test_the_anac_form_is_suggested_and_flagged_unverified(kind, amount, form):
    answer = route(kind, Decimal(amount), DAY).anac_form
    assert answer.value == form
    assert answer.unverified


def test_the_open_procedure_below_threshold_uses_the_below_threshold_notice_form():
    decision = route(r.OBJECT_WORKS, Decimal("2000000"), DAY)
    open_option = next(o for o in decision.procedures.value if o.code == procs.OPEN)
    assert open_option.anac_form == "P2_16"


# Anomalous bids (art. 54 c.1) ----------------------------------------------------------------------


def test_automatic_exclusion_may_apply_to_negotiated_works_at_lowest_price():
    decision = route(r.OBJECT_WORKS, Decimal("500000"), DAY, criterion=r.LOWEST_PRICE)
    assert decision.anomaly_exclusion.value == r.ANOMALY_IF_FIVE_BIDS
    assert "5" in decision.anomaly_exclusion.explanation()


@pytest.mark.parametrize(
    ("kind", "amount", "extra"),
    [
        (r.OBJECT_SUPPLIES, "180000", {}),  # never for supplies
        (r.OBJECT_SERVICES, "216000.00", {}),  # above threshold
        (r.OBJECT_WORKS, "100000", {}),  # direct award
        (r.OBJECT_SERVICES, "180000", {"criterion": r.OEPV}),  # OEPV chosen
        (r.OBJECT_SOCIAL_SERVICES, "300000", {}),  # OEPV mandatory (art. 108 c.2 lett. a)
        (r.OBJECT_WORKS, "500000", {"cross_border_interest": True}),
    ],
)
def test_automatic_exclusion_does_not_apply(kind, amount, extra):
    assert route(kind, Decimal(amount), DAY, **extra).anomaly_exclusion.value == r.ANOMALY_NOT_APPLICABLE


# OEPV mandatory (art. 108 c.2) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "amount", "flags", "letter"),
    [
        (r.OBJECT_ENGINEERING, "140000.00", OepvFlags(), "b"),  # ">= 140.000": exactly 140,000 included
        (r.OBJECT_SOCIAL_SERVICES, "200000", OepvFlags(), "a"),
        (r.OBJECT_SERVICES, "200000", OepvFlags(labour_intensive=True), "a"),
        (r.OBJECT_SERVICES, "200000", OepvFlags(catering=True), "a"),
        (r.OBJECT_SUPPLIES, "150000", OepvFlags(innovative=True), "c"),
        (r.OBJECT_SERVICES, "500000", OepvFlags(intellectual=True), "b"),
        (r.OBJECT_WORKS, "6000000", OepvFlags(dialogue_or_partnership=True), "d"),
    ],
)
def test_oepv_is_mandatory(kind, amount, flags, letter):
    answer = route(kind, Decimal(amount), DAY, oepv_flags=flags).oepv_mandatory
    assert answer.value is True
    assert f"lett. {letter})" in answer.article


def test_oepv_is_not_mandatory_for_ordinary_supplies_or_direct_awards():
    assert route(r.OBJECT_SUPPLIES, Decimal("180000"), DAY).oepv_mandatory.value is False
    # 139,999.99 engineering: direct award, no comparative criterion (art. 50 c.4 covers lett. c-e only).
    assert route(r.OBJECT_ENGINEERING, Decimal("139999.99"), DAY).oepv_mandatory.value is False


# Reminders -----------------------------------------------------------------------------------------


def test_rotation_reminder_for_direct_and_negotiated_awards_with_the_5000_waiver():
    small = route(r.OBJECT_SUPPLIES, Decimal("4999.99"), DAY)
    assert "art. 49" in small.rotation.article
    assert "5.000,00" in small.rotation.explanation()
    larger = route(r.OBJECT_SUPPLIES, Decimal("5000.00"), DAY)
    assert "5.000,00" not in larger.rotation.explanation()
    assert route(r.OBJECT_WORKS, Decimal("400000"), DAY).rotation is not None


def test_self_declaration_only_for_direct_awards_below_40000():
    assert route(r.OBJECT_SERVICES, Decimal("39999.99"), DAY).self_declaration.value is True
    assert route(r.OBJECT_SERVICES, Decimal("40000.00"), DAY).self_declaration is None


# Explanations and input errors ----------------------------------------------------------------------


def test_every_answer_has_an_article_and_a_translatable_explanation():
    decision = route(r.OBJECT_WORKS, Decimal("1000000.00"), DAY, sua_qualification=r.BASIC)
    seen = []
    for name, answer in decision.answers().items():
        assert "D.Lgs. 36/2023" in answer.article or "Allegato" in answer.article, name
        text = answer.explanation(lambda message: seen.append(message) or "[it] " + message)
        assert text.startswith("[it] ") and "%(" not in text
    assert len(seen) == len(decision.answers())


def test_amounts_in_explanations_are_formatted_the_italian_way():
    decision = route(r.OBJECT_WORKS, Decimal("1000000"), DAY)
    assert "1.000.000,00 €" in decision.above_threshold.explanation()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"object_kind": "furniture"},
        {"buyer_qualification": "gold"},
        {"sua_qualification": "gold"},
        {"criterion": "cheapest"},
        {"autonomy_boundary": "sometimes"},
    ],
)
def test_unknown_choices_are_refused_with_a_message(kwargs):
    arguments = {"object_kind": r.OBJECT_WORKS, "amount": Decimal("1000"), "day": DAY} | kwargs
    with pytest.raises(RouteError, match="Unknown"):
        route(**arguments)


def test_a_day_without_known_thresholds_is_refused():
    with pytest.raises(ThresholdError):
        route(r.OBJECT_WORKS, Decimal("1000"), date(2028, 1, 1))


# Properties --------------------------------------------------------------------------------------


def operators_needed(decision):
    """A public notice (None) opens the procedure to everyone: more than any invitation list."""
    value = decision.min_operators.value
    return float("inf") if value is None else value


amounts = st.decimals(min_value=0, max_value=8_000_000, places=2)


@given(st.sampled_from(r.OBJECTS), amounts, amounts, st.sampled_from([date(2025, 6, 1), DAY]))
def test_a_higher_amount_never_needs_fewer_operators(kind, first, second, day):
    low, high = sorted((first, second))
    assert operators_needed(route(kind, low, day)) <= operators_needed(route(kind, high, day))


@given(st.sampled_from(r.OBJECTS), amounts, amounts, st.sampled_from(r.LEVELS))
def test_a_higher_amount_never_lets_the_comune_proceed_alone_where_a_lower_one_could_not(
    kind, first, second, level
):
    low, high = sorted((first, second))
    if route(kind, high, DAY, buyer_qualification=level).may_proceed_alone.value:
        assert route(kind, low, DAY, buyer_qualification=level).may_proceed_alone.value


@given(st.sampled_from(r.OBJECTS), amounts, amounts, st.sampled_from(r.LEVELS))
def test_a_sua_level_that_does_not_suffice_for_an_amount_does_not_suffice_for_more(
    kind, first, second, level
):
    low, high = sorted((first, second))
    if route(kind, high, DAY, sua_qualification=level).sua_level_suffices.value:
        assert route(kind, low, DAY, sua_qualification=level).sua_level_suffices.value


def test_a_procedure_started_in_2023_is_routed_not_refused():
    # Reg. delegato (UE) 2021/1952: works threshold 5,382,000 in 2022-2023; 300,000 euro of works are below it
    # and go to the negotiated procedure of art. 50 c.1 lett. c) (from 150,000 to under 1,000,000).
    decision = route(r.OBJECT_WORKS, Decimal("300000"), date(2023, 9, 1))
    assert decision.threshold.value == Decimal("5382000") and not decision.above_threshold.value
    assert [option.code for option in decision.procedures.value] == ["negotiated_below_threshold"]
