""" "Password dimenticata?": a link by e-mail, the same answer for unknown addresses, no flood, no throttle bypass."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from casacomuni.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CASACOMUNI_BASE_URL = "https://casacomuni.example.test"


def ask_for_a_link(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_the_login_page_offers_the_reset(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page and "Password dimenticata?" in page


def test_a_user_gets_a_link_that_sets_a_new_password(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    user = world.personas["funzionario_sua"]
    response = ask_for_a_link(client, user.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_sent")
    [message] = mail.outbox
    assert message.to == [user.email] and message.subject == "Scegli una nuova password per Casa dei Comuni"
    link = re.search(r"https://casacomuni\.example\.test(\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    saved = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Nuova-Password-Robusta-2027", "new_password2": "Nuova-Password-Robusta-2027"},
        follow=True,
    )
    assert "La password è stata salvata" in saved.content.decode()
    user.refresh_from_db()
    assert user.check_password("Nuova-Password-Robusta-2027")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    response = ask_for_a_link(client, "nessuno@example.test", django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("accounts:password_reset_sent")
    assert mail.outbox == []


def test_a_second_request_within_ten_minutes_sends_nothing_more(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    email = world.personas["referente_comune"].email
    ask_for_a_link(client, email, django_capture_on_commit_callbacks)
    ask_for_a_link(client, email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_logins_from_an_address_that_failed_too_often_are_refused_without_writing(
    client, world, settings, persona_password
):
    settings.CASACOMUNI_FAILED_LOGINS_PER_ADDRESS = 3
    for n in range(3):
        client.post(reverse("accounts:login"), {"username": f"inventato{n}", "password": "x"})
    written = AuditEvent.objects.count()
    refused = client.post(
        reverse("accounts:login"), {"username": "funzionario_sua", "password": persona_password}
    )
    assert "Troppi accessi non riusciti dal tuo indirizzo" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.count() == written
