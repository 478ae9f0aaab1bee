"""Results of the EU-funds office: the selectors count as rules.kpis defines, per Province, per Comune and
nationally, in a fixed number of queries; pages and API by role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.projects.models import ApplicationPartner
from casacomuni.projects.results import selectors
from casacomuni.projects.rules import pipeline
from casacomuni.projects.testing import make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline_rows(world):
    """In Treviso: the capoluogo (80,000) funded 100k of 150k requested, its sibling Borgo (3,200) not funded
    (requested 50k), the Unione of Villa (1,500) and Monte (900) flagged; Borgo partners the capoluogo.
    In Padova: one funded application of 40k. Three open calls (one Treviso's own), one closed long ago."""
    home, elsewhere = world.home, world.elsewhere
    calls = [make_call(), make_call(), make_call(province=home.province)]
    old = make_call(
        opens_on=timezone.localdate() - timedelta(days=900), deadline=timezone.now() - timedelta(days=800)
    )
    funded = make_application(
        home.comune,
        home.province_org,
        calls[0],
        status=pipeline.FUNDED,
        requested_amount=Decimal("150000"),
        granted_amount=Decimal("100000"),
    )
    ApplicationPartner.objects.create(application=funded, organization=home.sibling_comune)
    make_application(
        home.sibling_comune,
        home.province_org,
        old,
        status=pipeline.NOT_FUNDED,
        requested_amount=Decimal("50000"),
    )
    make_application(home.union, home.province_org, calls[1], status=pipeline.FLAGGED)
    make_application(
        elsewhere.comune,
        elsewhere.province_org,
        calls[1],
        status=pipeline.FUNDED,
        requested_amount=Decimal("40000"),
        granted_amount=Decimal("40000"),
    )
    return calls


def test_province_results(world, pipeline_rows):
    results = selectors.province_results(world.home.province_org)
    # Every year: the catalogue (2 national open calls, the old national one, Treviso's own).
    assert results.calls_screened == 4
    assert (results.interests, results.applications, results.submitted) == (3, 2, 2)
    assert (results.funded, results.not_funded) == (1, 1)
    assert results.success_rate == Decimal("0.5000")
    assert results.requested == Decimal("200000.00") and results.granted == Decimal("100000.00")
    population = 80000 + 3200 + 1500 + 900
    assert results.population == population
    assert results.granted_per_inhabitant == (Decimal("100000") / population).quantize(Decimal("0.01"))
    # Served: the capoluogo, Borgo, and Villa and Monte through their Unione; small: Borgo, Villa, Monte.
    assert (results.comuni_served, results.small_served, results.small_total) == (4, 3, 3)
    assert results.small_coverage == Decimal("1.0000") and results.small_share == Decimal("0.7500")


def test_the_year_limits_the_applications_and_the_calls(world, pipeline_rows):
    last_year = timezone.localdate().year - 3
    results = selectors.province_results(world.home.province_org, last_year)
    assert results.interests == 0
    assert results.calls_screened == 0


def test_comune_results(world, pipeline_rows):
    mine = selectors.party_results(world.home.comune)
    assert (mine.interests, mine.funded, mine.granted) == (1, 1, Decimal("100000.00"))
    assert mine.granted_per_inhabitant == Decimal("1.25")
    assert (mine.comuni_served, mine.small_total) == (1, 0)
    sibling = selectors.party_results(world.home.sibling_comune)
    assert (sibling.interests, sibling.not_funded, sibling.success_rate) == (1, 1, Decimal("0.0000"))
    assert (sibling.comuni_served, sibling.small_served, sibling.small_total) == (1, 1, 1)
    # National and Treviso's own open calls, and the old one it applied to.
    assert sibling.calls_screened == 4
    union = selectors.party_results(world.home.union)
    assert (union.population, union.small_total, union.small_served) == (2400, 2, 2)


def test_national_results(world, pipeline_rows):
    rows = selectors.national_results()
    by_sigla = {row["province"].sigla: row["results"] for row in rows}
    assert by_sigla["TV"].granted == Decimal("100000.00")
    assert by_sigla["PD"].granted == Decimal("40000.00") and by_sigla["PD"].calls_screened == 3
    total = selectors.national_total(rows)
    assert total.granted == Decimal("140000.00") and total.funded == 2
    assert total.calls_screened == 4


def test_results_cost_a_fixed_number_of_queries(world, pipeline_rows):
    with CaptureQueriesContext(connection) as few:
        selectors.national_total(selectors.national_results())
    for _ in range(5):
        call = make_call()
        make_application(world.home.sibling_comune, world.home.province_org, call, status=pipeline.SUBMITTED)
        make_application(world.elsewhere.sibling_comune, world.elsewhere.province_org, call)
    with CaptureQueriesContext(connection) as many:
        selectors.national_total(selectors.national_results())
    assert len(many) == len(few)


def test_results_pages_by_role(world, pipeline_rows, login_as):
    page = login_as("funzionario_europa").get(reverse("projects:results"))
    assert page.status_code == 200
    assert page.context["results"].granted == Decimal("100000.00")
    assert world.elsewhere.comune.name not in page.content.decode()
    # One funded of the two decided (the capoluogo's, Borgo's not funded): "50 %", not "50%".
    assert 'id="kpi-success">50\u00a0%</p>' in page.content.decode()
    page = login_as("referente_comune").get(reverse("projects:results"))
    assert page.status_code == 200 and page.context["results"].funded == 1
    assert login_as("dirigente_upi").get(reverse("projects:results")).status_code == 403
    page = login_as("dirigente_upi").get(reverse("projects:national"))
    assert page.status_code == 200 and page.context["total"].granted == Decimal("140000.00")
    assert login_as("funzionario_europa").get(reverse("projects:national")).status_code == 403


def test_the_national_page_costs_the_same_with_more_rows(world, pipeline_rows, login_as):
    client = login_as("dirigente_upi")
    url = reverse("projects:national")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        make_application(
            world.elsewhere.union,
            world.elsewhere.province_org,
            make_call(),
            status=pipeline.FUNDED,
            granted_amount=Decimal("5"),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_kpis_api(world, pipeline_rows, client):
    def get(persona, query=""):
        client.force_login(world.personas[persona])
        return client.get(f"/api/v1/eufunds/kpis{query}")

    body = get("funzionario_europa", "?province=TV").json()
    assert (
        body["scope"] == "province" and body["funded"] == 1 and Decimal(body["granted"]) == Decimal("100000")
    )
    response = get("funzionario_europa", "?province=PD")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/problem+json")
    assert get("funzionario_europa", "?province=ZZ").status_code == 404
    body = get("referente_comune", "?province=PD").json()
    assert body["scope"] == "comune" and body["organization"] == world.home.comune.name
    assert get("dirigente_upi", "?province=PD").json()["granted"] in ("40000.00", "40000")
    assert get("dirigente_upi").json()["scope"] == "national"
    assert get("funzionario_sua", "?province=TV").status_code == 403
    assert get("funzionario_europa", "?year=1800").status_code == 400
