"""Every persona against the comuni and Provinces it must not see: pages, CSV downloads and the API (the
same helpers feed tests/test_cross_tenant.py)."""

import pytest
from django.urls import reverse

from casacomuni.accounts.testing import PERSONAS
from casacomuni.indicators.testing import YEARS, add_indicators, hidden_municipalities, hidden_provinces

pytestmark = pytest.mark.django_db
QUERY = f"?indicatore=services_joined&anno={YEARS[-1]}"


@pytest.fixture
def data(world):
    return {"home": add_indicators(world.home, world), "elsewhere": add_indicators(world.elsewhere, world)}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_hidden_comuni_and_provinces_are_unreachable(client, world, data, persona):
    client.force_login(world.personas[persona])
    for municipality in hidden_municipalities(world, persona):
        for name, kwargs in (
            ("indicators:municipality", {"istat_code": municipality.istat_code}),
            ("indicators:municipality_csv", {"istat_code": municipality.istat_code, "chart": "trend"}),
        ):
            status = client.get(reverse(name, kwargs=kwargs) + QUERY).status_code
            assert status in (403, 404), (persona, name, municipality)
    for province in hidden_provinces(world, persona):
        for name, kwargs in (
            ("indicators:province", {"sigla": province.sigla}),
            ("indicators:province_csv", {"sigla": province.sigla, "chart": "ranking"}),
        ):
            assert client.get(reverse(name, kwargs=kwargs) + QUERY).status_code in (403, 404), (persona, name)
    response = client.get("/api/v1/insights/indicators", {"limit": 100})
    if response.status_code == 200:
        shown = {item["municipality"] for item in response.json()["items"]}
        assert not shown & {m.istat_code for m in hidden_municipalities(world, persona)}, persona
    else:
        assert response.status_code == 403 and len(hidden_municipalities(world, persona)) == 8


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_national_view_is_upis_only(client, world, data, persona):
    client.force_login(world.personas[persona])
    for name, kwargs in (("indicators:national", {}), ("indicators:national_csv", {"chart": "ranking"})):
        status = client.get(reverse(name, kwargs=kwargs) + QUERY).status_code
        assert status == (200 if persona == "dirigente_upi" else 403), (persona, name)
