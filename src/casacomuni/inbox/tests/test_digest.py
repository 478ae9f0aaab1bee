"""The daily digest: one e-mail per user listing what waited for it, grouped by pillar, sent once."""

import pytest
from django.core import mail
from django.core.management import call_command

from casacomuni.inbox.kinds import Delivery
from casacomuni.inbox.models import EmailState, Notification
from casacomuni.inbox.services import notify, save_preferences, send_digests


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CASACOMUNI_BASE_URL = "http://localhost:8000"


def test_the_digest_lists_each_users_waiting_notices_once(anna, bruno):
    save_preferences(anna, {"tests.open": Delivery.DIGEST, "tests.locked": Delivery.DIGEST})
    notify([anna, bruno], "tests.open", "Nuovo modello pubblicato", "Schema di convenzione SUA, v2.")
    notify([anna], "tests.locked", "Nuovo accesso al tuo account", "Da un nuovo dispositivo.")
    notify(
        [anna], "tests.open", "Esperienza pubblicata", "Treviso.", "http://localhost:8000/rete/esperienze/4/"
    )
    mail.outbox.clear()  # Bruno's immediate e-mail

    assert send_digests() == 1
    (digest,) = mail.outbox
    assert digest.to == [anna.email]
    assert digest.subject == "Casa dei Comuni: 3 notifiche del giorno"
    body = digest.body
    assert (
        body.index("== Rete ==")
        < body.index("Nuovo modello pubblicato")
        < body.index("== Amministrazione ==")
    )
    assert "Nuovo accesso al tuo account" in body.split("== Amministrazione ==")[1]
    assert "http://localhost:8000/rete/esperienze/4/" in body
    assert "http://localhost:8000/notifiche/preferenze/" in body
    assert not Notification.objects.filter(email_state=EmailState.PENDING_DIGEST).exists()

    # Run again the same day (or by the command): nothing new to send.
    call_command("inbox_digest")
    assert len(mail.outbox) == 1


def test_a_notice_arriving_after_the_digest_waits_for_the_next_one(anna):
    save_preferences(anna, {"tests.open": Delivery.DIGEST})
    notify([anna], "tests.open", "Primo", "Testo")
    send_digests()
    notify([anna], "tests.open", "Secondo", "Testo")
    assert send_digests() == 1
    assert "Secondo" in mail.outbox[-1].body and "Primo" not in mail.outbox[-1].body
