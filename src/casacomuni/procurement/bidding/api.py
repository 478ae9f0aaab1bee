"""API of the online bids (mounted at /api/v1/procurement/bidding): an operator's own software prepares,
submits, replaces and withdraws its bids and fetches its receipts; the SUA follows its opening session.

Operators (their representative's token): ``/bidding/procedures`` lists the procedures taking bids now on a
lot open to them (any lot of an open procedure, only the lots they are invited to in a negotiated one);
``/bidding/lots/{lot_id}/bid`` is their own bid on such a lot. Documents and offers are sealed on arrival: the
answers give their envelope, kind, SHA-256 and size, never their content. The SUA (its administrator and
officers): ``/bidding/procedures/{procedure_id}/session``, the openings and, once the deadline has passed,
the submitted bids with their admission and what each opening found.

Every write goes through ``bidding.services``, which checks the role, the deadline (the server's clock) and
the state again. Errors as problem+json in Italian: 400 invalid or late (the service's message; nothing
changes), 403 a role that may not act, 404 a lot not open to the operator, another operator's document or
receipt, or a procedure of another Province: an operator never learns whether another operator has bid.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import SUA_ROLES
from casacomuni.lib.bounds import MAX_OFFSET
from casacomuni.lib.problems import documented
from casacomuni.procurement.bidding import receipts
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding.models import (
    DocumentKind,
    Envelope,
    GroupingKind,
    OnlineBid,
    OnlineBidState,
    SealedDocument,
)
from casacomuni.procurement.bidding.uploads import in_memory_uploads
from casacomuni.procurement.procedures.models import (
    BidStatus,
    Criterion,
    Lot,
    Procedure,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import ContractKind

router = Router(tags=["online bids"])

# The Italian API guidelines ask every integer to state its format (ruleset rule integer-format).
Int64 = Annotated[int, Field(json_schema_extra={"format": "int64"})]
Int32 = Annotated[int, Field(json_schema_extra={"format": "int32"})]
# A receipt's code, as bidding.services makes it: CDC-<procedure>-<lot number>-<8 hexadecimal digits>.
RECEIPT_CODE = r"^CDC-[0-9]{1,12}-[0-9]{1,5}-[0-9A-F]{8}$"
# A string amount: digits with a dot for the decimals; the services check the range and the decimal places.
AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,10})?$"

ENVELOPE_PATH = Path(..., description="A, then B for quality and price, then C")


def id_path(description: str):
    parameter = Path(..., description=description)
    parameter.json_schema_extra = {"format": "int64"}  # ninja's Path takes no json_schema_extra of its own
    return parameter


# --- Schemas ------------------------------------------------------------------------------------------------


class BiddingPartyOut(Schema):
    """The SUA's Province or a buying Comune of a procedure open to bids, as its notice names them."""

    id: Int64
    name: str
    istat_code: str | None = Field(description="ISTAT code, for a Comune")

    @staticmethod
    def resolve_istat_code(obj):
        return obj.municipality.istat_code if obj.municipality_id else None


class BidderOut(Schema):
    id: Int64
    name: str
    fiscal_code: str


class BiddingLotOut(Schema):
    id: Int64
    number: Int32
    title: str
    cig: str
    cpv: str
    municipality: BiddingPartyOut = Field(description="The buyer")
    base_amount: Decimal = Field(description="Subject to discount")
    safety_costs: Decimal = Field(description="Not subject to discount")


class BiddingProcedureOut(Schema):
    id: Int64
    ocid: str | None
    title: str
    province: BiddingPartyOut = Field(description="The Province whose SUA runs the procedure")
    kind: ContractKind
    procedure_type: ProcedureType
    criterion: Criterion
    bid_deadline: datetime.datetime = Field(description="Nothing is accepted from this moment on")
    lots: list[BiddingLotOut] = Field(description="The lots open to the caller that take bids now")

    @staticmethod
    def resolve_lots(obj):
        return list(obj.lots.all())


