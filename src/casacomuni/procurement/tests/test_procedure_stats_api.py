"""GET /api/v1/procurement/stats: the SUA its Province, a Comune its own lots, UPI any Province by sigla;
another tenant's sigla 404, other roles 403, bad parameters 400; constant query count."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.procurement.procedures.models import ProcedureState
from casacomuni.procurement.procedures.testing import write_procedure

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement/stats"
PROBLEM = "application/problem+json"


@pytest.fixture
def history(world):
    published = timezone.make_aware(datetime(timezone.localdate().year, 1, 2, 12, 0))
    home = world.home
    write_procedure(
        home,
        world,
        ProcedureState.CONTRACT_SIGNED,
        parties=[home.comune, home.sibling_comune],
        published_at=published,
    )
    write_procedure(home, world, ProcedureState.BIDS_OPEN, published_at=published)
    write_procedure(world.elsewhere, world, ProcedureState.AWARDED, published_at=published)


def test_sua_reads_its_province(client, as_persona, world, history):
    response = client.get(URL, headers=as_persona("funzionario_sua"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scope"] == "province" and data["province"] == "TV"
    assert data["awarded_in_year"]["lots"] == 2
    assert Decimal(data["awarded_in_year"]["savings"]) == Decimal("50000.00")
    assert Decimal(data["awarded_in_year"]["savings_percent"]) == Decimal("12.50")
    assert data["comuni_served"] == 2
    assert {row["code"]: row["count"] for row in data["procedures_by_state"]} == {
        "bids_open": 1,
        "contract_signed": 1,
    }
    assert Decimal(data["average_days"]["publication_to_award"]) == Decimal("40.0")
    assert client.get(URL, {"province": "tv"}, headers=as_persona("funzionario_sua")).status_code == 200


def test_comune_reads_its_own(client, as_persona, world, history):
    data = client.get(URL, headers=as_persona("referente_comune")).json()
    assert data["scope"] == "municipality"
    assert data["organization_id"] == world.home.comune.pk
    assert data["awarded_in_year"]["lots"] == 1
    assert data["comuni_served"] is None


def test_upi_names_the_province(client, as_persona, world, history):
    headers = as_persona("dirigente_upi")
    data = client.get(URL, {"province": "PD"}, headers=headers).json()
    assert data["organization_id"] == world.elsewhere.province_org.pk
    assert data["awarded_in_year"]["lots"] == 1 and data["awarded_in_year"]["contracts"] == 0
    missing = client.get(URL, headers=headers)
    assert missing.status_code == 400 and missing["Content-Type"] == PROBLEM
    assert client.get(URL, {"province": "ZZ"}, headers=headers).status_code == 404


@pytest.mark.parametrize("persona", ["funzionario_sua", "referente_comune"])
def test_other_province_is_404(client, as_persona, persona, history):
    response = client.get(URL, {"province": "PD"}, headers=as_persona(persona))
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("persona", ["operatore_economico", "funzionario_europa"])
def test_other_roles_are_403(client, as_persona, persona):
    response = client.get(URL, headers=as_persona(persona))
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


def test_anonymous_is_401(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("params", [{"province": "TRE"}, {"year": "1800"}, {"year": "tanti"}])
def test_bad_parameters_are_400(client, as_persona, params):
    response = client.get(URL, params, headers=as_persona("funzionario_sua"))
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_year_parameter(client, as_persona, history):
    last_year = timezone.localdate().year - 1
    data = client.get(URL, {"year": last_year}, headers=as_persona("funzionario_sua")).json()
    assert data["year"] == last_year and data["awarded_in_year"]["lots"] == 0
    assert data["awarded_all_time"]["lots"] == 2


def test_query_count_constant(client, as_persona, world):
    headers = as_persona("funzionario_sua")
    write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    client.get(URL, headers=headers)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, headers=headers).status_code == 200
    for _ in range(5):
        write_procedure(
            world.home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[world.home.comune, world.home.sibling_comune],
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, headers=headers).status_code == 200
    assert len(many) == len(few)
