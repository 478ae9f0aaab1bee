"""Test data of the indicators, shared with the cross-tenant matrix.

``add_indicators(side, world)`` gives every comune of ``side`` a value of a test indicator for two years
(with the aggregates, written by the same service the nightly task uses) and returns the objects the
matrix tries to reach from the other side: the side's Comune (its dashboard is at
``indicators:municipality`` with its ISTAT code), its sibling comune, its Province (``indicators:province``
with its sigla) and an observation (listed by ``GET /api/v1/insights/indicators``).
"""

from decimal import Decimal

from casacomuni.indicators import services
from casacomuni.indicators.models import Indicator, Observation

TEST_CODE = "services_joined"
YEARS = (2024, 2025)


def indicator_for_tests() -> Indicator:
    return services.sync_indicators([TEST_CODE])[TEST_CODE]


def add_values(indicator: Indicator, year: int, values: dict) -> None:
    """Write ``values`` (Municipality -> number) as the indicator's observations of ``year`` (replacing
    those of the year for every comune) with their aggregates."""
    existing = {
        row.municipality_id: row.value for row in Observation.objects.filter(indicator=indicator, year=year)
    }
    existing.update({municipality.pk: Decimal(value) for municipality, value in values.items()})
    services.replace_year(indicator, year, existing)


def add_indicators(side, world) -> dict:
    indicator = indicator_for_tests()
    comuni = side.municipalities
    for offset, year in enumerate(YEARS):
        add_values(indicator, year, {m: index + offset + 1 for index, m in enumerate(comuni)})
    comune = side.comune.municipality
    return {
        "comune": comune,
        "sibling_comune": side.sibling_comune.municipality,
        "province": side.province,
        "observation": Observation.objects.get(indicator=indicator, municipality=comune, year=YEARS[-1]),
    }


def hidden_municipalities(world, persona: str) -> list:
    """The comuni (territory Municipality rows) whose values ``persona`` must not see: none for UPI, the
    other Province's for a Province's people, every other comune for a Comune, the non-members for a
    Unione, all for an operator."""
    from casacomuni.accounts.testing import PERSONAS

    everyone = [*world.home.municipalities, *world.elsewhere.municipalities]
    place = PERSONAS[persona][0]
    if place == "upi":
        return []
    if place == "home.province_org":
        return list(world.elsewhere.municipalities)
    if place == "home.comune":
        return [m for m in everyone if m != world.home.comune.municipality]
    if place == "home.union":
        members = set(world.home.union.member_municipalities.all())
        return [m for m in everyone if m not in members]
    return everyone


def hidden_provinces(world, persona: str) -> list:
    """The Provinces whose comuni-by-comuni dashboard ``persona`` must not open (403 or 404)."""
    from casacomuni.accounts.testing import PERSONAS

    place = PERSONAS[persona][0]
    if place == "upi":
        return []
    if place == "home.province_org":
        return [world.elsewhere.province]
    return [world.home.province, world.elsewhere.province]
