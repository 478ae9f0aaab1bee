"""Background tasks of the procedures: the communications to the operators (art. 29 and art. 90 D.Lgs. 36/2023)
that go through the platform, each with its record in the audit trail, and by e-mail once committed."""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.recipients import people_acting_for
from casacomuni.accounts.roles import OPERATOR_ROLES
from casacomuni.inbox.services import notify
from casacomuni.procurement.procedures.models import Bid, BidStatus, Lot


@task
def send_exclusion_notice(bid_id: int) -> int:
    """Tell the operator that its bid was excluded, and why (art. 90 c.1 lett. c: within five days)."""
    bid = (
        Bid.objects.filter(pk=bid_id, status=BidStatus.EXCLUDED)
        .select_related("lot__procedure", "operator")
        .first()
    )
    if bid is None:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: your bid on lot %(number)s of procedure %(procedure)s was excluded") % {
            "number": bid.lot.number,
            "procedure": bid.lot.procedure_id,
        }
        body = render_to_string(
            "procurement/email/bid_excluded.txt", {"bid": bid, "link": public_link(bid.lot)}
        )
    return notify(
        people_acting_for([bid.operator_id], OPERATOR_ROLES),
        "procurement.exclusion",
        subject,
        body,
        public_link(bid.lot),
    )


@task
def send_award_notice(lot_id: int) -> int:
    """Tell every operator that bid on the lot whom it was awarded to and for how much (art. 90 c.1 lett. a)."""
    lot = Lot.objects.filter(pk=lot_id).select_related("procedure", "awarded_operator").first()
    if lot is None or lot.awarded_operator_id is None:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: award of lot %(number)s of procedure %(procedure)s") % {
            "number": lot.number,
            "procedure": lot.procedure_id,
        }
        body = render_to_string("procurement/email/lot_awarded.txt", {"lot": lot, "link": public_link(lot)})
    bidders = list(lot.bids.values_list("operator_id", flat=True))
    return notify(
        people_acting_for(bidders, OPERATOR_ROLES), "procurement.award", subject, body, public_link(lot)
    )


def public_link(lot: Lot) -> str:
    return settings.CASACOMUNI_BASE_URL + reverse("procurement:procedure_public", args=[lot.procedure_id])
