"""Numbers, labels and times as an Italian reader expects them (issue 18, point 7)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from casacomuni.lib import formats
from casacomuni.procurement.calculators.results import route_result
from casacomuni.procurement.procedures import minutes
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.rules import router


@pytest.fixture(autouse=True)
def italian():
    with translation.override("it"):
        yield


def rendered(source: str, **context) -> str:
    return Template("{% load formats %}" + source).render(Context(context))


def test_one_filter_gives_italian_percentages_amounts_and_counts():
    assert rendered("{{ share|percent }}", share=Decimal("14.527")) == "14,53\u00a0%"
    assert rendered("{{ amount|euro }}", amount=Decimal("275520")) == "€\u00a0275.520,00"
    assert rendered("{{ done|number }} / {{ target|number }}", done=6991, target=5000) == "6.991 / 5.000"
    assert rendered('{{ value|number:"0-2" }}', value=Decimal("2.50")) == "2,5"
    assert rendered('{{ value|number:"0-2" }}', value=Decimal("2.00")) == "2"
    assert rendered("{{ value|euro }}", value=None) == "—"
    assert rendered("{{ fraction|share }}", fraction=Decimal("0.6667")) == "67\u00a0%"


def test_a_rate_shows_the_decimals_it_has_between_the_least_and_the_most():
    # A cost per inhabitant is stored with four decimals (agreements.Service.cost_amount).
    assert rendered('{{ rate|euro:"2-4" }}', rate=Decimal("0.1500")) == "€\u00a00,15"
    assert rendered('{{ rate|euro:"2-4" }}', rate=Decimal("0.1234")) == "€\u00a00,1234"
    assert rendered('{{ rate|euro:"2-4" }}', rate=Decimal("1200.0000")) == "€\u00a01.200,00"
    assert rendered('{{ share|percent:"0-4" }}', share=Decimal("0.8000")) == "0,8\u00a0%"
    assert rendered("{{ value|number:1 }}", value=Decimal("73.05")) == "73,1"  # half up, not cut to 73,0


@pytest.mark.parametrize("value", [float("nan"), "NaN", float("inf"), Decimal("-Infinity")])
def test_a_value_that_is_no_number_shows_as_missing_not_as_an_error(value):
    assert formats.number(value) == formats.NONE
    assert formats.number(value, 2, 4) == formats.NONE
    assert formats.percent(value) == formats.euro(value) == formats.share(value) == formats.NONE


def test_the_old_negative_decimals_are_refused_rather_than_rounding_to_hundreds():
    with pytest.raises(ValueError):
        formats.number(Decimal("2.5"), -2)


def test_a_deadline_at_11_utc_is_shown_at_12_in_rome():
    # 10 December 2026: Rome is on CET, UTC+1.
    deadline = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)
    facts = life.ProcedureFacts(
        life.BIDS_OPEN, (life.LotFacts(1, True),), now=deadline.replace(hour=9), bid_deadline=deadline
    )
    assert life.problems(life.CLOSE_BIDS, facts)[0].params == {"deadline": "10/12/2026 12:00"}


def test_a_moment_at_11_utc_reads_12_in_winter_and_13_in_summer_in_rome():
    assert formats.moment(datetime(2026, 12, 10, 11, 0, tzinfo=UTC)) == "10/12/2026 12:00"  # CET, UTC+1
    assert formats.moment(datetime(2026, 7, 10, 11, 0, tzinfo=UTC)) == "10/07/2026 13:00"  # CEST, UTC+2
    assert formats.moment(None) == "—"


def test_the_minutes_write_the_time_read_in_rome():
    assert minutes.when(datetime(2026, 12, 10, 11, 0, tzinfo=UTC)) == "10/12/2026 alle ore 12:00"
    assert minutes.when(datetime(2026, 7, 10, 11, 0, tzinfo=UTC)) == "10/07/2026 alle ore 13:00"


def test_the_day_of_a_late_evening_moment_is_the_day_in_rome():
    # 23:30 UTC on 31 March 2026 is 01:30 on 1 April in Rome (summer time began on 29 March).
    assert formats.day(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "01/04/2026"
    assert formats.day(datetime(2026, 3, 31, 23, 30, tzinfo=UTC).date()) == "31/03/2026"


def test_the_threshold_answer_says_below_for_an_amount_below_it():
    # Reg. (EU) 2025/2151: services of sub-central authorities, 216.000 euro from 2026; 100.000 is below.
    decision = router.route(
        "services", Decimal("100000"), datetime(2026, 3, 1).date(), sua_qualification="advanced"
    )
    labels = {answer["name"]: answer["label"] for answer in route_result(decision)["answers"]}
    assert labels["above_threshold"] == "Sotto la soglia europea"


def test_one_lot_is_named_in_the_singular_and_several_in_the_plural():
    one = life.ProcedureFacts(life.DRAFT, (life.LotFacts(1, has_cig=False),), bid_deadline=None)
    two = life.ProcedureFacts(
        life.DRAFT, (life.LotFacts(1, has_cig=False), life.LotFacts(2, has_cig=False)), bid_deadline=None
    )
    assert "per il lotto 1." in translated(life.problems(life.PUBLISH, one)[0])
    assert "per i lotti 1, 2." in translated(life.problems(life.PUBLISH, two)[0])


def translated(problem) -> str:
    return translation.gettext(problem.message) % problem.params
