"""Login, lockout, second factor and the organisation switch, as a user meets them."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_login_with_a_wrong_password_shows_the_italian_message(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "funzionario_sua", "password": "sbagliata"}
    )
    assert response.status_code == 200
    assert "Inserisci nome utente e password corretti" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_lands_on_the_dashboard_of_the_first_organisation(client, world, persona_password):
    response = client.post(
        reverse("accounts:login"), {"username": "funzionario_sua", "password": persona_password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert "Provincia di Treviso" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, world, persona_password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "funzionario_sua", "password": "sbagliata"})
    response = client.post(
        reverse("accounts:login"), {"username": "funzionario_sua", "password": persona_password}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_administrator_must_enrol_and_verify_a_second_factor(client, world, settings):
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    client.force_login(world.personas["amministratore_provincia"])
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp"))

    enrolment = client.get(response["Location"])
    assert enrolment.context["enrolling"] and enrolment.context["qr_data_uri"].startswith(
        "data:image/svg+xml"
    )
    device = TOTPDevice.objects.get(user=world.personas["amministratore_provincia"])

    right = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/account/membri/"})
    assert right.status_code == 302 and right["Location"] == "/account/membri/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("accounts:members")).status_code == 200


def test_a_wrong_code_does_not_confirm_the_authenticator(client, world, settings):
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    client.force_login(world.personas["amministratore_provincia"])
    client.get(reverse("accounts:otp"))
    device = TOTPDevice.objects.get(user=world.personas["amministratore_provincia"])
    wrong_code = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    wrong = client.post(reverse("accounts:otp"), {"token": wrong_code, "next": "/account/membri/"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("accounts:members")).status_code == 302


def test_staff_without_admin_role_need_no_second_factor(client, world, settings):
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    client.force_login(world.personas["funzionario_sua"])
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_switching_organisation_changes_the_dashboard(client, world):
    from casacomuni.accounts.models import Membership
    from casacomuni.accounts.roles import Role

    user = world.personas["funzionario_sua"]
    second = Membership.objects.create(
        user=user, organization=world.home.comune, role=Role.MUNICIPALITY_STAFF
    )
    client.force_login(user)
    response = client.post(reverse("accounts:switch"), {"membership": second.pk}, follow=True)
    assert client.session["casacomuni_membership_id"] == second.pk
    assert "Comune di Treviso Capoluogo" in response.content.decode()


def test_switching_to_somebody_elses_membership_is_refused(client, world):
    client.force_login(world.personas["funzionario_sua"])
    own = client.session.get("casacomuni_membership_id")
    foreign = world.memberships["referente_comune"]
    response = client.post(reverse("accounts:switch"), {"membership": foreign.pk}, follow=True)
    assert "Non puoi operare per questo ente" in response.content.decode()
    assert client.session.get("casacomuni_membership_id") in (own, world.memberships["funzionario_sua"].pk)