class BiddingPageInput(LimitOffsetPagination.Input):
    limit: Int32 = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: Int32 = Field(0, ge=0, le=MAX_OFFSET)


class BiddingPageOutput(LimitOffsetPagination.Output):
    items: list[Any]
    count: Int32
    server_time: datetime.datetime = Field(description="The server's clock, which decides the deadlines")


class BiddingPage(LimitOffsetPagination):
    """The platform's limit/offset pagination (casacomuni.api.pagination, same bounds), with the server's
    time, which decides the deadlines."""

    Input = BiddingPageInput
    Output = BiddingPageOutput

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        return {**page, "server_time": timezone.now()}


class SealedDocumentOut(Schema):
    id: Int64
    envelope: Envelope
    kind: DocumentKind
    sha256: str = Field(description="SHA-256 of the file as received (hexadecimal)")
    size: Int64 = Field(description="Bytes")
    uploaded_at: datetime.datetime


class GroupingMember(Schema):
    name: str = Field(max_length=200)
    fiscal_code: str = Field(max_length=16, description="Partita IVA or codice fiscale")
    role: Literal["lead", "member"] = "member"


class OnlineBidOut(Schema):
    id: Int64
    state: OnlineBidState
    grouping: GroupingKind
    members: list[GroupingMember] = Field(description="The other members of an RTI or consortium")
    created_at: datetime.datetime
    received_at: datetime.datetime | None = Field(description="When it was submitted, to the second")
    ended_at: datetime.datetime | None = Field(description="When it was replaced or withdrawn")
    receipt_code: str | None
    documents: list[SealedDocumentOut] = Field(description="Sealed: their hashes, never their content")

    @staticmethod
    def resolve_received_at(obj):
        return to_the_second(obj.confirmed_at)

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())


class LotBidOut(Schema):
    lot: BiddingLotOut
    procedure_id: Int64
    bid_deadline: datetime.datetime | None
    server_time: datetime.datetime = Field(description="The server's clock, which decides the deadline")
    problem: str | None = Field(description="Why the caller may not bid on the lot now; null if it may")
    draft: OnlineBidOut | None = Field(description="The bid being prepared, if any")
    missing: list[str] = Field(description="What the draft lacks to be submitted")
    submitted: OnlineBidOut | None = Field(description="The submitted bid that counts now, if any")


class ReceiptDocumentOut(Schema):
    envelope: Envelope
    kind: DocumentKind
    sha256: str
    size: Int64


class ReceiptLotOut(Schema):
    id: Int64
    number: Int32
    title: str
    cig: str


class ReceiptProcedureOut(Schema):
    id: Int64
    title: str


class ReceiptOut(Schema):
    code: str = Field(description="The bid's identifier")
    state: OnlineBidState = Field(description="confirmed (it counts), replaced or withdrawn")
    received_at: datetime.datetime = Field(description="The time of receipt, to the second")
    ended_at: datetime.datetime | None
    procedure: ReceiptProcedureOut
    lot: ReceiptLotOut
    documents: list[ReceiptDocumentOut]
    pdf: str = Field(description="Path of the receipt as PDF")

    @staticmethod
    def resolve_code(obj):
        return obj.receipt_code

    @staticmethod
    def resolve_received_at(obj):
        return to_the_second(obj.confirmed_at)

    @staticmethod
    def resolve_procedure(obj):
        return obj.lot.procedure

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())

    @staticmethod
    def resolve_pdf(obj):
        return reverse("api:bidding_receipt_pdf", kwargs={"code": obj.receipt_code})


