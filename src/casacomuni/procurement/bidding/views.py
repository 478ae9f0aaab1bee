"""Pages of the online bids. Thin views: the operator's page reads a published lot and only the operator's own
bids (``OnlineBid.objects.for_user``); the SUA's session page reads its Province's procedures. Every write goes
through bidding.services, which checks the role, the deadline and the state again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.lib.uploads import CONTENT_TYPES
from casacomuni.procurement.bidding import forms, receipts
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding.models import (
    DocumentKind,
    Envelope,
    OnlineBid,
    OnlineBidState,
    SealedDocument,
)
from casacomuni.procurement.procedures.models import Criterion, Lot, Procedure


def operator_lot(request, pk, lot_pk) -> Lot:
    """A lot of a published procedure, for an operator of the platform (403 for anybody else)."""
    if tenancy.as_operator(request.user) is None:
        raise PermissionDenied
    return get_object_or_404(
        Lot.objects.select_related("procedure__province"),
        pk=lot_pk,
        procedure__in=Procedure.objects.public(),
        procedure_id=pk,
    )


def own_bids(request, lot):
    return (
        OnlineBid.objects.for_user(request.user)
        .filter(lot=lot)
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )


@login_required
def online_bid(request, pk, lot_pk):
    lot = operator_lot(request, pk, lot_pk)
    return render_bid_page(request, lot)


def render_bid_page(request, lot, bound: dict | None = None, error: str = "", status: int = 200):
    bound = bound or {}
    bids = list(own_bids(request, lot))
    draft = next((bid for bid in bids if bid.state == OnlineBidState.DRAFT), None)
    submitted = next((bid for bid in bids if bid.state == OnlineBidState.CONFIRMED), None)
    oepv = lot.procedure.criterion == Criterion.OEPV
    context = {
        "procedure": lot.procedure,
        "lot": lot,
        "draft": draft,
        "submitted": submitted,
        "history": [bid for bid in bids if bid.state in (OnlineBidState.REPLACED, OnlineBidState.WITHDRAWN)],
        "problem": bidding.bidding_problem(lot, tenancy.as_operator(request.user)),
        "missing": bidding.missing_parts(draft) if draft else [],
        "has_offer": bool(
            draft and any(d.kind == DocumentKind.ECONOMIC_OFFER for d in draft.documents.all())
        ),
        "document_form": bound.get("document") or forms.DocumentForm(oepv=oepv),
        "offer_form": bound.get("offer") or forms.EconomicOfferForm(),
        "grouping_form": bound.get("grouping")
        or forms.GroupingForm(
            initial={
                "grouping": draft.grouping if draft else "single",
                "members": "\n".join(
                    f"{m['name']}; {m['fiscal_code']}" for m in (draft.members if draft else [])
                ),
            }
        ),
        "server_time": timezone.now(),
        "error": error,
    }
    return render(request, "procurement/bidding/bid.html", context, status=status)


@require_POST
@login_required
def online_bid_action(request, pk, lot_pk, action):
    lot = operator_lot(request, pk, lot_pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    actor = Actor.from_request(request)
    try:
        result = handler(request, actor, lot)
    except ValidationError as refused:
        return render_bid_page(request, lot, error=refused_message(refused), status=400)
    if isinstance(result, dict):  # a form with errors: shown again with them
        return render_bid_page(
            request, lot, bound=result, error=_("Please correct the errors below."), status=400
        )
    messages.success(request, result)
    return redirect("procurement:online_bid", pk=pk, lot_pk=lot_pk)


def _start(request, actor, lot):
    bidding.draft_for(actor, lot)
    return _("A new bid is being prepared: the one submitted before counts until you submit this one.")


def _add_document(request, actor, lot):
    form = forms.DocumentForm(request.POST, request.FILES, oepv=lot.procedure.criterion == Criterion.OEPV)
    if not form.is_valid():
        return {"document": form}
    envelope, kind = form.envelope_and_kind()
    try:
        bidding.add_document(actor, bidding.draft_for(actor, lot), envelope, kind, form.cleaned_data["file"])
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            return {"document": form}
        raise
    return _("The document was sealed: nobody can read it before the commission opens its envelope.")


def _remove_document(request, actor, lot):
    document = get_object_or_404(
        SealedDocument,
        pk=request.POST.get("document"),
        bid__in=own_bids(request, lot).filter(state=OnlineBidState.DRAFT),
    )
    bidding.remove_document(actor, document)
    return _("The document was removed from the bid.")


def _economic_offer(request, actor, lot):
    form = forms.EconomicOfferForm(request.POST)
    if not form.is_valid():
        return {"offer": form}
    try:
        bidding.set_economic_offer(actor, bidding.draft_for(actor, lot), form.offer())
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            return {"offer": form}
        raise
    return _("The economic offer was sealed in envelope C.")


def _grouping(request, actor, lot):
    form = forms.GroupingForm(request.POST)
    if not form.is_valid():
        return {"grouping": form}
    try:
        bidding.set_grouping(
            actor, bidding.draft_for(actor, lot), form.cleaned_data["grouping"], form.members_list()
        )
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            return {"grouping": form}
        raise
    return _("The form of participation was saved.")


def _confirm(request, actor, lot):
    draft = own_bids(request, lot).filter(state=OnlineBidState.DRAFT).first()
    if draft is None:
        raise ValidationError(_("There is no bid being prepared to submit."))
    bid = bidding.confirm_bid(actor, draft)
    return _("Bid submitted on %(time)s: receipt %(receipt)s. The receipt was also sent by e-mail.") % {
        "time": bidding.rome_time(bid.confirmed_at),
        "receipt": bid.receipt_code,
    }


def _withdraw(request, actor, lot):
    submitted = own_bids(request, lot).filter(state=OnlineBidState.CONFIRMED).first()
    if submitted is None:
        raise ValidationError(_("There is no submitted bid to withdraw."))
    bidding.withdraw_bid(actor, submitted)
    return _(
        "The bid was withdrawn: you no longer take part in this lot, unless you submit a new bid in time."
    )


ACTIONS = {
    "nuova": _start,
    "documento": _add_document,
    "rimuovi": _remove_document,
    "offerta-economica": _economic_offer,
    "partecipazione": _grouping,
    "conferma": _confirm,
    "ritira": _withdraw,
}


@login_required
def receipt(request, pk, lot_pk, bid_pk):
    """The receipt PDF of one of the operator's own submitted bids (replaced and withdrawn ones too)."""
    lot = operator_lot(request, pk, lot_pk)
    bid = get_object_or_404(own_bids(request, lot).exclude(receipt_code=None), pk=bid_pk)
    response = HttpResponse(receipts.receipt_pdf(bid), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(bid)}"'
    return response


