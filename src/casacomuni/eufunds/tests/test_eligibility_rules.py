"""The eligibility engine (rules.eligibility) and the status rule (rules.status), with worked examples.

Population convention: "Comuni con popolazione inferiore a 5.000 abitanti" is strictly less (the default of
population_max); "fino a 5.000 abitanti" (L. 158/2017 art. 1 c.2, piccoli comuni) includes 5,000.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casacomuni.eufunds.rules import eligibility as e
from casacomuni.eufunds.rules.status import CLOSED, FORTHCOMING, OPEN, derive_status

ROME = ZoneInfo("Europe/Rome")
SMALL = e.Profile(istat_code="026002", name="Borgo", population=3200, province_sigla="TV", region_code="05")
BIG = e.Profile(
    istat_code="026001", name="Capoluogo", population=80000, province_sigla="TV", region_code="05"
)
NO_POP = e.Profile(istat_code="026009", name="Nuovo", population=None, province_sigla="TV", region_code="05")
UNDER_5000 = e.Criterion(e.POPULATION_MAX, {"limit": 5000, "inclusive": False})
UP_TO_5000 = e.Criterion(e.POPULATION_MAX, {"limit": 5000, "inclusive": True})


@pytest.mark.parametrize(
    ("population", "criterion", "outcome"),
    [
        (4999, UNDER_5000, e.ELIGIBLE),
        (5000, UNDER_5000, e.NOT_ELIGIBLE),  # "inferiore a 5.000": 5,000 is not under
        (5000, UP_TO_5000, e.ELIGIBLE),  # "fino a 5.000": 5,000 is in
        (5001, UP_TO_5000, e.NOT_ELIGIBLE),
        (1000, e.Criterion(e.POPULATION_MIN, {"limit": 1000}), e.ELIGIBLE),  # "almeno 1.000": included
        (1000, e.Criterion(e.POPULATION_MIN, {"limit": 1000, "inclusive": False}), e.NOT_ELIGIBLE),
        (999, e.Criterion(e.POPULATION_MIN, {"limit": 1000}), e.NOT_ELIGIBLE),
        (0, UNDER_5000, e.ELIGIBLE),
    ],
)
def test_population_limits(population, criterion, outcome):
    profile = e.Profile(population=population)
    assert e.verdict([criterion], profile).outcome == outcome


def test_missing_population_is_unknown_never_not_eligible():
    verdict = e.verdict([UNDER_5000], NO_POP)
    assert verdict.outcome == e.UNKNOWN
    assert verdict.reasons[0].params["limit"] == 5000


def test_no_criteria_is_unknown():
    assert e.verdict([], SMALL).outcome == e.UNKNOWN


def test_any_failed_criterion_excludes_even_with_unknowns():
    criteria = [UNDER_5000, e.Criterion(e.PROVINCES, {"siglas": ["PD"]})]
    assert e.verdict(criteria, NO_POP).outcome == e.NOT_ELIGIBLE


def test_all_met_is_eligible_with_one_reason_each():
    criteria = [
        e.Criterion(e.ENTITY_TYPE, {"types": ["municipality"]}),
        UNDER_5000,
        e.Criterion(e.REGIONS, {"codes": ["05"]}),
        e.Criterion(e.PROVINCES, {"siglas": ["tv"]}),
        e.Criterion(e.NAMED_COMUNI, {"istat_codes": ["026002", "026003"]}),
        e.Criterion(e.SPECIAL_TERRITORY, {"label": "aree interne", "istat_codes": ["026002"]}),
        e.Criterion(e.COFINANCING_SHARE, {"percent": "20"}),
        e.Criterion(e.ASSOCIATION_REQUIRED, {"min_members": 3}),
    ]
    verdict = e.verdict(criteria, SMALL)
    assert verdict.outcome == e.ELIGIBLE
    assert [r.outcome for r in verdict.reasons] == [e.ELIGIBLE] * 6 + [e.CONDITION, e.CONDITION]


@pytest.mark.parametrize(
    ("criterion", "profile", "outcome"),
    [
        (e.Criterion(e.ENTITY_TYPE, {"types": ["local_authority"]}), SMALL, e.ELIGIBLE),
        (e.Criterion(e.ENTITY_TYPE, {"types": ["public_body"]}), SMALL, e.ELIGIBLE),
        (e.Criterion(e.ENTITY_TYPE, {"types": ["enterprise"]}), SMALL, e.NOT_ELIGIBLE),
        (e.Criterion(e.ENTITY_TYPE, {"types": ["union"]}), SMALL, e.NOT_ELIGIBLE),
        (e.Criterion(e.ENTITY_TYPE, {"types": ["union"]}), e.Profile(entity_type=e.UNION), e.ELIGIBLE),
        (e.Criterion(e.ENTITY_TYPE, {"types": ["municipality"]}), e.Profile(entity_type="alien"), e.UNKNOWN),
        (e.Criterion(e.REGIONS, {"codes": ["06"]}), SMALL, e.NOT_ELIGIBLE),
        (e.Criterion(e.REGIONS, {"codes": ["05"]}), e.Profile(), e.UNKNOWN),
        (e.Criterion(e.PROVINCES, {"siglas": ["PD", "VI"]}), SMALL, e.NOT_ELIGIBLE),
        (e.Criterion(e.NAMED_COMUNI, {"istat_codes": ["026003"]}), SMALL, e.NOT_ELIGIBLE),
        (e.Criterion(e.NAMED_COMUNI, {"istat_codes": ["026003"]}), e.Profile(), e.UNKNOWN),
        # A special territory without its closed list of comuni cannot be decided.
        (e.Criterion(e.SPECIAL_TERRITORY, {"label": "comuni montani", "istat_codes": []}), SMALL, e.UNKNOWN),
        (
            e.Criterion(e.SPECIAL_TERRITORY, {"label": "comuni montani", "istat_codes": ["026001"]}),
            SMALL,
            e.NOT_ELIGIBLE,
        ),
        # Incomplete or malformed values: review, never exclude.
        (e.Criterion(e.POPULATION_MAX, {"limit": "cinquemila"}), SMALL, e.UNKNOWN),
        (e.Criterion(e.POPULATION_MAX, {}), SMALL, e.UNKNOWN),
        (e.Criterion(e.ENTITY_TYPE, {"types": []}), SMALL, e.UNKNOWN),
        (e.Criterion(e.COFINANCING_SHARE, {"percent": "abc"}), SMALL, e.UNKNOWN),
        (e.Criterion(e.COFINANCING_SHARE, {"percent": "150"}), SMALL, e.UNKNOWN),
        (e.Criterion(e.ASSOCIATION_REQUIRED, {"min_members": None}), SMALL, e.UNKNOWN),
        (e.Criterion("made_up", {}), SMALL, e.UNKNOWN),
        (e.Criterion(e.POPULATION_MAX, "not a mapping"), SMALL, e.UNKNOWN),
    ],
)
def test_single_criteria(criterion, profile, outcome):
    assert e.check(criterion, profile).outcome == outcome


def test_conditions_alone_say_nothing_of_the_applicant():
    only_conditions = [e.Criterion(e.COFINANCING_SHARE, {"percent": "10"})]
    assert e.verdict(only_conditions, SMALL).outcome == e.UNKNOWN


def test_association_is_met_by_a_large_enough_union():
    union = e.Profile(entity_type=e.UNION, member_count=4)
    assert e.check(e.Criterion(e.ASSOCIATION_REQUIRED, {"min_members": 3}), union).outcome == e.ELIGIBLE
    small_union = e.Profile(entity_type=e.UNION, member_count=2)
    assert (
        e.check(e.Criterion(e.ASSOCIATION_REQUIRED, {"min_members": 3}), small_union).outcome == e.CONDITION
    )


def test_every_kind_has_a_checker():
    for kind in e.KINDS:
        reason = e.check(e.Criterion(kind, {}), SMALL)
        assert reason.message != "Unknown kind of criterion: review it."


NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ROME)


@pytest.mark.parametrize(
    ("opens_on", "deadline", "status"),
    [
        (date(2026, 6, 2), None, FORTHCOMING),
        (date(2026, 6, 1), None, OPEN),
        (None, None, OPEN),  # "a sportello": open until the funds run out
        (None, datetime(2026, 6, 1, 9, 59, tzinfo=ROME), CLOSED),
        (None, datetime(2026, 6, 1, 10, 0, tzinfo=ROME), OPEN),
        (date(2026, 5, 1), datetime(2026, 7, 1, tzinfo=ROME), OPEN),
        # The portal still says "forthcoming" for 2024 topics: the dates say closed.
        (date(2023, 10, 4), datetime(2024, 2, 7, 17, tzinfo=ZoneInfo("UTC")), CLOSED),
    ],
)
def test_status_from_dates(opens_on, deadline, status):
    assert derive_status(opens_on, deadline, NOW) == status


CRITERIA = st.builds(
    e.Criterion,
    kind=st.sampled_from([*e.KINDS, "made_up"]),
    value=st.fixed_dictionaries(
        {},
        optional={
            "types": st.lists(st.sampled_from([*e.ENTITY_TYPES, "x"]), max_size=3),
            "other": st.one_of(st.lists(st.sampled_from(["Scuole", " "]), max_size=2), st.just("Scuole")),
            "limit": st.one_of(st.none(), st.integers(-10, 20000), st.sampled_from(["5000", "x"])),
            "inclusive": st.booleans(),
            "codes": st.lists(st.sampled_from(["05", "06"]), max_size=2),
            "siglas": st.lists(st.sampled_from(["TV", "pd"]), max_size=2),
            "istat_codes": st.lists(st.sampled_from(["026002", "026001"]), max_size=2),
            "min_members": st.one_of(st.none(), st.integers(0, 6)),
            "percent": st.sampled_from(["20", "150", "x", None]),
        },
    ),
)
PROFILES = st.builds(
    e.Profile,
    entity_type=st.sampled_from([e.MUNICIPALITY, e.UNION, e.PROVINCE, "other"]),
    istat_code=st.sampled_from([None, "026002", "026001"]),
    population=st.one_of(st.none(), st.integers(0, 20000)),
    region_code=st.sampled_from([None, "05", "06"]),
    province_sigla=st.sampled_from([None, "TV", "PD"]),
    member_count=st.one_of(st.none(), st.integers(0, 6)),
)


@settings(max_examples=400, deadline=None)
@given(criteria=st.lists(CRITERIA, max_size=4), profile=PROFILES)
def test_the_fast_matcher_agrees_with_the_verdict(criteria, profile):
    assert e.Matcher(criteria).outcome(profile) == e.verdict(criteria, profile).outcome
