"""The market data pages: a Comune sees what it bought (alone or through a SUA), its Province the territory."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.procurement.testing import make_release

pytestmark = pytest.mark.django_db

MARKET = reverse("procurement:market")


def detail(release) -> str:
    return reverse("procurement:market_release", args=[release.pk])


def test_a_comune_sees_its_totals_alone_and_through_the_sua_by_year(login_as, world):
    comune = world.home.comune
    make_release(comune, year=2024, award_amount=Decimal("100000.00"))
    make_release(comune, year=2024, award_amount=None, value_amount=Decimal("50000.00"))
    make_release(
        comune,
        year=2025,
        award_amount=Decimal("300000.00"),
        delegated=True,
        procuring_entity_name="PROVINCIA DI TREVISO - SUA",
    )
    response = login_as("referente_comune").get(MARKET)
    assert response.status_code == 200
    by_year = {row["year"]: row for row in response.context["by_year"]}
    # 2024: 100,000 awarded + 50,000 estimated (no award published), both bought alone.
    assert by_year[2024]["alone_amount"] == Decimal("150000.00") and by_year[2024]["alone_count"] == 2
    assert by_year[2024]["through_amount"] == 0
    assert by_year[2025]["through_amount"] == Decimal("300000.00") and by_year[2025]["through_count"] == 1
    assert response.context["by_buyer"] is None
    assert "PROVINCIA DI TREVISO - SUA" in response.text
    assert '<td class="text-end">150.000,00</td>' in response.text


def test_a_comune_does_not_see_another_comunes_releases(login_as, world):
    own = make_release(world.home.comune)
    sibling = make_release(world.home.sibling_comune)
    elsewhere = make_release(world.elsewhere.comune)
    client = login_as("personale_comune")
    listed = [release.pk for release in client.get(MARKET).context["page"]]
    assert listed == [own.pk]
    assert client.get(detail(own)).status_code == 200
    assert client.get(detail(sibling)).status_code == 404
    assert client.get(detail(elsewhere)).status_code == 404


def test_a_release_linked_only_by_name_belongs_to_the_comune_of_that_name(login_as, world):
    release = make_release(world.home.comune, organization=None)
    assert release.municipality == world.home.comune.municipality
    assert [r.pk for r in login_as("referente_comune").get(MARKET).context["page"]] == [release.pk]


def test_the_province_sees_its_territory_per_comune_and_nothing_elsewhere(login_as, world):
    make_release(world.home.comune, award_amount=Decimal("10000.00"))
    make_release(world.home.sibling_comune, award_amount=Decimal("70000.00"))
    make_release(world.home.sibling_comune, award_amount=Decimal("5000.00"), delegated=True)
    elsewhere = make_release(world.elsewhere.comune)
    for persona in ("funzionario_sua", "amministratore_provincia"):
        client = login_as(persona)
        response = client.get(MARKET)
        assert response.status_code == 200
        assert elsewhere.pk not in [release.pk for release in response.context["page"]]
        assert response.context["page"].paginator.count == 3
        top = response.context["by_buyer"]
        assert [row["organization_id"] for row in top] == [world.home.sibling_comune.pk, world.home.comune.pk]
        assert (top[0]["total"], top[0]["alone_amount"], top[0]["through_amount"]) == (
            Decimal("75000.00"),
            Decimal("70000.00"),
            Decimal("5000.00"),
        )
        assert client.get(detail(elsewhere)).status_code == 404


@pytest.mark.parametrize("persona", ["operatore_economico", "funzionario_europa", "dirigente_upi"])
def test_other_roles_may_not_open_the_market_data(login_as, world, persona):
    release = make_release(world.home.comune)
    client = login_as(persona)
    assert client.get(MARKET).status_code == 403
    assert client.get(detail(release)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    assert client.get(MARKET).status_code == 302


def test_the_release_page_shows_the_published_release(login_as, world):
    release = make_release(world.home.comune, date=None, date_text="2025-01-08 17:31:38.793T12:00:00Z")
    release.date_malformed = True
    release.save()
    response = login_as("referente_comune").get(detail(release))
    assert "2025-01-08 17:31:38.793T12:00:00Z" in response.text
    assert "100.000,00&nbsp;EUR" in response.text and "90.000,00&nbsp;EUR" in response.text
    assert release.ocid in response.context["release_json"]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_market_page_query_count_does_not_grow_with_releases(login_as, world):
    personas = ("referente_comune", "funzionario_sua")
    make_release(world.home.comune)
    for persona in personas:
        login_as(persona).get(MARKET)  # stores the acting membership in the session
    before = {persona: queries(login_as(persona), MARKET) for persona in personas}
    for year in (2021, 2022, 2023):
        for party in (world.home.comune, world.home.sibling_comune, world.home.union):
            make_release(party, year=year, delegated=year == 2022)
    after = {persona: queries(login_as(persona), MARKET) for persona in personas}
    assert after == before