class EconomicOfferIn(Schema):
    discount_percent: str | None = Field(
        None, pattern=AMOUNT, max_length=30, description='On the base amount, up to 4 decimals: "12.5000"'
    )
    price: str | None = Field(None, pattern=AMOUNT, max_length=30, description='In euro: "125000.00"')
    labour_costs: str | None = Field(
        None, pattern=AMOUNT, max_length=30, description="The company's own, in euro (required, art. 108 c.9)"
    )
    safety_costs: str | None = Field(
        None,
        pattern=AMOUNT,
        max_length=30,
        description="The company's own for health and safety at work, in euro (required, art. 108 c.9)",
    )

    def offer(self) -> bidding.EconomicOffer:
        return bidding.EconomicOffer(
            discount_percent=_decimal(self.discount_percent),
            price=_decimal(self.price),
            labour_costs=_decimal(self.labour_costs),
            safety_costs=_decimal(self.safety_costs),
        )


class GroupingIn(Schema):
    grouping: GroupingKind
    members: list[GroupingMember] = Field(
        default_factory=list, max_length=50, description="The other members (RTI or consortium)"
    )


class OpeningOut(Schema):
    envelope: Envelope
    label: str
    opened_at: datetime.datetime | None
    opened_by: str | None
    problem: str | None = Field(description="Why the envelopes cannot be opened now; null if they can")


class AdmissionOut(Schema):
    bid_id: Int64 = Field(description="The bid the evaluation reads (procedures API)")
    status: BidStatus
    exclusion_reason: str


class FindingOut(Schema):
    intact: bool = Field(description="Every document opened and matched its receipt")
    problems: list[str]


class SessionDocumentOut(Schema):
    id: Int64
    envelope: Envelope
    kind: DocumentKind
    sha256: str
    size: Int64
    opened: bool = Field(description="Its envelope was opened (the SUA reads it on the session page)")


class SessionBidOut(Schema):
    id: Int64
    receipt_code: str
    lot_id: Int64
    lot_number: Int32
    operator: BidderOut
    grouping: GroupingKind
    members: list[GroupingMember]
    received_at: datetime.datetime
    admission: AdmissionOut | None = Field(description="Null until envelope A is opened")
    findings: dict[str, FindingOut] = Field(description="What each opening found, by envelope")
    documents: list[SessionDocumentOut]


class SessionOut(Schema):
    procedure_id: Int64
    title: str
    state: ProcedureState
    criterion: Criterion
    bid_deadline: datetime.datetime | None
    server_time: datetime.datetime
    deadline_passed: bool
    envelopes: list[OpeningOut]
    bids: list[SessionBidOut] | None = Field(
        description="Null before the deadline: until then not even who bid is known (art. 35 c.2)"
    )


def to_the_second(moment: datetime.datetime | None) -> datetime.datetime | None:
    return None if moment is None else moment.replace(microsecond=0)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# --- The operator -------------------------------------------------------------------------------------------


def acting_operator(request):
    """The operator the caller represents; 403 for any other role."""
    operator = tenancy.as_operator(request.user)
    if operator is None:
        raise PermissionDenied
    return operator


def open_lot(request, lot_id: int) -> Lot:
    """A lot open to the caller's operator (404 otherwise, whether or not it exists)."""
    operator = acting_operator(request)
    return get_object_or_404(
        Lot.objects.open_to(operator).select_related("procedure", "municipality__municipality"), pk=lot_id
    )


def own_bids(request, lot: Lot):
    return (
        OnlineBid.objects.for_user(request.user)
        .filter(lot=lot)
        .select_related("lot__procedure")
        .prefetch_related("documents")
    )


def lot_bid(request, lot: Lot) -> dict:
    bids = list(own_bids(request, lot).filter(state__in=(OnlineBidState.DRAFT, OnlineBidState.CONFIRMED)))
    draft = next((bid for bid in bids if bid.state == OnlineBidState.DRAFT), None)
    return {
        "lot": lot,
        "procedure_id": lot.procedure_id,
        "bid_deadline": lot.procedure.bid_deadline,
        "server_time": timezone.now(),
        "problem": bidding.bidding_problem(lot, acting_operator(request)),
        "draft": draft,
        "missing": bidding.missing_parts(draft) if draft else [],
        "submitted": next((bid for bid in bids if bid.state == OnlineBidState.CONFIRMED), None),
    }


