"""Background tasks of the online bids (run by the task worker, after the transaction commits)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import OPERATOR_ROLES
from casacomuni.procurement.bidding import receipts
from casacomuni.procurement.bidding.models import OnlineBid


@task
def send_receipt(bid_id: int) -> int:
    """E-mail the receipt (PDF attached) to the operator's representatives and to who submitted the bid."""
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
    addresses = recipients(bid)
    if addresses:
        message = EmailMessage(subject, body, to=addresses)
        message.attach(receipts.receipt_filename(bid), receipts.receipt_pdf(bid), "application/pdf")
        message.send()
    return len(addresses)


def recipients(bid: OnlineBid) -> list[str]:
    emails = set(
        Membership.objects.active()
        .filter(organization_id=bid.operator_id, role__in=OPERATOR_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if bid.created_by is not None and bid.created_by.is_active and bid.created_by.email:
        emails.add(bid.created_by.email)
    return sorted(emails)
