"""Background tasks of the help desk: the notice of each step the other side must see, the reminder to the
assignee of a request at risk, and the automatic closing of resolved requests (both enqueued by cron through
``casacomuni helpdesk_reminders``).

Notice kinds (``casacomuni.inbox.services.notify``):

- ``helpdesk.opened``: a Comune opened a request — to the office's people;
- ``helpdesk.assigned``: to the officer the request was assigned to;
- ``helpdesk.replied``, ``helpdesk.info_requested``, ``helpdesk.resolved``: to the Comune's requester;
- ``helpdesk.answered``, ``helpdesk.reopened``, ``helpdesk.closed`` (with the rating): to the assignee, or the
  office's people while nobody is assigned;
- ``helpdesk.at_risk``: a request is near its due time — to the assignee (or the office).
"""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from casacomuni.helpdesk.models import Entry, HelpRequest
from casacomuni.inbox.services import notify

TO_REQUESTER = {"helpdesk.replied", "helpdesk.info_requested", "helpdesk.resolved"}

SUBJECTS = {
    "helpdesk.opened": gettext_noop("New request for help: %(subject)s"),
    "helpdesk.assigned": gettext_noop("Request for help assigned to you: %(subject)s"),
    "helpdesk.replied": gettext_noop("The Province answered your request: %(subject)s"),
    "helpdesk.info_requested": gettext_noop("The Province asks for information: %(subject)s"),
    "helpdesk.resolved": gettext_noop("Your request was resolved: %(subject)s"),
    "helpdesk.answered": gettext_noop("The Comune wrote about its request: %(subject)s"),
    "helpdesk.reopened": gettext_noop("The Comune reopened its request: %(subject)s"),
    "helpdesk.closed": gettext_noop("The Comune closed and rated its request: %(subject)s"),
    "helpdesk.at_risk": gettext_noop("A request for help is near its due time: %(subject)s"),
}


def recipients(request: HelpRequest, kind: str) -> list:
    from casacomuni.helpdesk.services import office_people

    if kind in TO_REQUESTER:
        return [request.requester]
    if kind in {"helpdesk.assigned"} or request.assignee is not None:
        return [request.assignee] if request.assignee else []
    return list(office_people(request))


@task
def send_notice(request_id: int, kind: str, entry_id: int | None = None) -> int:
    """Tell the other side of a request about a step (``kind``, see the module's list). Returns the e-mails
    sent."""
    request = HelpRequest.objects.select_related("requester", "assignee", "party").get(pk=request_id)
    entry = Entry.objects.filter(pk=entry_id, internal=False).first() if entry_id else None
    with override(settings.LANGUAGE_CODE):
        subject = _(SUBJECTS[kind]) % {"subject": request.subject}
        body = _("Request #%(number)s of %(party)s.") % {"number": request.pk, "party": request.party.name}
        if entry is not None and entry.body:
            body = f"{body}\n\n{entry.body}"
    url = settings.CASACOMUNI_BASE_URL + reverse("helpdesk:detail", args=[request.pk])
    return notify(recipients(request, kind), kind, subject, body, url)


@task
def send_at_risk_reminders() -> int:
    """Each request whose clock entered its at-risk margin, not yet late and not yet reminded, is notified once
    to its assignee (or its office). Returns the notices sent."""
    now = timezone.now()
    sent = 0
    due = HelpRequest.objects.at_risk(now).filter(at_risk_notified_at__isnull=True)
    for request_id in due.values_list("pk", flat=True):
        sent += send_notice.call(request_id, "helpdesk.at_risk")
        HelpRequest.objects.filter(pk=request_id).update(at_risk_notified_at=now)
    return sent


@task
def close_resolved_requests() -> int:
    """Close the resolved requests the Comune left unanswered (services.AUTO_CLOSE_DAYS)."""
    from casacomuni.helpdesk.services import close_stale_resolved

    return close_stale_resolved()
