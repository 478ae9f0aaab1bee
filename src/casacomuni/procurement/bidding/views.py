"""Pages of the online bids. Thin views: the operator's page reads a published lot and only the operator's own
bids (``OnlineBid.objects.for_user``); the SUA's session page reads its Province's procedures. Every write goes
through bidding.services, which checks the role, the deadline and the state again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.lib.uploads import CONTENT_TYPES
from casacomuni.procurement.bidding import forms, receipts
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding import session as session_services
from casacomuni.procurement.bidding.models import (
    CommissionRole,
    DocumentKind,
    Envelope,
    OnlineBid,
    OnlineBidState,
    SealedDocument,
    TechnicalCoefficient,
)
from casacomuni.procurement.bidding.uploads import in_memory_uploads
from casacomuni.procurement.procedures.models import Bid, BidStatus, Criterion, Lot, Procedure
from casacomuni.procurement.procedures.views import refused_message


def operator_lot(request, pk, lot_pk) -> Lot:
    """A lot of a published procedure open to the caller's operator (403 for any other role). In a procedure
    by invitation a lot it is not invited to answers 404, as in the API: as if it did not exist."""
    operator = tenancy.as_operator(request.user)
    if operator is None:
        raise PermissionDenied
    return get_object_or_404(
        Lot.objects.open_to(operator).select_related("procedure__province"),
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
        "integration_requests": list(
            session_services.pending_requests(tenancy.as_operator(request.user), lot.procedure)
        ),
        "answer_form": bound.get("answer") or forms.IntegrationAnswerForm(),
        "takes_part": submitted is not None or any(bid.state == OnlineBidState.REPLACED for bid in bids),
    }
    return render(request, "procurement/bidding/bid.html", context, status=status)


@csrf_exempt  # the upload handler is set before the body is read; csrf_protect below checks the token
@in_memory_uploads
def online_bid_action(request, pk, lot_pk, action):
    return _online_bid_action(request, pk, lot_pk, action)


@csrf_protect
@require_POST
@login_required
def _online_bid_action(request, pk, lot_pk, action):
    lot = operator_lot(request, pk, lot_pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    actor = Actor.from_request(request)
    try:
        # A refused input leaves nothing behind, not even the draft its handler started.
        with transaction.atomic():
            result = handler(request, actor, lot)
            if isinstance(result, dict):
                transaction.set_rollback(True)
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


def render_session(request, procedure, error: str = "", status: int = 200, member_form=None):
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
    integration_requests = session_services.requests_of(procedure)
    for bid in bids:
        bid.requests = integration_requests.get(bid.received_bid_id, []) if bid.received_bid_id else []
    context = {
        "procedure": procedure,
        "envelopes": envelopes,
        "bids": bids,
        "commission": list(procedure.commission.all()),
        "commission_problem": session_services.commission_problem(procedure),
        "member_form": member_form or forms.CommissionMemberForm(),
        "request_form": forms.IntegrationRequestForm(),
        **scoring_context(procedure, bids, set(openings)),
        "opened": set(openings),
        "deadline_passed": procedure.bid_deadline is not None and timezone.now() >= procedure.bid_deadline,
        "server_time": timezone.now(),
        "error": error,
    }
    return render(request, "procurement/bidding/session.html", context, status=status)


def scoring_context(procedure, bids, opened: set) -> dict:
    """The commissioners' technical scores to record, once envelope B is open: per admitted bid, a row per
    scoring member with the coefficients recorded so far."""
    if Envelope.TECHNICAL not in opened:
        return {"scoring": [], "parts": []}
    members = [m for m in procedure.commission.all() if m.role != CommissionRole.SECRETARY]
    admitted = [b for b in bids if b.received_bid and b.received_bid.status == BidStatus.ADMITTED]
    recorded = {
        (c.bid_id, c.member_id, c.part): c.coefficient
        for c in TechnicalCoefficient.objects.filter(bid__in=[b.received_bid for b in admitted])
    }
    parts = session_services.technical_parts(procedure)
    scoring = [
        {
            "bid": bid.received_bid,
            "members": [
                (member, [(part, recorded.get((bid.received_bid_id, member.pk, part))) for part in parts])
                for member in members
            ],
        }
        for bid in admitted
    ]
    return {"scoring": scoring, "parts": parts}


@require_POST
@login_required
def technical_score(request, pk, bid_pk, member_pk):
    procedure = sua_procedure(request, pk)
    bid = get_object_or_404(Bid.objects.filter(lot__procedure=procedure), pk=bid_pk)
    member = get_object_or_404(procedure.commission, pk=member_pk)
    try:
        session_services.score_bid(Actor.from_request(request), bid, member, request.POST.dict())
    except ValidationError as refused:
        return render_session(request, procedure, error=refused_message(refused), status=400)
    messages.success(request, _("The coefficients were recorded."))
    return redirect("procurement:bid_session", pk=pk)


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


@require_POST
@login_required
def commission_add(request, pk):
    procedure = sua_procedure(request, pk)
    form = forms.CommissionMemberForm(request.POST)
    if not form.is_valid():
        return render_session(
            request, procedure, error=_("Please correct the errors below."), status=400, member_form=form
        )
    try:
        session_services.appoint_member(
            Actor.from_request(request), procedure, form.cleaned_data["name"], form.cleaned_data["role"]
        )
    except ValidationError as refused:
        return render_session(
            request, procedure, error=refused_message(refused), status=400, member_form=form
        )
    messages.success(request, _("The member was appointed."))
    return redirect("procurement:bid_session", pk=pk)


@require_POST
@login_required
def commission_declaration(request, pk, member_pk):
    procedure = sua_procedure(request, pk)
    member = get_object_or_404(procedure.commission, pk=member_pk)
    session_services.record_declaration(Actor.from_request(request), member)
    messages.success(request, _("The declaration was recorded."))
    return redirect("procurement:bid_session", pk=pk)


@require_POST
@login_required
def integration_request(request, pk, bid_pk):
    procedure = sua_procedure(request, pk)
    bid = get_object_or_404(Bid.objects.filter(lot__procedure=procedure), pk=bid_pk)
    form = forms.IntegrationRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        session_services.request_integration(
            Actor.from_request(request), bid, form.cleaned_data["text"], form.cleaned_data["days"]
        )
    except ValidationError as refused:
        return render_session(request, procedure, error=refused_message(refused), status=400)
    messages.success(request, _("The request was sent to the operator, with its deadline."))
    return redirect("procurement:bid_session", pk=pk)


@require_POST
@login_required
def integration_answer(request, pk, lot_pk, request_pk):
    lot = operator_lot(request, pk, lot_pk)
    pending = get_object_or_404(
        session_services.pending_requests(tenancy.as_operator(request.user), lot.procedure), pk=request_pk
    )
    form = forms.IntegrationAnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_bid_page(
            request, lot, bound={"answer": form}, error=_("Please correct the errors below."), status=400
        )
    try:
        session_services.answer_integration(
            Actor.from_request(request), pending, form.cleaned_data["answer"], form.cleaned_data.get("file")
        )
    except ValidationError as refused:
        return render_bid_page(
            request, lot, bound={"answer": form}, error=refused_message(refused), status=400
        )
    messages.success(request, _("Your answer was sent to the commission."))
    return redirect("procurement:online_bid", pk=pk, lot_pk=lot_pk)


@login_required
def session_log(request, pk):
    """The session's log: for the SUA and the operators that bid online, read-only, refreshed while open."""
    procedure = get_object_or_404(Procedure.objects.public().select_related("province"), pk=pk)
    if not session_services.participates(request.user, procedure):
        raise PermissionDenied
    sua = tenancy.as_sua(request.user) is not None
    context = {
        "procedure": procedure,
        "entries": session_services.session_log(procedure, with_reasons=sua),
        "sua": sua,
    }
    template = "procurement/bidding/session_log.html"
    if request.headers.get("HX-Request"):
        template += "#log"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def session_minutes(request, pk):
    """The minutes of the session, from its log (PDF): what the commission files."""
    procedure = sua_procedure(request, pk)
    pdf = receipts.session_minutes_pdf(procedure, session_services.session_log(procedure, with_reasons=True))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="verbale-seduta-{procedure.pk}.pdf"'
    return response
