"""Background tasks of the agreements app (run by the task worker; enqueued daily by a cron job through
``casacomuni agreement_reminders``)."""

from collections import defaultdict

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.agreements import selectors, services
from casacomuni.agreements.models import Agreement
from casacomuni.inbox.services import notify


@task
def send_agreement_reminders() -> dict:
    """Mark the agreements past their term as expired, then e-mail each Province administrator and each
    Comune (Unione) referent, once, the list of their agreements whose term or notice deadline is 90, 60,
    30, 7 or 1 days away (``selectors.REMINDER_DAYS``): a reminder on those days, not every day."""
    today = timezone.localdate()
    expired = services.expire_agreements(today)
    candidates = selectors.agreements_with_deadlines(
        Agreement.objects.select_related("province", "municipality"), today
    )
    due = [agreement for agreement in candidates if selectors.reminder_due(agreement, today)]
    for agreement in due:
        agreement.link = settings.CASACOMUNI_BASE_URL + reverse("agreements:detail", args=[agreement.pk])
    sent = 0
    link = settings.CASACOMUNI_BASE_URL + reverse("agreements:list")
    with override(settings.LANGUAGE_CODE):
        for user, agreements in recipients(due).items():
            body = render_to_string(
                "agreements/email/reminders.txt",
                {"user": user, "agreements": agreements, "today": today},
            )
            sent += notify(
                [user], "agreements.deadlines", _("Casa dei Comuni: agreements with a deadline"), body, link
            )
    return {"expired": expired, "emails": sent}


def recipients(agreements: list[Agreement]) -> dict:
    """user -> their agreements, sorted by end date: Province administrators and Comune referents."""
    by_organization = defaultdict(list)
    for agreement in agreements:
        by_organization[agreement.province_id].append(agreement)
        by_organization[agreement.municipality_id].append(agreement)
    memberships = (
        Membership.objects.active()
        .filter(
            organization_id__in=by_organization,
            role__in=[Role.PROVINCE_ADMIN, Role.MUNICIPALITY_REFERENT],
            user__is_active=True,
        )
        .select_related("user")
    )
    by_user = defaultdict(dict)
    for membership in memberships:
        # A province administrator gets the Province's agreements, a referent only their Comune's.
        for agreement in by_organization[membership.organization_id]:
            if membership.role == Role.PROVINCE_ADMIN and agreement.province_id != membership.organization_id:
                continue
            by_user[membership.user][agreement.pk] = agreement
    return {user: sorted(found.values(), key=lambda a: (a.end_date, a.pk)) for user, found in by_user.items()}