@router.get(
    "/bidding/procedures",
    response=list[BiddingProcedureOut],
    summary="Procedures taking bids now on a lot open to me",
    openapi_extra=documented(400),
)
@paginate(BiddingPage)
def list_open_procedures(request):
    """For an operator's representative: open procedures (any operator may bid) and negotiated ones with a lot
    it is invited to, while they take bids; each with those lots only, soonest deadline first."""
    lots = Lot.objects.open_to(acting_operator(request)).taking_bids()
    return (
        Procedure.objects.filter(pk__in=lots.values("procedure"))
        .select_related("province__municipality")
        .prefetch_related(
            Prefetch(
                "lots",
                queryset=lots.select_related("municipality__municipality").order_by("number"),
            )
        )
        .order_by("bid_deadline", "pk")
    )


@router.get(
    "/bidding/lots/{lot_id}/bid",
    response=LotBidOut,
    summary="My bid on a lot: the one being prepared and the one submitted",
    openapi_extra=documented(400, 404),
)
def get_bid(request, lot_id: int = id_path("A lot open to me")):
    """The bid being prepared and the submitted one, with their documents' hashes (never their content), the
    deadline and the server's time, and why the lot does not take a bid from me now, if it does not."""
    return lot_bid(request, open_lot(request, lot_id))


@router.post(
    "/bidding/lots/{lot_id}/bid/documents",
    response={201: SealedDocumentOut},
    summary="Seal a document into an envelope of my bid (multipart: envelope, kind, file)",
    openapi_extra=documented(400, 404),
)
@decorate_view(in_memory_uploads)  # the file stays in memory until it is sealed
def add_document(
    request,
    envelope: Form[Envelope],
    kind: Form[DocumentKind],
    file: File[UploadedFile],
    lot_id: int = id_path("A lot open to me"),
):
    """A PDF, a signed .p7m, or the ESPD (DGUE) as the EU's XML; up to 25 MB. The bid being prepared is
    started if there is none. The answer gives the SHA-256 of the file as received: check it against your
    copy."""
    lot = open_lot(request, lot_id)
    actor = Actor.from_request(request)
    with transaction.atomic():  # a refused file starts no bid
        document = bidding.add_document(actor, bidding.draft_for(actor, lot), envelope, kind, file)
    return Status(201, document)


@router.delete(
    "/bidding/lots/{lot_id}/bid/documents/{document_id}",
    response={204: None},
    summary="Remove a document from the bid being prepared",
    openapi_extra=documented(400, 404),
)
def remove_document(
    request,
    lot_id: int = id_path("A lot open to me"),
    document_id: int = id_path("A document of my bid being prepared"),
):
    """Only from the bid being prepared, before the deadline; a submitted bid is replaced by submitting a new
    one."""
    lot = open_lot(request, lot_id)
    document = get_object_or_404(
        SealedDocument, pk=document_id, bid__in=own_bids(request, lot).filter(state=OnlineBidState.DRAFT)
    )
    bidding.remove_document(Actor.from_request(request), document)
    return Status(204, None)


@router.put(
    "/bidding/lots/{lot_id}/bid/economic-offer",
    response=SealedDocumentOut,
    summary="Seal the economic offer in envelope C (replacing the one sealed before)",
    openapi_extra=documented(400, 404),
)
def set_economic_offer(request, payload: EconomicOfferIn, lot_id: int = id_path("A lot open to me")):
    """The discount (or the price) and the company's own labour and safety costs, as strings with a dot."""
    lot = open_lot(request, lot_id)
    actor = Actor.from_request(request)
    with transaction.atomic():  # a refused offer starts no bid
        return bidding.set_economic_offer(actor, bidding.draft_for(actor, lot), payload.offer())


