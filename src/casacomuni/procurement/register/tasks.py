"""Background tasks of the operators' register: decisions told by e-mail, reminders of expiring documents.

Run by the task worker (``casacomuni db_worker``) after the transaction that enqueued them commits.
"""

from datetime import date, timedelta

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.recipients import people_acting_for
from casacomuni.accounts.roles import OPERATOR_ROLES, SUA_ROLES
from casacomuni.inbox.services import notify
from casacomuni.procurement.register.models import (
    EXPIRY_WARNING_DAYS,
    LIVE_STATES,
    OperatorDocument,
    RegisteredOperator,
)

# The operator's application is told to the SUA; the SUA's decisions to the operator.
TO_SUA = ("apply",)


def link_to(registration_id: int) -> str:
    return settings.CASACOMUNI_BASE_URL + reverse("procurement:register_detail", args=[registration_id])


@task
def send_registration_notice(registration_id: int, action: str) -> int:
    """E-mail the SUA of an application, or the operator (its representatives and its PEC) of a decision."""
    registration = (
        RegisteredOperator.objects.filter(pk=registration_id).select_related("operator", "province").first()
    )
    if registration is None:
        return 0
    if action in TO_SUA:
        recipients: list = list(people_acting_for([registration.province_id], SUA_ROLES))
    else:
        recipients = list(people_acting_for([registration.operator_id], OPERATOR_ROLES))
        if registration.operator.pec:
            recipients.append(registration.operator.pec)
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: albo of %(province)s, %(operator)s: %(state)s") % {
            "province": registration.province.name,
            "operator": registration.operator.name[:80],
            "state": registration.get_state_display(),
        }
        body = render_to_string(
            "procurement/register/email/decision.txt",
            {"registration": registration, "action": action, "link": link_to(registration.pk)},
        )
        return notify(recipients, "procurement.register", subject, body, link_to(registration.pk))


@task
def send_register_reminders(day: str | None = None) -> int:
    """E-mail each operator's representatives about its documents expiring within EXPIRY_WARNING_DAYS
    (or expired) in the albi where it stands, and each SUA a digest of its albo's. Returns e-mails sent."""
    today = timezone.localdate() if day is None else date.fromisoformat(day)
    documents = list(
        OperatorDocument.objects.current()
        .filter(
            registration__state__in=LIVE_STATES,
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .select_related("registration__operator", "registration__province")
        .order_by("expires_on", "pk")
    )
    by_operator, by_province = {}, {}
    for document in documents:
        by_operator.setdefault(document.registration.operator, []).append(document)
        by_province.setdefault(document.registration.province, []).append(document)
    sent = 0
    with override(settings.LANGUAGE_CODE):
        for operator, items in by_operator.items():
            people = people_acting_for([operator.pk], OPERATOR_ROLES)
            sent += mail_reminder(people, operator.name, items, today, "procurement:register_mine")
        for province, items in by_province.items():
            people = people_acting_for([province.pk], SUA_ROLES)
            sent += mail_reminder(people, province.name, items, today, "procurement:register_list")
    return sent


def mail_reminder(people, name: str, documents, today, page: str) -> int:
    """The reminder to ``people``; ``page`` the URL name of the list they check the documents on."""
    subject = _("Casa dei Comuni: documents of the operators' register expiring (%(name)s)") % {"name": name}
    body = render_to_string(
        "procurement/register/email/reminder.txt",
        {
            "documents": documents,
            "today": today,
            "days": EXPIRY_WARNING_DAYS,
            "base_url": settings.CASACOMUNI_BASE_URL,
        },
    )
    link = settings.CASACOMUNI_BASE_URL + reverse(page)
    return notify(people, "procurement.register_expiry", subject, body, link)
