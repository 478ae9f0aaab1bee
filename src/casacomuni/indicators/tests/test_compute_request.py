"""Asking for the indicators now: who may, the audit event, the task once the request commits."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.indicators.models import Observation

pytestmark = pytest.mark.django_db
URL = reverse("indicators:compute")
THIS_YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.parametrize("persona", ["funzionario_dati", "amministratore_provincia", "dirigente_upi"])
def test_a_data_officer_asks_and_the_year_is_computed(
    login_as, world, persona, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(persona).post(URL, {"anno": THIS_YEAR})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="indicators.compute_request")
    assert (event.username, event.changes) == (persona, {"year": THIS_YEAR})
    assert Observation.objects.filter(year=THIS_YEAR, indicator__code="services_joined").count() == 8


@pytest.mark.parametrize("persona", ["funzionario_sua", "referente_comune", "operatore_economico"])
def test_other_roles_may_not_ask(login_as, world, persona):
    assert login_as(persona).post(URL, {"anno": THIS_YEAR}).status_code == 403
    assert not AuditEvent.objects.filter(action="indicators.compute_request").exists()


@pytest.mark.parametrize("year", ["", "abc", "1999", str(THIS_YEAR + 1)])
def test_a_bad_year_is_refused_with_a_message(login_as, world, year):
    response = login_as("funzionario_dati").post(URL, {"anno": year}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AuditEvent.objects.filter(action="indicators.compute_request").exists()


def test_asking_needs_a_post(login_as, world):
    assert login_as("funzionario_dati").get(URL).status_code == 405
