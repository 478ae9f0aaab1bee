"""Whatever goes wrong, an API client gets a problem+json answer: a malformed body is a 400 naming the
cause, and an unexpected failure a 500 without the traceback, even in the demo's DEBUG mode."""

import pytest
from django.test import override_settings
from django.urls import path
from ninja import NinjaAPI

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.api import problems

failing_api = NinjaAPI(urls_namespace="failing-api")
problems.install(failing_api)


@failing_api.get("/boom", auth=None)
def boom(request):
    raise RuntimeError("secret detail of the server")


urlpatterns = [path("failing/", failing_api.urls)]


@pytest.mark.urls(__name__)
@override_settings(DEBUG=True)
def test_an_unexpected_failure_is_a_problem_without_traceback_also_with_debug(client, caplog):
    response = client.get("/failing/boom")
    assert response.status_code == 500
    assert response["Content-Type"] == problems.PROBLEM_CONTENT_TYPE
    assert response.json()["title"] == "Errore del server"
    assert "secret detail" not in response.content.decode() and "Traceback" not in response.content.decode()
    # The traceback is kept for the administrators, in Django's log of server errors.
    assert any(record.name == "django.request" and record.exc_info for record in caplog.records)


@pytest.mark.django_db
def test_a_body_the_parser_cannot_read_is_a_400_in_italian(client):
    response = client.generic(
        "POST", "/api/v1/procurement/route", b"amount=1", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == problems.PROBLEM_CONTENT_TYPE
    assert response.json()["detail"] == (
        "Il corpo della richiesta non è leggibile: controllane il formato e il Content-Type."
    )


def test_a_multipart_upload_without_boundary_is_a_400(client, world):
    raw = ApiToken.generate()
    membership = world.memberships["referente_comune"]
    ApiToken.objects.create(membership=membership, name="test", token_hash=hash_token(raw))
    response = client.generic(
        "POST",
        "/api/v1/procurement/requests",
        b"title=Strade",
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == problems.PROBLEM_CONTENT_TYPE
