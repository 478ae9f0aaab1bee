"""API of data collection: /api/v1/insights/campaigns and responses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.insights.models import Campaign, Response, ResponseState
from casacomuni.insights.services import responses as response_services
from casacomuni.insights.testing import (
    MATURITY_ANSWERS,
    MATURITY_SCORE,
    add_insights,
    make_campaign,
    referent,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights/campaigns"
PROBLEM = "application/problem+json"


def campaign_body(world, **extra):
    deadline = timezone.localdate() + timedelta(days=30)
    return {
        "template_code": "maturita_digitale",
        "title": "Maturità digitale 2026",
        "year": 2026,
        "deadline": deadline.isoformat(),
        "targets": [world.home.comune.municipality.istat_code],
    } | extra


def test_an_officer_creates_and_sends_a_campaign_from_the_template(client, world, as_persona):
    response = client.post(
        URL, campaign_body(world), content_type="application/json", headers=as_persona("funzionario_dati")
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "sent" and created["year"] == 2026
    assert (
        created["questionnaire"]["template_code"] == "maturita_digitale"
        and created["questionnaire"]["builtin"]
    )
    assert [row["comune"]["istat_code"] for row in created["completion"]] == [
        world.home.comune.municipality.istat_code
    ]
    assert created["completion"][0]["status"] == "not_started"
    assert {q["code"] for q in created["questions"]} >= {"spid_cie_login", "syllabus_percent"}
    listed = client.get(URL, headers=as_persona("funzionario_dati")).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == created["id"]


def test_all_comuni_and_drafts(client, world, as_persona):
    body = campaign_body(world, targets="all", send=False)
    created = client.post(
        URL, body, content_type="application/json", headers=as_persona("amministratore_provincia")
    )
    assert created.status_code == 201
    assert created.json()["state"] == "draft" and len(created.json()["completion"]) == 2
    # A draft is not shown to the Comune.
    assert client.get(URL, headers=as_persona("referente_comune")).json()["count"] == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"targets": ["999999"]}, "targets"),
        ({"template_code": None}, "questionnaire"),
        ({"questionnaire": 1}, "questionnaire"),
        ({"deadline": "2000-01-01", "opens_on": "2000-02-01", "year": 2000}, "deadline"),
        ({"year": 1999}, "year"),
        ({"title": ""}, "title"),
    ],
)
def test_invalid_campaigns_are_400_with_the_field(client, world, as_persona, extra, field):
    response = client.post(
        URL,
        campaign_body(world, **extra),
        content_type="application/json",
        headers=as_persona("funzionario_dati"),
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Campaign.objects.exists()


def test_another_provinces_comune_cannot_be_targeted(client, world, as_persona):
    body = campaign_body(world, targets=[world.elsewhere.comune.municipality.istat_code])
    response = client.post(URL, body, content_type="application/json", headers=as_persona("funzionario_dati"))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "persona", ["referente_comune", "funzionario_sua", "dirigente_upi", "operatore_economico"]
)
def test_only_data_officers_create_campaigns(client, world, as_persona, persona):
    response = client.post(
        URL, campaign_body(world), content_type="application/json", headers=as_persona(persona)
    )
    assert response.status_code == 403


def test_a_comune_submits_its_answers(client, world, as_persona):
    campaign = make_campaign(world.home)
    headers = as_persona("referente_comune")
    url = f"{URL}/{campaign.pk}/responses"
    draft = client.post(
        url, {"answers": {"pagopa_services": 3}}, content_type="application/json", headers=headers
    )
    assert draft.status_code == 200, draft.content
    assert draft.json()["state"] == "draft" and draft.json()["answers"]["pagopa_services"] == 3
    submitted = client.post(
        url, {"answers": MATURITY_ANSWERS, "submit": True}, content_type="application/json", headers=headers
    )
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["state"] == "submitted" and body["score"] == MATURITY_SCORE
    assert body["comune"]["istat_code"] == world.home.comune.municipality.istat_code
    # Already submitted: 409, and nothing changes.
    again = client.post(
        url,
        {"answers": MATURITY_ANSWERS | {"rtd_named": False}, "submit": True},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert Response.objects.get().answers.get(question__code="rtd_named").value is True
    assert AuditEvent.objects.filter(action="insights_response.submit").count() == 1
    # The officer sees every response of the campaign, the Comune its own.
    officer = client.get(url, headers=as_persona("funzionario_dati")).json()
    assert officer["count"] == 1 and officer["items"][0]["score"] == MATURITY_SCORE
    response_services.save_response(referent(world.home.sibling_comune), campaign, {}, submit=False)
    assert client.get(url, headers=as_persona("funzionario_dati")).json()["count"] == 2
    assert client.get(url, headers=headers).json()["count"] == 1


def test_invalid_answers_are_422_per_question(client, world, as_persona):
    campaign = make_campaign(world.home)
    answers = MATURITY_ANSWERS | {"pagopa_services": "many", "website_model": "splendid", "unknown_code": 1}
    answers.pop("rtd_named")
    response = client.post(
        f"{URL}/{campaign.pk}/responses",
        {"answers": answers, "submit": True},
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"pagopa_services", "website_model", "unknown_code", "rtd_named"}
    assert all(error["message"] for error in response.json()["errors"])
    assert not Response.objects.exists()


def test_reopen_through_the_api(client, world, as_persona):
    campaign = make_campaign(world.home)
    response = response_services.save_response(
        referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True
    )
    url = f"/api/v1/insights/responses/{response.pk}/reopen"
    asked = client.post(
        url, {"reason": "Errore"}, content_type="application/json", headers=as_persona("referente_comune")
    )
    assert asked.status_code == 200 and asked.json()["state"] == ResponseState.REOPEN_REQUESTED
    reopened = client.post(url, {}, content_type="application/json", headers=as_persona("funzionario_dati"))
    assert reopened.status_code == 200 and reopened.json()["state"] == ResponseState.REOPENED
    assert (
        client.post(
            url, {}, content_type="application/json", headers=as_persona("funzionario_dati")
        ).status_code
        == 409
    )


def test_other_tenants_objects_are_404(client, world, as_persona):
    theirs = add_insights(world.elsewhere, world)
    for persona in ("funzionario_dati", "referente_comune"):
        headers = as_persona(persona)
        assert client.get(f"{URL}/{theirs['campaign'].pk}", headers=headers).status_code == 404
        assert client.get(f"{URL}/{theirs['campaign'].pk}/responses", headers=headers).status_code == 404
        assert (
            client.post(
                f"/api/v1/insights/responses/{theirs['response'].pk}/reopen",
                {"reason": "x"},
                content_type="application/json",
                headers=headers,
            ).status_code
            == 404
        )
        assert client.get(URL, headers=headers).json()["count"] == 0
    posted = client.post(
        f"{URL}/{theirs['campaign'].pk}/responses",
        {"answers": {}},
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    assert posted.status_code == 404


def test_the_responses_list_runs_a_fixed_number_of_queries(client, world, as_persona):
    headers = as_persona("funzionario_dati")
    small = make_campaign(world.home, comuni=[world.home.comune])
    response_services.save_response(referent(world.home.comune), small, MATURITY_ANSWERS, submit=True)
    big = make_campaign(world.home, title="Grande")
    for comune in (world.home.comune, world.home.sibling_comune):
        response_services.save_response(referent(comune), big, MATURITY_ANSWERS, submit=True)

    def count(campaign):
        client.get(f"{URL}/{campaign.pk}/responses", headers=headers)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{URL}/{campaign.pk}/responses", headers=headers).status_code == 200
        return len(captured)

    assert count(small) == count(big)


def test_the_campaigns_list_runs_a_fixed_number_of_queries(client, world, as_persona):
    for persona in ("funzionario_dati", "referente_comune"):
        headers = as_persona(persona)
        Campaign.objects.all().delete()
        make_campaign(world.home, title="Prima")

        one = list_queries(client, headers)
        for index in range(3):
            make_campaign(world.home, title=f"Altra {index}", year=2020 + index)
        assert list_queries(client, headers) == one


def list_queries(client, headers) -> int:
    client.get(URL, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, headers=headers).json()["count"] >= 1
    return len(captured)


@pytest.mark.parametrize(
    "persona", ["referente_unione", "funzionario_sua", "dirigente_upi", "operatore_economico"]
)
def test_who_answers_no_campaign_is_refused(client, world, as_persona, persona):
    campaign = make_campaign(world.home)
    headers = as_persona(persona)
    assert client.get(URL, headers=headers).status_code == 403
    assert client.get(f"{URL}/{campaign.pk}", headers=headers).status_code == 403
    posted = client.post(
        f"{URL}/{campaign.pk}/responses", {"answers": {}}, content_type="application/json", headers=headers
    )
    assert posted.status_code == 403
