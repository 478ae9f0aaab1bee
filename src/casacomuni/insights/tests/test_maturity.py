"""The maturity index (insights.rules.maturity): worked examples of the documented formula, and its bounds.

The formula is the platform's own (see the module docstring; DOMAIN.md §6 lists the PNRR M1C1 measures it
is built on). Each example below computes the points by hand.
"""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from casacomuni.insights import templates_data
from casacomuni.insights.rules.maturity import ITEMS, MAX_POINTS, maturity_index

FULL = {
    "spid_cie_login": True,
    "pagopa_services": 12,
    "io_services": 10,
    "website_model": "compliant",
    "send_act_types": 3,
    "pdnd_eservices": 5,
    "cloud_services_total": 20,
    "cloud_services_migrated": 20,
    "open_data_harvested": True,
    "rtd_named": True,
    "syllabus_percent": "100",
}


def test_a_comune_on_every_measure_scores_100():
    result = maturity_index(FULL)
    assert result.score == Decimal("100.00")
    assert result.parts == {
        "citizen_services": Decimal("40.00"),
        "platforms": Decimal("30.00"),
        "data": Decimal("10.00"),
        "organisation": Decimal("20.00"),
    }


def test_no_answers_score_zero():
    assert maturity_index({}).score == Decimal("0.00")


def test_worked_example_a_small_comune_half_way():
    # SPID/CIE yes 10; pagoPA 4/10 -> 4; IO 3/10 -> 3; website partial -> 5      = 22 citizen services
    # SEND 1/3 -> 3.333; PDND 0 -> 0; cloud 6 of 15 -> 4                          = 7.33 platforms
    # open data no -> 0                                                            = 0 data
    # RTD yes 10; Syllabus 35.5 % -> 3.55                                          = 13.55 organisation
    # total 22 + 7.3333 + 0 + 13.55 = 42.8833 -> 42.88
    answers = {
        "spid_cie_login": True,
        "pagopa_services": 4,
        "io_services": 3,
        "website_model": "partial",
        "send_act_types": 1,
        "pdnd_eservices": 0,
        "cloud_services_total": 15,
        "cloud_services_migrated": 6,
        "open_data_harvested": False,
        "rtd_named": True,
        "syllabus_percent": "35.5",
    }
    result = maturity_index(answers)
    assert result.parts == {
        "citizen_services": Decimal("22.00"),
        "platforms": Decimal("7.33"),
        "data": Decimal("0.00"),
        "organisation": Decimal("13.55"),
    }
    assert result.score == Decimal("42.88")
    assert result.items["send_act_types"] == Decimal("3.33")


def test_worked_example_caps_and_impossible_ratios():
    # More migrated than planned counts as all (10); no plan counts 0; over 100 % counts 100 %.
    assert maturity_index({"cloud_services_total": 4, "cloud_services_migrated": 9}).score == Decimal("10.00")
    assert maturity_index({"cloud_services_total": 0, "cloud_services_migrated": 9}).score == Decimal("0.00")
    assert maturity_index({"syllabus_percent": "250"}).score == Decimal("10.00")
    assert maturity_index({"pagopa_services": -3, "website_model": "unknown"}).score == Decimal("0.00")


def test_rounding_is_half_up_on_the_total():
    # SEND 2/3 -> 6.6666…; PDND 1/3 -> 3.3333…: 9.99999… -> 10.00
    assert maturity_index({"send_act_types": 2, "pdnd_eservices": 1}).score == Decimal("10.00")
    # syllabus 0.05 % -> 0.005 points -> 0.01
    assert maturity_index({"syllabus_percent": "0.05"}).score == Decimal("0.01")


def test_weights_add_up_to_100_and_every_item_is_a_question_of_the_template():
    assert sum(MAX_POINTS.values()) == 100
    codes = {
        question["code"]
        for section in templates_data.TEMPLATES[templates_data.MATURITY]["sections"]
        for question in section["questions"]
    }
    assert set(ITEMS) <= codes
    assert "cloud_services_total" in codes


@given(
    st.fixed_dictionaries(
        {
            "spid_cie_login": st.booleans(),
            "pagopa_services": st.integers(0, 500),
            "io_services": st.integers(0, 500),
            "website_model": st.sampled_from(["none", "partial", "compliant"]),
            "send_act_types": st.integers(0, 50),
            "pdnd_eservices": st.integers(0, 100),
            "cloud_services_total": st.integers(0, 500),
            "cloud_services_migrated": st.integers(0, 500),
            "open_data_harvested": st.booleans(),
            "rtd_named": st.booleans(),
            "syllabus_percent": st.decimals(0, 100, places=1).map(str),
        }
    )
)
def test_the_index_stays_within_0_and_100_and_grows_with_any_item(answers):
    result = maturity_index(answers)
    assert Decimal(0) <= result.score <= Decimal(100)
    better = dict(answers, rtd_named=True, pagopa_services=answers["pagopa_services"] + 1)
    assert maturity_index(better).score >= result.score