@router.put(
    "/bidding/lots/{lot_id}/bid/grouping",
    response=OnlineBidOut,
    summary="How I take part: alone, or leading an RTI or consortium whose members I name",
    openapi_extra=documented(400, 404),
)
def set_grouping(request, payload: GroupingIn, lot_id: int = id_path("A lot open to me")):
    """For an RTI or consortium, name the other members with their tax codes; ``single`` clears them."""
    lot = open_lot(request, lot_id)
    actor = Actor.from_request(request)
    members = [member.model_dump() for member in payload.members]
    with transaction.atomic():  # a refused grouping starts no bid
        bid = bidding.set_grouping(actor, bidding.draft_for(actor, lot), payload.grouping, members)
    return own_bids(request, lot).get(pk=bid.pk)


@router.post(
    "/bidding/lots/{lot_id}/bid/submit",
    response=ReceiptOut,
    summary="Submit the bid being prepared: the receipt, received now if complete and in time",
    openapi_extra=documented(400, 404),
)
def submit_bid(request, lot_id: int = id_path("A lot open to me")):
    """The bid submitted before on the lot, if any, is replaced: only the last one counts. The receipt is also
    e-mailed to the operator's representatives."""
    lot = open_lot(request, lot_id)
    draft = own_bids(request, lot).filter(state=OnlineBidState.DRAFT).first()
    if draft is None:
        raise ValidationError(_("There is no bid being prepared to submit."))
    bid = bidding.confirm_bid(Actor.from_request(request), draft)
    return receipt_rows(request).get(pk=bid.pk)


@router.post(
    "/bidding/lots/{lot_id}/bid/withdraw",
    response=OnlineBidOut,
    summary="Withdraw the submitted bid (before the deadline)",
    openapi_extra=documented(400, 404),
)
def withdraw_bid(request, lot_id: int = id_path("A lot open to me")):
    """I no longer take part in the lot, unless I submit a new bid in time; the withdrawn bid keeps its
    receipt."""
    lot = open_lot(request, lot_id)
    submitted = own_bids(request, lot).filter(state=OnlineBidState.CONFIRMED).first()
    if submitted is None:
        raise ValidationError(_("There is no submitted bid to withdraw."))
    bid = bidding.withdraw_bid(Actor.from_request(request), submitted)
    return own_bids(request, lot).get(pk=bid.pk)


def receipt_rows(request):
    """The caller's submitted bids, those replaced and withdrawn since included (each has its receipt)."""
    acting_operator(request)
    return (
        OnlineBid.objects.for_user(request.user)
        .exclude(receipt_code=None)
        .select_related("lot__procedure")
        .prefetch_related("documents")
    )


@router.get(
    "/bidding/receipts",
    response=list[ReceiptOut],
    summary="My receipts, latest first",
    openapi_extra=documented(400),
)
@paginate(BiddingPage)
def list_receipts(request):
    """Every bid I submitted, those replaced or withdrawn since included, with the documents' hashes."""
    return receipt_rows(request).order_by("-confirmed_at", "-pk")


