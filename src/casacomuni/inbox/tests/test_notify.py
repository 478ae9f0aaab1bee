"""``notify``: a row per recipient user, the e-mail as each chose for the kind, bare addresses e-mailed only."""

import pytest
from django.core import mail

from casacomuni.inbox import kinds
from casacomuni.inbox.kinds import Delivery, NoticeKind
from casacomuni.inbox.models import EmailState, NoticePreference, Notification
from casacomuni.inbox.services import local_path, notify, save_preferences
from casacomuni.lib.navigation import Section

LINK = "http://localhost:8000/sportello/12/"


@pytest.fixture(autouse=True)
def platform_url(settings):
    settings.CASACOMUNI_BASE_URL = "http://localhost:8000"


def test_each_user_gets_a_row_and_by_default_the_email_at_once(anna, bruno):
    sent = notify([anna, bruno, anna], "tests.open", "Nuova risposta", "La Provincia ha risposto.", LINK)
    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == [anna.email, bruno.email]
    assert mail.outbox[0].body == f"La Provincia ha risposto.\n\n{LINK}"
    rows = Notification.objects.order_by("recipient__username")
    assert [(row.recipient, row.subject, row.url, row.email_state) for row in rows] == [
        (anna, "Nuova risposta", "/sportello/12/", EmailState.SENT),
        (bruno, "Nuova risposta", "/sportello/12/", EmailState.SENT),
    ]
    assert all(row.emailed_at is not None and row.read_at is None for row in rows)


def test_a_link_already_in_the_text_is_not_repeated(anna):
    notify([anna], "tests.open", "Avviso", f"Vedi {LINK} per i dettagli.", LINK)
    assert mail.outbox[0].body == f"Vedi {LINK} per i dettagli."


def test_the_digest_preference_keeps_the_email_for_the_morning(anna, bruno):
    save_preferences(anna, {"tests.open": Delivery.DIGEST})
    assert notify([anna, bruno], "tests.open", "Avviso", "Testo", LINK) == 1
    assert [message.to for message in mail.outbox] == [[bruno.email]]
    assert Notification.objects.get(recipient=anna).email_state == EmailState.PENDING_DIGEST


def test_not_by_email_leaves_only_the_inbox_row(anna):
    save_preferences(anna, {"tests.open": Delivery.NONE})
    assert notify([anna], "tests.open", "Avviso", "Testo") == 0
    assert mail.outbox == []
    assert Notification.objects.get(recipient=anna).email_state == EmailState.NOT_EMAILED


def test_a_user_without_an_address_still_finds_the_notice_in_the_inbox(anna):
    anna.email = ""
    anna.save()
    assert notify([anna], "tests.open", "Avviso", "Testo") == 0
    assert Notification.objects.get(recipient=anna).email_state == EmailState.NOT_EMAILED


def test_bare_addresses_get_the_email_only_and_a_users_own_address_follows_the_preference(anna):
    save_preferences(anna, {"tests.open": Delivery.NONE})
    sent = notify([anna, anna.email, "pec@impresa.example", ""], "tests.open", "Avviso", "Testo")
    assert sent == 1
    assert [message.to for message in mail.outbox] == [["pec@impresa.example"]]
    assert Notification.objects.count() == 1


def test_attachments_and_html_travel_with_the_email(anna):
    pdf = ("ricevuta.pdf", b"%PDF-1.7 prova", "application/pdf")
    notify([anna], "tests.receipt", "Ricevuta", "Testo", html="<p>Testo</p>", attachments=[pdf])
    (message,) = mail.outbox
    assert message.attachments == [pdf]
    assert message.alternatives[0].content == "<p>Testo</p>"


def test_an_unknown_kind_or_attachments_on_a_kind_that_may_wait_are_programming_errors(anna):
    with pytest.raises(ValueError, match="unknown notice kind"):
        notify([anna], "tests.nobody_declared_it", "Avviso", "Testo")
    with pytest.raises(ValueError, match="attachments"):
        notify([anna], "tests.open", "Avviso", "Testo", attachments=[("a.pdf", b"x", "application/pdf")])
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_a_kind_that_may_not_be_turned_off_refuses_the_choice_and_ignores_a_stale_one(anna):
    with pytest.raises(ValueError):
        save_preferences(anna, {"tests.locked": Delivery.NONE})
    # A choice stored before the kind stopped offering it falls back to the kind's default.
    NoticePreference.objects.create(user=anna, kind="tests.locked", delivery=Delivery.NONE)
    assert notify([anna], "tests.locked", "Accesso", "Testo") == 1


def test_choosing_the_default_removes_the_stored_choice(anna):
    save_preferences(anna, {"tests.open": Delivery.DIGEST})
    save_preferences(anna, {"tests.open": Delivery.IMMEDIATE})
    assert not NoticePreference.objects.filter(user=anna).exists()


def test_kinds_are_declared_once_and_every_app_declaration_is_found():
    with pytest.raises(ValueError, match="declared twice"):
        kinds.register(NoticeKind("tests.open", "Altro nome", Section.NETWORK))
    with pytest.raises(ValueError):
        NoticeKind("senza_punto", "Avviso", Section.NETWORK)
    names = {kind.name for kind in kinds.registered()}
    assert {"procurement.award", "training.promotion", "accounts.operator_join", "eufunds.digest"} <= names


@pytest.mark.parametrize(
    "url, path",
    [
        ("http://localhost:8000/rete/modelli/3/?v=2#storia", "/rete/modelli/3/?v=2#storia"),
        ("/calendario/", "/calendario/"),
        ("https://evil.example/phish", ""),
        ("//evil.example/phish", ""),
        ("http://localhost:8000.evil.example/", ""),
        ("javascript:alert(1)", ""),
        ("/\\evil.example", ""),
        ("", ""),
    ],
)
def test_a_notice_only_ever_leads_to_a_page_of_the_platform(url, path):
    assert local_path(url) == path
