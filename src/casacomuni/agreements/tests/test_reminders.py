"""The daily reminders: agreements past their term expire; their parties hear of the coming deadlines."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from casacomuni.agreements.models import Agreement, AgreementState
from casacomuni.agreements.rules import lifecycle
from casacomuni.agreements.tests.test_pages import make_agreement, make_service
from casacomuni.audit.models import AuditEvent
from casacomuni.inbox.models import Notification


def active_agreement(world, party, service, days_to_term: int, notice_days: int = 180, days_since=700):
    today = timezone.localdate()
    agreement = make_agreement(
        world,
        world.home,
        party,
        [service],
        start=today - timedelta(days=days_since),
        end=today + timedelta(days=days_to_term),
        state=lifecycle.ACTIVE,
    )
    Agreement.objects.filter(pk=agreement.pk).update(notice_days=notice_days)
    return Agreement.objects.get(pk=agreement.pk)


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_expires_agreements_and_emails_each_party_once(world, settings):
    settings.CASACOMUNI_BASE_URL = "https://casacomuni.example.test"
    service = make_service(world.home)
    expiring = active_agreement(world, world.home.comune, service, days_to_term=30)
    notice = active_agreement(world, world.home.union, service, days_to_term=210, notice_days=180)
    # Within the 90-day window but not on a reminder day (90, 60, 30, 7, 1): no e-mail about it today.
    # (The Comune's other agreements are for other services: one service has one agreement at a time.)
    statistics = make_service(world.home, name="Statistica", kind="statistics", delegated_functions=[])
    between = active_agreement(world, world.home.comune, statistics, days_to_term=45)
    active_agreement(world, world.home.sibling_comune, service, days_to_term=400, notice_days=30)
    innovation = make_service(world.home, name="Innovazione", kind="innovation", delegated_functions=[])
    ended = active_agreement(world, world.home.comune, innovation, days_to_term=-1)

    call_command("agreement_reminders", verbosity=0)
    assert mail.outbox == []  # enqueued, not run: the worker sends
    call_command("db_worker", batch=True, verbosity=0)

    assert Agreement.objects.get(pk=ended.pk).state == AgreementState.EXPIRED
    assert AuditEvent.objects.filter(action="agreement.expire", object_id=str(ended.pk)).exists()
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    admin = world.personas["amministratore_provincia"].email
    comune = world.personas["referente_comune"].email
    union = world.personas["referente_unione"].email
    # One e-mail for each Province administrator and each referent concerned, none to the staff or to the
    # sibling comune, whose agreement is far from its deadlines.
    assert sorted(by_recipient) == sorted([admin, comune, union])
    assert len(mail.outbox) == 3
    # Each of them also finds the reminder in the inbox, leading to the agreements.
    notices = Notification.objects.filter(kind="agreements.deadlines")
    assert sorted(notices.values_list("recipient__email", flat=True)) == sorted([admin, comune, union])
    assert set(notices.values_list("url", flat=True)) == {"/convenzioni/"}
    link = f"https://casacomuni.example.test/convenzioni/{expiring.pk}/"
    assert link in by_recipient[admin]
    assert f"/convenzioni/{notice.pk}/" in by_recipient[admin]
    assert link in by_recipient[comune]
    assert f"/convenzioni/{notice.pk}/" not in by_recipient[comune]
    assert f"/convenzioni/{notice.pk}/" in by_recipient[union]
    assert f"/convenzioni/{ended.pk}/" not in by_recipient[admin]
    assert f"/convenzioni/{between.pk}/" not in by_recipient[comune]
    # Notice deadline: 210 days to the term less 180 days of notice.
    deadline = timezone.localdate() + timedelta(days=30)
    assert deadline.strftime("%d/%m/%Y") in by_recipient[union]


@pytest.mark.django_db(transaction=True)
def test_no_deadline_no_email(world):
    active_agreement(world, world.home.comune, make_service(world.home), days_to_term=400, notice_days=30)
    call_command("agreement_reminders", verbosity=0)
    call_command("db_worker", batch=True, verbosity=0)
    assert mail.outbox == []