# --- The commission's session -------------------------------------------------------------------------------


def sua_procedure(request, pk) -> Procedure:
    if tenancy.as_sua(request.user) is None:
        raise PermissionDenied
    return get_object_or_404(Procedure.objects.for_user(request.user).select_related("province"), pk=pk)


@login_required
def session(request, pk):
    procedure = sua_procedure(request, pk)
    return render_session(request, procedure)


def render_session(request, procedure, error: str = "", status: int = 200):
    openings = {
        opening.envelope: opening for opening in procedure.envelope_openings.select_related("opened_by")
    }
    bids = list(
        OnlineBid.objects.for_user(request.user)
        .filter(lot__procedure=procedure, state=OnlineBidState.CONFIRMED)
        .select_related("lot", "operator", "received_bid")
        .prefetch_related("documents")
        .order_by("lot__number", "confirmed_at", "pk")
    )
    envelopes = [
        {
            "code": envelope.value,
            "label": envelope.label,
            "opening": openings.get(envelope.value),
            "problem": bidding.opening_problem(procedure, envelope.value, set(openings)),
        }
        for envelope in Envelope
        if envelope != Envelope.TECHNICAL or procedure.criterion == Criterion.OEPV
    ]
    context = {
        "procedure": procedure,
        "envelopes": envelopes,
        "bids": bids,
        "opened": set(openings),
        "deadline_passed": procedure.bid_deadline is not None and timezone.now() >= procedure.bid_deadline,
        "server_time": timezone.now(),
        "error": error,
    }
    return render(request, "procurement/bidding/session.html", context, status=status)


@require_POST
@login_required
def open_envelopes(request, pk, envelope):
    procedure = sua_procedure(request, pk)
    try:
        bidding.open_envelopes(Actor.from_request(request), procedure, envelope)
    except ValidationError as refused:
        return render_session(request, procedure, error=refused_message(refused), status=400)
    messages.success(request, _("Envelopes %(envelope)s opened.") % {"envelope": envelope})
    return redirect("procurement:bid_session", pk=pk)


@login_required
def document(request, pk, document_pk):
    """A document of an opened envelope, for the SUA (403 before the opening, for everybody)."""
    procedure = sua_procedure(request, pk)
    found = get_object_or_404(
        SealedDocument.objects.select_related("bid__lot__procedure"),
        pk=document_pk,
        bid__lot__procedure=procedure,
    )
    name, content = bidding.read_document(request.user, found)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    response = HttpResponse(content, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{found.bid.receipt_code}-{found.pk}{extension}"'
    return response


def refused_message(refused: ValidationError) -> str:
    if hasattr(refused, "error_dict"):
        return " ".join(str(message) for messages_ in refused.message_dict.values() for message in messages_)
    return " ".join(refused.messages)