@router.get(
    "/bidding/receipts/{code}.pdf",
    url_name="bidding_receipt_pdf",
    summary="One of my receipts as PDF",
    openapi_extra=documented(
        400,
        404,
        ok={
            200: {
                "description": "The receipt",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    ),
)
def receipt_pdf(request, code: str = Path(..., pattern=RECEIPT_CODE, max_length=40)):
    """The receipt the platform issued when the bid was received: its identifier, the time to the second and
    each document's SHA-256."""
    bid = get_object_or_404(receipt_rows(request), receipt_code=code)
    response = HttpResponse(receipts.receipt_pdf(bid), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(bid)}"'
    return response


# --- The SUA's opening session ------------------------------------------------------------------------------


def sua_procedure(request, procedure_id: int) -> Procedure:
    """A procedure of the caller's SUA (403 for another role, 404 for another Province's procedure)."""
    tenancy.require_role(request.user, *SUA_ROLES)
    return get_object_or_404(Procedure.objects.run_by(request.user), pk=procedure_id)


def session(request, procedure: Procedure) -> dict:
    openings = {
        opening.envelope: opening for opening in procedure.envelope_openings.select_related("opened_by")
    }
    now = timezone.now()
    passed = procedure.bid_deadline is not None and now >= procedure.bid_deadline
    return {
        "procedure_id": procedure.pk,
        "title": procedure.title,
        "state": procedure.state,
        "criterion": procedure.criterion,
        "bid_deadline": procedure.bid_deadline,
        "server_time": now,
        "deadline_passed": passed,
        "envelopes": [
            opening_out(procedure, envelope, openings)
            for envelope in Envelope
            if envelope != Envelope.TECHNICAL or procedure.criterion == Criterion.OEPV
        ],
        "bids": [session_bid(bid, openings) for bid in submitted_bids(request, procedure)]
        if passed
        else None,
    }


def opening_out(procedure: Procedure, envelope: Envelope, openings: dict) -> dict:
    opening = openings.get(envelope.value)
    who = opening.opened_by if opening else None
    return {
        "envelope": envelope.value,
        "label": str(envelope.label),
        "opened_at": opening.opened_at if opening else None,
        "opened_by": (who.get_full_name() or who.get_username()) if who else None,
        "problem": None if opening else bidding.opening_problem(procedure, envelope.value, set(openings)),
    }


def submitted_bids(request, procedure: Procedure):
    """The bids that count, read by the SUA once the deadline has passed (``OnlineBid.objects.for_user``)."""
    return (
        OnlineBid.objects.for_user(request.user)
        .submitted()
        .filter(lot__procedure=procedure)
        .select_related("lot", "operator", "received_bid")
        .prefetch_related("documents")
        .order_by("lot__number", "confirmed_at", "pk")
    )


def session_bid(bid: OnlineBid, openings: dict) -> dict:
    received = bid.received_bid
    return {
        "id": bid.pk,
        "receipt_code": bid.receipt_code,
        "lot_id": bid.lot_id,
        "lot_number": bid.lot.number,
        "operator": bid.operator,
        "grouping": bid.grouping,
        "members": bid.members,
        "received_at": to_the_second(bid.confirmed_at),
        "admission": None
        if received is None
        else {
            "bid_id": received.pk,
            "status": received.status,
            "exclusion_reason": received.exclusion_reason,
        },
        "findings": {
            envelope: opening.findings[str(bid.pk)]
            for envelope, opening in openings.items()
            if str(bid.pk) in opening.findings
        },
        "documents": [
            {
                "id": document.pk,
                "envelope": document.envelope,
                "kind": document.kind,
                "sha256": document.sha256,
                "size": document.size,
                "opened": document.envelope in openings,
            }
            for document in bid.documents.all()
        ],
    }


@router.get(
    "/bidding/procedures/{procedure_id}/session",
    response=SessionOut,
    summary="The opening session of a procedure: envelopes opened and, after the deadline, the bids",
    openapi_extra=documented(400, 404),
)
def get_session(request, procedure_id: int = id_path("A procedure of my SUA")):
    """For the Province's administrator and SUA officers. Before the deadline ``bids`` is null: not even the
    SUA knows who has bid. No document's content is given here."""
    return session(request, sua_procedure(request, procedure_id))


@router.post(
    "/bidding/procedures/{procedure_id}/session/open/{envelope}",
    response=SessionOut,
    summary="Open the envelopes A, B (quality and price only) or C of every submitted bid",
    openapi_extra=documented(400, 404),
)
def open_envelopes(
    request,
    envelope: Envelope = ENVELOPE_PATH,
    procedure_id: int = id_path("A procedure of my SUA"),
):
    """After the deadline, once the bids are closed, in order; each document is checked against the receipt
    (the findings say what did not match). C only once every bid's admission is decided."""
    procedure = sua_procedure(request, procedure_id)
    bidding.open_envelopes(Actor.from_request(request), procedure, envelope)
    return session(request, sua_procedure(request, procedure_id))
