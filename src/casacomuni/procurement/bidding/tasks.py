"""Background tasks of the online bids (run by the task worker, after the transaction commits)."""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.recipients import people_acting_for
from casacomuni.accounts.roles import OPERATOR_ROLES
from casacomuni.inbox.services import notify
from casacomuni.procurement.bidding import receipts, services
from casacomuni.procurement.bidding.models import OnlineBid


@task
def send_receipt(bid_id: int) -> int:
    """E-mail the receipt (PDF attached) to the operator's representatives and to who submitted the bid, each
    in a message of their own. Returns the e-mails sent."""
    bid = (
        OnlineBid.objects.filter(pk=bid_id).select_related("lot__procedure", "operator", "created_by").first()
    )
    if bid is None or not bid.receipt_code:
        return 0
    link = settings.CASACOMUNI_BASE_URL + reverse(
        "procurement:online_bid", args=[bid.lot.procedure_id, bid.lot_id]
    )
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: receipt of your bid %(receipt)s") % {"receipt": bid.receipt_code}
        body = render_to_string(
            "procurement/email/bid_receipt.txt", {**receipts.receipt_context(bid), "link": link}
        )
    people = recipients(bid)
    if not people:
        return 0
    pdf = (receipts.receipt_filename(bid), receipts.receipt_pdf(bid), "application/pdf")
    return notify(people, "procurement.bid_receipt", subject, body, link, attachments=[pdf])


def recipients(bid: OnlineBid) -> list:
    people = list(people_acting_for([bid.operator_id], OPERATOR_ROLES))
    if bid.created_by is not None and bid.created_by.is_active:
        people.append(bid.created_by)
    return people


@task
def send_integration_notice(request_id: int, kind: str) -> int:
    """Art. 29: the soccorso istruttorio's request is e-mailed to the operator, its answer to the SUA."""
    from casacomuni.accounts.roles import SUA_ROLES
    from casacomuni.procurement.bidding.models import IntegrationRequest

    request = (
        IntegrationRequest.objects.filter(pk=request_id)
        .select_related("bid__lot__procedure", "bid__operator")
        .first()
    )
    if request is None:
        return 0
    procedure = request.bid.lot.procedure
    if kind == "request":
        organization, roles = request.bid.operator_id, OPERATOR_ROLES
        link = settings.CASACOMUNI_BASE_URL + reverse(
            "procurement:online_bid", args=[procedure.pk, request.bid.lot_id]
        )
    else:
        organization, roles = procedure.province_id, SUA_ROLES
        link = settings.CASACOMUNI_BASE_URL + reverse("procurement:bid_session", args=[procedure.pk])
    with override(settings.LANGUAGE_CODE):
        subject = (
            _("Casa dei Comuni: request to complete your documents, procedure %(procedure)s")
            if kind == "request"
            else _(
                "Casa dei Comuni: an operator answered the request to complete its documents, procedure %(procedure)s"
            )
        ) % {"procedure": procedure.pk}
        body = render_to_string(
            "procurement/email/integration_notice.txt",
            {"request": request, "procedure": procedure, "kind": kind, "link": link},
        )
    return notify(people_acting_for([organization], roles), "procurement.integration", subject, body, link)


@task
def purge_orphan_sealed_files() -> int:
    """The daily clean-up of the sealed files no document names (``services.purge_orphan_sealed_files``)."""
    return services.purge_orphan_sealed_files()
