"""Personal access tokens: created in the profile or by command, sent as Bearer, revocable."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from casacomuni.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

IN_A_MONTH = date.today() + timedelta(days=30)


def test_a_token_created_in_the_profile_is_shown_once_and_works(login_as, world, client):
    response = login_as("funzionario_sua").post(
        reverse("accounts:profile"),
        {
            "name": "gestionale",
            "membership": world.memberships["funzionario_sua"].pk,
            "expires_on": IN_A_MONTH,
        },
    )
    raw = response.context["new_token"]
    assert raw.startswith("cdc_") and raw in response.content.decode()
    assert raw not in client.get(reverse("accounts:profile")).content.decode()

    client.logout()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json()["acting_as"]["organization"]["name"] == "Provincia di Treviso"


def test_a_revoked_token_is_refused(login_as, world, client):
    response = login_as("funzionario_sua").post(
        reverse("accounts:profile"),
        {"name": "x", "membership": world.memberships["funzionario_sua"].pk, "expires_on": IN_A_MONTH},
    )
    raw = response.context["new_token"]
    token = ApiToken.objects.get()
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    client.logout()
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"


def test_create_token_command_prints_a_working_token(world, client, capsys):
    call_command("create_token", "referente_comune")
    raw = capsys.readouterr().out.strip()
    response = client.get("/api/v1/organizations", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Comune di Treviso Capoluogo"]


def test_an_unknown_user_gets_a_clear_error_from_create_token(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nessuno"):
        call_command("create_token", "nessuno")


def test_api_lists_are_paginated_with_items_and_count(login_as, world):
    client = login_as("dirigente_upi")
    first = client.get("/api/v1/organizations?limit=3&offset=0").json()
    second = client.get("/api/v1/organizations?limit=3&offset=3").json()
    assert first["count"] == second["count"] == 11  # 2 provinces × 4 organisations, UPI, 2 operators
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_bad_pagination_values_get_a_problem_json(login_as, world):
    response = login_as("dirigente_upi").get("/api/v1/organizations?limit=-3")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 400 and body["errors"][0]["field"] == "limit"
    assert body["errors"][0]["message"] == "Inserisci un valore maggiore o uguale a 1."


def test_a_token_is_valid_through_its_expiry_day_and_refused_after(login_as, world, client):
    from django.utils import timezone

    today = timezone.localdate()
    past = login_as("funzionario_sua").post(
        reverse("accounts:profile"),
        {
            "name": "scaduto",
            "membership": world.memberships["funzionario_sua"].pk,
            "expires_on": today - timedelta(days=1),
        },
    )
    assert past.status_code == 400 and not ApiToken.objects.exists()
    response = client.post(
        reverse("accounts:profile"),
        {"name": "oggi", "membership": world.memberships["funzionario_sua"].pk, "expires_on": today},
    )
    raw = response.context["new_token"]
    client.logout()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
