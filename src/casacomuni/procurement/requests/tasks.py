"""Background tasks of the procurement app (run by the task worker, after the transaction commits)."""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.recipients import people_acting_for
from casacomuni.accounts.roles import SUA_ROLES, Role
from casacomuni.inbox.services import notify
from casacomuni.procurement.requests.models import ProcurementRequest

# Actions of the Comune are told to the SUA; the SUA's answers to the Comune.
TO_SUA = ("submit", "resubmit", "withdraw")


@task
def send_request_notice(request_id: int, action: str) -> int:
    """E-mail the other side of a request that it changed: the SUA's administrators and officers when the
    Comune acts, the Comune's referents and the person who submitted it when the SUA answers."""
    request = (
        ProcurementRequest.objects.filter(pk=request_id).select_related("municipality", "province").first()
    )
    if request is None:
        return 0
    link = settings.CASACOMUNI_BASE_URL + reverse("procurement:request_detail", args=[request.pk])
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: procurement request “%(title)s”: %(state)s") % {
            "title": request.title[:80],
            "state": request.get_state_display(),
        }
        body = render_to_string(
            "procurement/email/request_change.txt", {"request": request, "action": action, "link": link}
        )
        return notify(recipients(request, action), "procurement.request", subject, body, link)


def recipients(request: ProcurementRequest, action: str) -> list:
    if action in TO_SUA:
        organization, roles = request.province_id, SUA_ROLES
    else:
        organization, roles = request.municipality_id, (Role.MUNICIPALITY_REFERENT,)
    people = list(people_acting_for([organization], roles))
    submitter = request.created_by
    if action not in TO_SUA and submitter is not None and submitter.is_active:
        people.append(submitter)
    return people
