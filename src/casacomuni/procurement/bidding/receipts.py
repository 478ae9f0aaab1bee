"""The receipt of a submitted bid (art. 25 D.Lgs. 36/2023: the platform certifies the time of receipt), as a
PDF an operator files as it is: the bid's identifier, the time to the second, and each document's SHA-256."""

from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from casacomuni.agreements.documents import offline_fetcher
from casacomuni.procurement.bidding.models import OnlineBid

ROME = ZoneInfo("Europe/Rome")


def receipt_context(bid: OnlineBid) -> dict:
    procedure = bid.lot.procedure
    return {
        "bid": bid,
        "procedure": procedure,
        "lot": bid.lot,
        "operator": bid.operator,
        "received": timezone.localtime(bid.confirmed_at, ROME),
        "deadline": timezone.localtime(procedure.bid_deadline, ROME) if procedure.bid_deadline else None,
        "documents": list(bid.documents.all()),
    }


def receipt_pdf(bid: OnlineBid) -> bytes:
    html = render_to_string("procurement/bidding/receipt_print.html", receipt_context(bid))
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()


def receipt_filename(bid: OnlineBid) -> str:
    return f"ricevuta-{bid.receipt_code}.pdf"


def session_minutes_pdf(procedure, entries) -> bytes:
    """The minutes of the opening session, printed from its log with the commission's members."""
    context = {
        "procedure": procedure,
        "entries": [(timezone.localtime(entry.at, ROME), entry.text) for entry in entries],
        "commission": list(procedure.commission.all()),
        "deadline": timezone.localtime(procedure.bid_deadline, ROME) if procedure.bid_deadline else None,
    }
    html = render_to_string("procurement/bidding/session_minutes_print.html", context)
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()
