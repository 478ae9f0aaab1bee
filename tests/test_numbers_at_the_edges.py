"""Numbers past what the database holds are refused where they arrive, with a message, and change nothing.

Reproduces the probe of the issue "Security" (mend first): ``amount=1e26`` in the public calculators,
``offset=9223372036854775808`` in the API lists, and a planned value of 99999999999999.99 that SQLite stored
and then could not read back, so that every later read of the project failed.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from casacomuni.accounts.actor import Actor
from casacomuni.lib.bounds import MAX_AMOUNT, max_decimal
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.models import FundedProject, ProjectIndicator
from casacomuni.projects.testing import make_project

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/territory/municipalities", "/api/v1/organizations"])
def test_an_offset_beyond_64_bits_is_a_400_problem(login_as, path):
    response = login_as("funzionario_sua").get(path, {"offset": "9223372036854775808"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "offset"


def test_the_route_calculator_refuses_an_amount_beyond_a_thousand_billion(client):
    page = client.get(
        reverse("procurement:route_calculator"),
        {"object_kind": "works", "amount": "1e26", "day": "2026-03-01", "buyer_qualification": "none"},
    )
    assert page.status_code == 400
    assert "non può superare 999.999.999.999,99 euro" in page.content.decode()
    api = client.post(
        "/api/v1/procurement/route",
        {"object_kind": "works", "amount": "1e26", "day": "2026-03-01"},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["errors"][0]["field"] == "amount"


def test_a_value_that_sqlite_could_not_read_back_is_refused_and_the_project_stays_readable(world):
    project = make_project(world.home.comune, world.home.province_org)
    office = Actor(world.acting("funzionario_europa"), world.memberships["funzionario_europa"])
    with pytest.raises(project_services.ValidationError) as refused:
        project_services.add_item(
            office, project, "indicator", {"name": "Superficie", "unit": "m²", "planned": "99999999999999.99"}
        )
    assert "planned" in refused.value.message_dict
    assert not ProjectIndicator.objects.exists()
    largest = str(max_decimal(2))
    project_services.add_item(
        office, project, "indicator", {"name": "Superficie", "unit": "m²", "planned": largest}
    )
    assert ProjectIndicator.objects.get().planned == Decimal(largest)
    assert FundedProject.objects.get(pk=project.pk).indicators.count() == 1


def test_the_largest_amount_reads_back_exactly(world):
    assert max_decimal(2) > MAX_AMOUNT
