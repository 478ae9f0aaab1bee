"""The API of applications and projects: lists scoped by tenant, creation by a Comune or the office, actions
with their 400/403/404/409 as problem+json, projects with totals."""

import json
from decimal import Decimal

import pytest

from casacomuni.projects.models import Application
from casacomuni.projects.rules import pipeline
from casacomuni.projects.testing import add_projects, eu_funds_adhesion, make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    def call(persona, method, path, body=None):
        client.force_login(world.personas[persona])
        if body is None:
            return client.generic(method, f"/api/v1/eufunds{path}")
        return client.generic(method, f"/api/v1/eufunds{path}", json.dumps(body), "application/json")

    return call


def is_problem(response, status):
    return response.status_code == status and response["Content-Type"].startswith("application/problem+json")


def test_a_comune_flags_interest_through_the_api(api, world):
    eu_funds_adhesion(world.home, world.home.comune)
    call = make_call()
    response = api(
        "referente_comune", "POST", "/applications", {"call": call.pk, "requested_amount": "120000"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "flagged" and body["lead"]["id"] == world.home.comune.pk
    assert body["allowed_actions"] == ["confirm", "withdraw"]
    assert Decimal(body["requested_amount"]) == Decimal("120000")


def test_creation_errors(api, world):
    call = make_call()
    assert is_problem(api("referente_comune", "POST", "/applications", {"call": call.pk}), 403)
    assert is_problem(api("referente_comune", "POST", "/applications", {"call": 999999}), 404)
    foreign = make_call(province=world.elsewhere.province)
    assert is_problem(api("funzionario_europa", "POST", "/applications", {"call": foreign.pk}), 404)
    assert is_problem(api("funzionario_europa", "POST", "/applications", {"call": call.pk}), 400)
    assert is_problem(
        api(
            "funzionario_europa",
            "POST",
            "/applications",
            {"call": call.pk, "lead": world.elsewhere.comune.pk},
        ),
        400,
    )
    assert is_problem(
        api("funzionario_europa", "POST", "/applications", {"call": call.pk, "lead": world.home.comune.pk}),
        403,
    )
    assert is_problem(api("dirigente_upi", "POST", "/applications", {"call": call.pk}), 403)
    assert is_problem(api("referente_comune", "POST", "/applications", {"call": "x"}), 400)
    assert not Application.objects.exists()


def test_the_office_proposes_and_moves_it(api, world):
    eu_funds_adhesion(world.home, world.home.comune)
    call = make_call()
    created = api(
        "funzionario_europa", "POST", "/applications", {"call": call.pk, "lead": world.home.comune.pk}
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert is_problem(api("funzionario_europa", "POST", f"/applications/{pk}/actions/design", {}), 409)
    assert is_problem(api("referente_comune", "POST", f"/applications/{pk}/actions/assess", {}), 403)
    assert is_problem(api("funzionario_europa", "POST", f"/applications/{pk}/actions/approve", {}), 404)
    for action in ("confirm", "assess", "design"):
        assert (
            api("funzionario_europa", "POST", f"/applications/{pk}/actions/{action}", {}).status_code == 200
        )
    assert is_problem(api("funzionario_europa", "POST", f"/applications/{pk}/actions/submit", {}), 400)
    Application.objects.filter(pk=pk).update(requested_amount=Decimal("1000"))
    assert (
        api("funzionario_europa", "POST", f"/applications/{pk}/actions/submit", {}).json()["status"]
        == "submitted"
    )
    assert is_problem(
        api("funzionario_europa", "POST", f"/applications/{pk}/actions/fund", {"granted_amount": "2000"}), 400
    )
    body = api(
        "funzionario_europa", "POST", f"/applications/{pk}/actions/fund", {"granted_amount": "900"}
    ).json()
    assert body["status"] == pipeline.FUNDED and Decimal(body["granted_amount"]) == Decimal("900")


def test_lists_and_objects_are_scoped(api, world):
    home = add_projects(world.home)
    foreign = add_projects(world.elsewhere)
    body = api("referente_comune", "GET", "/applications").json()
    assert [item["id"] for item in body["items"]] == [home["application"].pk] and body["count"] == 1
    # The sibling Comune partners the home application: it reads it.
    assert api("personale_comune", "GET", "/applications").json()["count"] == 1
    assert is_problem(api("referente_comune", "GET", f"/applications/{foreign['application'].pk}"), 404)
    assert is_problem(api("funzionario_europa", "GET", f"/projects/{foreign['project'].pk}"), 404)
    assert is_problem(api("dirigente_upi", "GET", "/projects"), 403)
    projects = api("funzionario_europa", "GET", "/projects").json()
    assert projects["count"] == 1
    item = projects["items"][0]
    assert Decimal(item["financing_total"]) == Decimal("200000") and Decimal(item["commitments"]) == Decimal(
        "150000"
    )
    detail = api("referente_comune", "GET", f"/projects/{home['project'].pk}").json()
    assert detail["cup"] == home["project"].cup
    assert detail["periods"][0]["expenses"][0]["cig"] == home["expense"].cig
    assert detail["milestones"][0]["kind"] == "target"
    application = api("funzionario_europa", "GET", f"/applications/{home['application'].pk}").json()
    assert [p["name"] for p in application["partners"]] == [world.home.sibling_comune.name]
    assert application["allowed_actions"] == ["submit", "withdraw"]


def test_filters(api, world):
    make_application(world.home.comune, world.home.province_org, status=pipeline.SUBMITTED)
    make_application(world.home.sibling_comune, world.home.province_org)
    assert api("funzionario_europa", "GET", "/applications?status=submitted").json()["count"] == 1
    istat = world.home.sibling_comune.municipality.istat_code
    assert api("funzionario_europa", "GET", f"/applications?lead={istat}").json()["count"] == 1
    assert is_problem(api("funzionario_europa", "GET", "/applications?status=nonsense"), 400)
