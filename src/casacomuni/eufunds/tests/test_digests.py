"""Digests: the builder, the e-mail task, the preview and preference pages, the unsubscribe link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.eufunds import services, tasks
from casacomuni.eufunds.digest import build_digest, due_preferences
from casacomuni.eufunds.models import Call, DigestDelivery, DigestFrequency, DigestPreference
from casacomuni.eufunds.testing import manual_call_data, officer, referent, under_5000
from casacomuni.inbox.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def calls(world):
    actor = officer(world.home)
    small = services.save_manual_call(actor, manual_call_data(title="Piccoli comuni", programme="PNRR M2C4"))
    under_5000(actor, small)
    everyone = services.save_manual_call(
        actor, manual_call_data(title="Scuole sicure", programme="FSC 2021-2027")
    )
    closed = services.save_manual_call(
        actor,
        manual_call_data(
            title="Chiuso",
            opens_on=timezone.localdate() - timedelta(days=60),
            deadline=timezone.now() - timedelta(days=1),
        ),
    )
    foreign = services.save_manual_call(officer(world.elsewhere), manual_call_data(title="Di Padova"))
    return {"small": small, "everyone": everyone, "closed": closed, "foreign": foreign}


def subscribe(world, organization, frequency=DigestFrequency.MONTHLY, interests=""):
    return services.save_digest_preference(
        referent(organization),
        organization,
        services.DigestPreferenceData(frequency=frequency, interests=interests),
    )


def titles(items):
    return sorted(item.call.title for item in items)


def test_digest_has_the_new_calls_the_comune_is_not_excluded_from(world, calls):
    # The capoluogo (80,000 inhabitants) is excluded from "Piccoli comuni"; the sibling (3,200) is not.
    big = subscribe(world, world.home.comune)
    small = subscribe(world, world.home.sibling_comune)
    assert titles(build_digest(big)) == ["Scuole sicure"]
    items = build_digest(small)
    assert titles(items) == ["Piccoli comuni", "Scuole sicure"]
    assert {item.verdict.outcome for item in items} == {"eligible", "unknown"}
    assert all(item.is_new for item in items)


def test_interests_filter_and_the_window_moves(world, calls):
    preference = subscribe(world, world.home.sibling_comune, interests="pnrr\nbonifiche")
    assert titles(build_digest(preference)) == ["Piccoli comuni"]
    preference.last_sent_at = timezone.now() + timedelta(minutes=1)
    assert build_digest(preference) == []
    # A changed call comes back in the next digest.
    later = timezone.now() + timedelta(days=2)
    Call.objects.filter(pk=calls["small"].pk).update(changed_at=later)
    (item,) = build_digest(preference, now=later)
    assert item.call == calls["small"] and not item.is_new


def test_send_digest_mails_the_referents_and_records_it(world, calls):
    preference = subscribe(world, world.home.sibling_comune)
    referent(world.home.sibling_comune).user.__class__.objects.filter(
        memberships__organization=world.home.sibling_comune
    ).update(email="sindaco@borgo.example")
    sent = tasks.send_digest.call(preference.pk)
    assert sent == 1
    (message,) = mail.outbox
    assert message.to == ["sindaco@borgo.example"]
    html = message.alternatives[0].content
    assert "Piccoli comuni" in message.body and "Piccoli comuni" in html
    assert "Importo massimo: €\u00a0500.000\n" in message.body  # not "€ 500000"
    assert reverse("eufunds:digest_unsubscribe", args=[preference.token]) in message.body
    notice = Notification.objects.get(kind="eufunds.digest")
    assert notice.recipient.email == "sindaco@borgo.example" and "Piccoli comuni" in notice.body
    delivery = DigestDelivery.objects.get()
    assert sorted(delivery.call_ids) == sorted([calls["small"].pk, calls["everyone"].pk])
    preference.refresh_from_db()
    assert preference.last_sent_at == delivery.sent_at
    assert tasks.send_digest.call(preference.pk) == 0  # nothing new since


def test_due_digests_and_the_command(world, calls):
    monthly = subscribe(world, world.home.sibling_comune)
    off = subscribe(world, world.home.comune, frequency=DigestFrequency.OFF)
    assert [p.pk for p in due_preferences(timezone.now())] == [monthly.pk]
    DigestPreference.objects.filter(pk=monthly.pk).update(last_sent_at=timezone.now() - timedelta(days=10))
    assert due_preferences(timezone.now()) == []
    assert [p.pk for p in due_preferences(timezone.now() + timedelta(days=21))] == [monthly.pk]
    assert off.pk not in [p.pk for p in due_preferences(timezone.now() + timedelta(days=400))]
    call_command("send_digests")  # immediate backend: runs now; no e-mail addresses, nothing sent
    assert mail.outbox == []


def test_unsubscribe_link_works_without_login(client, world, calls):
    preference = subscribe(world, world.home.sibling_comune)
    url = reverse("eufunds:digest_unsubscribe", args=[preference.token])
    assert client.get(url).status_code == 200
    preference.refresh_from_db()
    assert not preference.unsubscribed  # a GET (a mail scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 200 and b'id="unsubscribed"' in response.content
    preference.refresh_from_db()
    assert preference.unsubscribed and build_digest(preference) == []
    assert AuditEvent.objects.filter(action="eufunds.digest_unsubscribed").count() == 1
    assert client.get(reverse("eufunds:digest_unsubscribe", args=["wrong"])).status_code == 404


def test_preferences_page_for_referents(world, login_as):
    client = login_as("referente_comune")
    url = reverse("eufunds:digest_preferences")
    assert client.get(url).status_code == 200
    response = client.post(url, {"frequency": "fortnightly", "interests": " PNRR \n\nscuole "})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(organization=world.home.comune)
    assert (preference.frequency, preference.interest_list) == ("fortnightly", ["PNRR", "scuole"])
    assert client.post(url, {"frequency": "daily"}).status_code == 400
    for persona in ("personale_comune", "funzionario_europa", "dirigente_upi"):
        assert login_as(persona).get(url).status_code == 403


def test_preview_for_the_comune_and_the_office(world, login_as, calls):
    page = login_as("referente_comune").get(reverse("eufunds:digest_preview"))
    assert page.status_code == 200 and page.context["organization"] == world.home.comune
    assert titles(page.context["items"]) == ["Scuole sicure"]
    office = login_as("funzionario_europa")
    chooser = office.get(reverse("eufunds:digest_preview"))
    assert chooser.status_code == 200 and world.home.sibling_comune in chooser.context["organizations"]
    preview = office.get(reverse("eufunds:digest_preview"), {"comune": world.home.sibling_comune.pk})
    assert titles(preview.context["items"]) == ["Piccoli comuni", "Scuole sicure"]
    assert b'class="card card-bg mb-3 call-card"' in preview.content
    foreign = office.get(reverse("eufunds:digest_preview"), {"comune": world.elsewhere.comune.pk})
    assert foreign.status_code == 404
    assert office.get(reverse("eufunds:digest_preview"), {"comune": "x"}).status_code == 404
    for persona in ("funzionario_sua", "dirigente_upi", "operatore_economico"):
        assert login_as(persona).get(reverse("eufunds:digest_preview")).status_code == 403


def test_dashboard_card(world, login_as, calls):
    page = login_as("referente_unione").get(reverse("web:dashboard"))
    card = next(c for c in page.context["cards"] if c["template"] == "eufunds/_dashboard_card.html")
    assert card["open"] == 2 and card["comune"]
    office = login_as("funzionario_europa").get(reverse("web:dashboard"))
    card = next(c for c in office.context["cards"] if c["template"] == "eufunds/_dashboard_card.html")
    assert card == {"template": "eufunds/_dashboard_card.html", "open": 2, "comune": False}
