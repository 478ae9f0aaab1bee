"""API tokens cannot carry an administrator's role past the second factor, expire, and die with the password.

The bypass these tests reproduce was found by a probe of the demo (issue "Security", mend first): an
administrator logged in with the password only switched to a non-administrative role (the switch needs no
second factor), then created on the profile page a token for the *administrator's* membership, which then
worked on administrators' API operations.
"""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casacomuni.accounts.models import ApiToken, Membership, hash_token
from casacomuni.accounts.roles import Role
from casacomuni.accounts.tests.test_login import current_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_with_a_second_role(world, settings):
    """The Province's administrator also holds an officer's role; the second factor is required."""
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    admin = world.personas["amministratore_provincia"]
    officer_role = Membership.objects.create(
        user=admin, organization=world.home.province_org, role=Role.DATA_OFFICER
    )
    return admin, world.memberships["amministratore_provincia"], officer_role


def token_form(membership, **extra):
    expires_on = timezone.localdate() + timedelta(days=30)
    return {"name": "gestionale", "membership": membership.pk, "expires_on": expires_on, **extra}


def test_a_token_for_the_admin_role_is_refused_in_a_session_without_the_second_factor(
    client, admin_with_a_second_role
):
    admin, admin_role, officer_role = admin_with_a_second_role
    client.force_login(admin)  # the password only
    client.post(reverse("accounts:switch"), {"membership": officer_role.pk})
    response = client.post(reverse("accounts:profile"), token_form(admin_role))
    assert response.status_code == 400
    assert "dopo aver verificato il secondo fattore" in response.content.decode()
    assert not ApiToken.objects.exists()
    # A token for the officer's role, which needs no second factor, is still possible.
    allowed = client.post(reverse("accounts:profile"), token_form(officer_role))
    assert allowed.status_code == 200 and allowed.context["new_token"]


def test_after_the_second_factor_the_admin_token_works_on_admin_operations(client, admin_with_a_second_role):
    admin, admin_role, _officer_role = admin_with_a_second_role
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    client.force_login(admin)
    client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/"})
    raw = client.post(reverse("accounts:profile"), token_form(admin_role)).context["new_token"]
    assert ApiToken.objects.get().second_factor_verified
    client.logout()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["acting_as"]["role"] == Role.PROVINCE_ADMIN


def test_an_admin_token_issued_without_the_second_factor_is_refused_by_the_api(
    client, admin_with_a_second_role
):
    _admin, admin_role, _officer_role = admin_with_a_second_role
    raw = ApiToken.generate()
    ApiToken.objects.create(
        membership=admin_role,
        name="da prima",
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_migration_revokes_admin_tokens_and_dates_the_endless_ones(world):
    migration = importlib.import_module("casacomuni.accounts.migrations.0002_token_second_factor")
    admin_token = ApiToken.objects.create(
        membership=world.memberships["amministratore_provincia"], name="a", token_hash="a" * 64
    )
    officer_token = ApiToken.objects.create(
        membership=world.memberships["funzionario_sua"], name="b", token_hash="b" * 64
    )
    migration.revoke_unsafe_tokens(apps, None)
    admin_token.refresh_from_db()
    officer_token.refresh_from_db()
    assert admin_token.revoked_at is not None
    assert officer_token.revoked_at is None
    assert officer_token.expires_at.date() == (timezone.now() + timedelta(days=90)).date()


def test_a_token_must_expire_within_a_year(login_as, world):
    client = login_as("funzionario_sua")
    membership = world.memberships["funzionario_sua"]
    endless = client.post(reverse("accounts:profile"), token_form(membership, expires_on=""))
    too_far = client.post(
        reverse("accounts:profile"),
        token_form(membership, expires_on=timezone.localdate() + timedelta(days=366)),
    )
    assert endless.status_code == too_far.status_code == 400
    assert "entro 365 giorni" in too_far.content.decode()
    assert not ApiToken.objects.exists()


def test_changing_the_password_revokes_the_tokens(login_as, world, client, persona_password):
    client = login_as("funzionario_sua")
    raw = client.post(reverse("accounts:profile"), token_form(world.memberships["funzionario_sua"])).context[
        "new_token"
    ]
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": persona_password,
            "new_password1": "Un-Altra-Password-Lunga-2027",
            "new_password2": "Un-Altra-Password-Lunga-2027",
        },
        follow=True,
    )
    assert "Il tuo token API è stato revocato" in response.content.decode()
    client.logout()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
