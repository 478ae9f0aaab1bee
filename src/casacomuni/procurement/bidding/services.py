"""Online bids: the operator prepares, confirms, replaces and withdraws; the commission opens the envelopes.

The server's clock decides (art. 25 D.Lgs. 36/2023: the platform records the time of every step): a document,
an offer or a confirmation that arrives after the deadline is refused, whenever its upload started. Every
write runs in one transaction and records an audit event: the operator's steps in the operator's own chain
(before the deadline nobody else may know who bid, art. 35 c.2), the openings in the Province's. A document is
sealed on arrival; nothing here, nor anywhere else, reads one before its envelope is opened (``read_document``).
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.audit.services import record_event
from casacomuni.lib import sealing
from casacomuni.lib.money import parse_euro
from casacomuni.lib.uploads import is_espd_xml, is_p7m, is_pdf
from casacomuni.procurement.bidding import keys
from casacomuni.procurement.bidding.models import (
    ENVELOPE_KINDS,
    DocumentKind,
    Envelope,
    EnvelopeOpening,
    GroupingKind,
    OnlineBid,
    OnlineBidState,
    SealedDocument,
)
from casacomuni.procurement.bidding.session import commission_problem
from casacomuni.procurement.procedures.models import Bid, BidSource, BidStatus, Criterion, Lot, Procedure
from casacomuni.procurement.procedures.services.bids import rome_time
from casacomuni.procurement.procedures.services.common import locked
from casacomuni.procurement.rules import procedure_lifecycle as life

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
# The economic offer is a short text anyone could guess; sealed padded to one length with 128 random bits in it,
# its hash and size reveal nothing (docs/sealing.md, "What sealing does not do").
OFFER_LENGTH = 512
FILE_CHECKS = {".pdf": is_pdf, ".p7m": is_p7m, ".xml": is_espd_xml}


@dataclass(frozen=True, kw_only=True)
class EconomicOffer:
    """What envelope C states (art. 108 c.9: the offer states the company's own labour and safety costs)."""

    discount_percent: Decimal | None = None
    price: Decimal | None = None
    labour_costs: Decimal | None = None
    safety_costs: Decimal | None = None


# --- Who may bid, and when ----------------------------------------------------------------------------------


def bidding_problem(lot: Lot, operator, now=None) -> str | None:
    """Why ``operator`` may not submit a bid on ``lot`` now, or None. Open procedures take any operator of the
    platform; the others only the operators invited to the lot (art. 50 c.2)."""
    procedure = lot.procedure
    now = now or timezone.now()
    if procedure.state != life.BIDS_OPEN:
        return _("The procedure does not take bids now.")
    if procedure.bid_deadline is None or now >= procedure.bid_deadline:
        return _(
            "The deadline for offers (%(deadline)s, Italian time) has passed: nothing is accepted after it."
        ) % {"deadline": rome_time(procedure.bid_deadline) if procedure.bid_deadline else "—"}
    if lot.state != "open":
        return _("This lot does not take bids.")
    if procedure.uses_invitations and not lot.invitations.filter(operator=operator).exists():
        return _("Only the operators invited to this lot may bid.")
    return None


def _require_operator(actor: Actor, bid: OnlineBid | None = None):
    operator = tenancy.as_operator(actor.user)
    if operator is None or (bid is not None and bid.operator_id != operator.pk):
        raise PermissionDenied
    return operator


def _locked_draft(actor: Actor, bid: OnlineBid) -> OnlineBid:
    """The operator's bid in preparation, locked, while the lot still takes it."""
    _require_operator(actor, bid)
    bid = OnlineBid.objects.select_for_update().select_related("lot__procedure").get(pk=bid.pk)
    if bid.state != OnlineBidState.DRAFT:
        raise ValidationError(
            _("This bid was already submitted: start a new one to replace it."), code="state"
        )
    _require_open(bid.lot, bid.operator)
    return bid


def _require_open(lot: Lot, operator) -> None:
    problem = bidding_problem(lot, operator)
    if problem:
        raise ValidationError(problem, code="closed")


def _event(actor: Actor, bid: OnlineBid, action: str, changes: dict) -> None:
    # The operator's own chain: the SUA, which reads the Province's, must not learn who bids before the deadline.
    record_event(actor, f"online_bid.{action}", obj=bid, changes=changes, organization=bid.operator)


# --- Preparing a bid ----------------------------------------------------------------------------------------


def draft_for(actor: Actor, lot: Lot) -> OnlineBid:
    """The operator's bid in preparation on ``lot``, started if there is none."""
    operator = _require_operator(actor)
    lot = Lot.objects.select_related("procedure").get(
        pk=lot.pk
    )  # the deadline as it is now, not as read before
    _require_open(lot, operator)
    with transaction.atomic():
        draft, created = OnlineBid.objects.get_or_create(
            lot=lot, operator=operator, state=OnlineBidState.DRAFT, defaults={"created_by": actor.user}
        )
        if created:
            _event(actor, draft, "start", {"lot": [None, lot.pk]})
    return draft


def add_document(actor: Actor, bid: OnlineBid, envelope: str, kind: str, upload) -> SealedDocument:
    """Seal an uploaded file into an envelope of the bid: a PDF, a signed .p7m, or the ESPD as XML."""
    _check_document(bid, envelope, kind, upload)
    content = upload.read()
    upload.seek(0)
    with transaction.atomic():
        bid = _locked_draft(actor, bid)
        document = _seal(bid, envelope, kind, upload.name, content)
        _event(
            actor,
            bid,
            "document",
            {"envelope": [None, envelope], "kind": [None, kind], "sha256": [None, document.sha256]},
        )
    return document


def remove_document(actor: Actor, document: SealedDocument) -> None:
    with transaction.atomic():
        bid = _locked_draft(actor, document.bid)
        document = SealedDocument.objects.get(pk=document.pk, bid=bid)
        _event(actor, bid, "document_removed", {"sha256": [document.sha256, None]})
        _delete_on_commit(document)


def _delete_on_commit(document: SealedDocument) -> None:
    """Delete the row now and its file once the deletion is committed (a rollback keeps both)."""
    storage, stored = document.sealed_file.storage, document.sealed_file.name or ""
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def set_economic_offer(actor: Actor, bid: OnlineBid, offer: EconomicOffer) -> SealedDocument:
    """Seal the economic offer of envelope C, replacing the one sealed before (the bid is still a draft)."""
    offer = _clean_offer(bid, offer)
    payload = json.dumps(
        {
            "discount_percent": _text(offer.discount_percent),
            "price": _text(offer.price),
            "labour_costs": _text(offer.labour_costs),
            "safety_costs": _text(offer.safety_costs),
            "nonce": secrets.token_hex(16),
        }
    ).encode()
    with transaction.atomic():
        bid = _locked_draft(actor, bid)
        for previous in bid.documents.filter(kind=DocumentKind.ECONOMIC_OFFER):
            _delete_on_commit(previous)
        document = _seal(
            bid,
            Envelope.ECONOMIC,
            DocumentKind.ECONOMIC_OFFER,
            "offerta-economica.json",
            payload.ljust(OFFER_LENGTH),
        )
        _event(actor, bid, "economic_offer", {"sha256": [None, document.sha256]})
    return document


def set_grouping(actor: Actor, bid: OnlineBid, grouping: str, members: list[dict]) -> OnlineBid:
    """How the operator takes part: alone, or as the lead of an RTI or consortium whose members it names."""
    if grouping not in GroupingKind.values:
        raise ValidationError({"grouping": _("Choose how the operator takes part.")})
    members = _clean_members(grouping, members)
    with transaction.atomic():
        bid = _locked_draft(actor, bid)
        _event(
            actor, bid, "grouping", {"grouping": [bid.grouping, grouping], "members": [bid.members, members]}
        )
        bid.grouping, bid.members = grouping, members
        bid.save(update_fields=["grouping", "members"])
    return bid


# --- Submitting, replacing, withdrawing ---------------------------------------------------------------------


def missing_parts(bid: OnlineBid) -> list[str]:
    """What the bid still lacks to be submitted, in the operator's words."""
    kinds = {(document.envelope, document.kind) for document in bid.documents.all()}
    missing = []
    if (Envelope.ADMINISTRATIVE, DocumentKind.ESPD) not in kinds:
        missing.append(_("the ESPD (DGUE) in envelope A"))
    if (
        bid.lot.procedure.criterion == Criterion.OEPV
        and (Envelope.TECHNICAL, DocumentKind.TECHNICAL_OFFER) not in kinds
    ):
        missing.append(_("the technical offer in envelope B"))
    if (Envelope.ECONOMIC, DocumentKind.ECONOMIC_OFFER) not in kinds:
        missing.append(_("the economic offer in envelope C"))
    return missing


def confirm_bid(actor: Actor, bid: OnlineBid) -> OnlineBid:
    """Submit the bid: received now, if complete and before the deadline. A bid submitted before on the lot is
    replaced (only the last one counts; every one stays in the trail). The receipt is e-mailed once committed."""
    from casacomuni.procurement.bidding.tasks import send_receipt

    with transaction.atomic():
        bid = _locked_draft(actor, bid)
        missing = missing_parts(bid)
        if missing:
            raise ValidationError(
                _("The bid is not complete: add %(missing)s.") % {"missing": "; ".join(missing)},
                code="incomplete",
            )
        now = timezone.now()
        previous = (
            OnlineBid.objects.select_for_update()
            .filter(lot=bid.lot, operator=bid.operator, state=OnlineBidState.CONFIRMED)
            .first()
        )
        if previous is not None:
            previous.state, previous.ended_at = OnlineBidState.REPLACED, now
            previous.save(update_fields=["state", "ended_at"])
            _event(actor, previous, "replace", {"state": [OnlineBidState.CONFIRMED, OnlineBidState.REPLACED]})
        bid.state, bid.confirmed_at = OnlineBidState.CONFIRMED, now
        bid.receipt_code = _receipt_code(bid)
        bid.save(update_fields=["state", "confirmed_at", "receipt_code"])
        _event(
            actor, bid, "confirm", {"receipt": [None, bid.receipt_code], "documents": [None, _hashes(bid)]}
        )
        # Queued in the same transaction (the tasks' database backend), not on commit: a crash between the
        # commit and the queueing would leave a submitted bid whose receipt is never e-mailed.
        send_receipt.enqueue(bid.pk)
    return bid


def withdraw_bid(actor: Actor, bid: OnlineBid) -> OnlineBid:
    """Withdraw a submitted bid before the deadline: the operator no longer takes part (unless it bids again)."""
    _require_operator(actor, bid)
    with transaction.atomic():
        bid = OnlineBid.objects.select_for_update().select_related("lot__procedure").get(pk=bid.pk)
        if bid.state != OnlineBidState.CONFIRMED:
            raise ValidationError(_("Only a submitted bid can be withdrawn."), code="state")
        _require_open(bid.lot, bid.operator)
        bid.state, bid.ended_at = OnlineBidState.WITHDRAWN, timezone.now()
        bid.save(update_fields=["state", "ended_at"])
        _event(actor, bid, "withdraw", {"state": [OnlineBidState.CONFIRMED, OnlineBidState.WITHDRAWN]})
    return bid


# --- The commission opens the envelopes ---------------------------------------------------------------------

# What must have happened before an envelope is opened: A first; B (OEPV) after A; C after A (and B).
OPENING_ORDER: dict[str, tuple[str, ...]] = {
    Envelope.ADMINISTRATIVE: (),
    Envelope.TECHNICAL: (Envelope.ADMINISTRATIVE,),
    Envelope.ECONOMIC: (Envelope.ADMINISTRATIVE, Envelope.TECHNICAL),
}


def opening_problem(procedure: Procedure, envelope: str, opened: set[str], now=None) -> str | None:
    """Why the envelopes ``envelope`` of ``procedure`` cannot be opened now, or None."""
    now = now or timezone.now()
    if procedure.bid_deadline is None or now < procedure.bid_deadline:
        return _("The envelopes are opened only after the deadline for offers.")
    if procedure.state not in (life.BIDS_CLOSED, life.EVALUATION):
        return _("Close the bids before opening the envelopes.")
    if envelope in opened:
        return _("These envelopes were already opened.")
    if (problem := commission_problem(procedure)) is not None:
        return problem
    if envelope == Envelope.TECHNICAL and procedure.criterion != Criterion.OEPV:
        return _("Only a procedure awarded on quality and price has technical offers.")
    if any(e not in opened for e in OPENING_ORDER[envelope] if _needs(procedure, e)):
        return _("Open the envelopes in order: A, then B for quality and price, then C.")
    if (
        envelope == Envelope.ECONOMIC
        and Bid.objects.filter(
            lot__procedure=procedure, source=BidSource.ONLINE, status=BidStatus.RECEIVED
        ).exists()
    ):
        return _("Decide the admission of every bid before opening the economic offers.")
    return None


def _needs(procedure: Procedure, envelope: str) -> bool:
    return envelope != Envelope.TECHNICAL or procedure.criterion == Criterion.OEPV


def open_envelopes(actor: Actor, procedure: Procedure, envelope: str) -> EnvelopeOpening:
    """Open every submitted bid's envelopes ``envelope``, checking each document against its receipt.

    Envelope A: each submitted bid becomes a received ``Bid`` of its lot (admitted or excluded next, as any
    bid); a bid whose documents do not match their receipt is excluded with the reason. Envelope C: the
    economic offers of the admitted bids are read into their ``Bid`` (the excluded ones stay sealed).
    """
    if envelope not in Envelope.values:
        raise ValidationError(_("Choose envelope A, B or C."))
    with transaction.atomic():
        procedure = locked(actor, procedure)
        opened = set(procedure.envelope_openings.values_list("envelope", flat=True))
        problem = opening_problem(procedure, envelope, opened)
        if problem:
            raise ValidationError(problem, code="order")
        opening = EnvelopeOpening.objects.create(procedure=procedure, envelope=envelope, opened_by=actor.user)
        opening.findings = _OPENERS[envelope](actor, procedure, opening)
        opening.save(update_fields=["findings"])
        record_event(
            actor,
            "procedure.open_envelopes",
            obj=procedure,
            changes={"envelope": [None, envelope], "findings": [None, opening.findings]},
            organization=procedure.province,
        )
    return opening


def _open_administrative(actor: Actor, procedure: Procedure, opening: EnvelopeOpening) -> dict:
    findings = {}
    for bid in _submitted(procedure):
        problems = _integrity_problems(bid, Envelope.ADMINISTRATIVE)
        received = Bid.objects.create(
            lot=bid.lot,
            operator=bid.operator,
            received_at=bid.confirmed_at,
            source=BidSource.ONLINE,
            recorded_by=actor.user,
            status=BidStatus.EXCLUDED if problems else BidStatus.RECEIVED,
            exclusion_reason="; ".join(problems),
        )
        bid.received_bid = received
        bid.save(update_fields=["received_bid"])
        findings[str(bid.pk)] = {"receipt": bid.receipt_code, "intact": not problems, "problems": problems}
    return findings


def _open_technical(actor: Actor, procedure: Procedure, opening: EnvelopeOpening) -> dict:
    # The commission reads the technical offers of the admitted bids and scores them (as before, one total).
    findings = {}
    for bid in _submitted(procedure).filter(received_bid__status=BidStatus.ADMITTED):
        problems = _integrity_problems(bid, Envelope.TECHNICAL)
        findings[str(bid.pk)] = {"receipt": bid.receipt_code, "intact": not problems, "problems": problems}
    return findings


def _open_economic(actor: Actor, procedure: Procedure, opening: EnvelopeOpening) -> dict:
    findings = {}
    for bid in _submitted(procedure).filter(received_bid__status=BidStatus.ADMITTED):
        problems = _integrity_problems(bid, Envelope.ECONOMIC)
        received = bid.received_bid
        if problems:
            received.status, received.exclusion_reason = BidStatus.EXCLUDED, "; ".join(problems)
        else:
            offer = json.loads(_economic_payload(bid))
            received.discount_percent = _decimal(offer["discount_percent"])
            received.price = _decimal(offer["price"])
        received.save()
        findings[str(bid.pk)] = {"receipt": bid.receipt_code, "intact": not problems, "problems": problems}
    return findings


_OPENERS: dict[str, Callable[[Actor, Procedure, EnvelopeOpening], dict]] = {
    Envelope.ADMINISTRATIVE: _open_administrative,
    Envelope.TECHNICAL: _open_technical,
    Envelope.ECONOMIC: _open_economic,
}


def read_document(user, document: SealedDocument) -> tuple[str, bytes]:
    """The name and content of a document, for the SUA of its procedure once its envelope has been opened.

    Raises:
        PermissionDenied: anybody else, or before the opening (the SUA's administrator included).
        sealing.TamperedEnvelope: the document does not match what was sealed.
    """
    procedure = document.bid.lot.procedure
    sua = tenancy.as_sua(user)
    if sua is None or procedure.province_id != sua.pk:
        raise PermissionDenied
    if not procedure.envelope_openings.filter(envelope=document.envelope).exists():
        raise PermissionDenied
    if document.kind == DocumentKind.ECONOMIC_OFFER or document.bid.state != OnlineBidState.CONFIRMED:
        raise PermissionDenied
    return _unseal(document)


# --- Sealing and unsealing ----------------------------------------------------------------------------------


def _seal(bid: OnlineBid, envelope: str, kind: str, name: str, content: bytes) -> SealedDocument:
    key = keys.key_of(bid.lot.procedure)
    document = SealedDocument.objects.create(
        bid=bid, envelope=envelope, kind=kind, sha256=hashlib.sha256(content).hexdigest(), size=len(content)
    )
    packed = _pack(name, content)
    sealed = sealing.seal(packed, bytes(key.public_key), document.context())
    document.sealed_file.save(f"{document.pk}.sealed", ContentFile(sealed.to_bytes()), save=True)
    return document


def _unseal(document: SealedDocument) -> tuple[str, bytes]:
    key = keys.key_of(document.bid.lot.procedure)
    with document.sealed_file.open("rb") as stored:
        sealed = sealing.SealedEnvelope.from_bytes(stored.read())
    payload = sealing.open_envelope(
        sealed,
        sealing.WrappedPrivateKey.from_bytes(key.wrapped_private_key),
        keys.kek_ring(),
        document.context(),
        key_context=keys.procedure_context(key.procedure_id),
    )
    name, content = _unpack(payload)
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise sealing.TamperedEnvelope("The document does not match its receipt's SHA-256.")
    return name, content


def _pack(name: str, content: bytes) -> bytes:
    encoded = name.encode()[:1000]
    return len(encoded).to_bytes(2, "big") + encoded + content


def _unpack(payload: bytes) -> tuple[str, bytes]:
    length = int.from_bytes(payload[:2], "big")
    return payload[2 : 2 + length].decode(errors="replace"), payload[2 + length :]


def _integrity_problems(bid: OnlineBid, envelope: str) -> list[str]:
    """What does not match in the bid's documents of ``envelope``: each must open, match its own SHA-256 and
    the one the confirmation recorded in the audit trail (a document swapped in the database is found)."""
    receipt = _receipt_hashes(bid)
    problems = []
    for document in bid.documents.filter(envelope=envelope):
        try:
            _unseal(document)
        except (sealing.SealingError, OSError):
            problems.append(
                _("%(kind)s does not open or does not match what was sealed.")
                % {"kind": document.get_kind_display()}
            )
            continue
        if document.sha256 not in receipt:
            problems.append(
                _("%(kind)s is not the document of the receipt.") % {"kind": document.get_kind_display()}
            )
    return problems


def _receipt_hashes(bid: OnlineBid) -> set[str]:
    event = AuditEvent.objects.filter(
        organization_id=bid.operator_id,
        object_type=OnlineBid._meta.label_lower,
        object_id=str(bid.pk),
        action="online_bid.confirm",
    ).first()
    if event is None:
        return set()
    return {row["sha256"] for row in event.changes.get("documents", [None, []])[1]}


def _economic_payload(bid: OnlineBid) -> bytes:
    document = bid.documents.get(kind=DocumentKind.ECONOMIC_OFFER)
    return _unseal(document)[1].rstrip()


# --- Input checks -------------------------------------------------------------------------------------------


def _check_document(bid: OnlineBid, envelope: str, kind: str, upload) -> None:
    if envelope not in Envelope.values or kind not in ENVELOPE_KINDS.get(envelope, ()):
        raise ValidationError({"kind": _("Choose the envelope and the kind of document.")})
    if kind == DocumentKind.ECONOMIC_OFFER:
        raise ValidationError({"kind": _("The economic offer is typed in its form, not uploaded.")})
    if envelope == Envelope.TECHNICAL and bid.lot.procedure.criterion != Criterion.OEPV:
        raise ValidationError({"kind": _("This procedure has no technical offers (lowest price).")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = upload.name or ""
    if upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("%(name)s is larger than 25 MB.") % {"name": name}})
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    check = FILE_CHECKS.get(extension)
    if check is None or not check(upload):
        raise ValidationError(
            {"file": _("%(name)s is not a PDF, a signed .p7m file or an ESPD in XML.") % {"name": name}}
        )
    if extension == ".xml" and kind != DocumentKind.ESPD:
        raise ValidationError(
            {"file": _("Only the ESPD (DGUE) is accepted as XML; upload the others as PDF or .p7m.")}
        )


def _clean_offer(bid: OnlineBid, offer: EconomicOffer) -> EconomicOffer:
    errors = {}
    discount = offer.discount_percent
    if discount is not None and (not discount.is_finite() or not Decimal("0") <= discount < Decimal("100")):
        errors["discount_percent"] = _("Enter a discount from 0 to 99.9999.")
    elif discount is not None and discount != discount.quantize(Decimal("0.0001")):
        errors["discount_percent"] = _("Enter a discount with at most 4 decimal places.")
    prices = {}
    for name in ("price", "labour_costs", "safety_costs"):
        try:
            prices[name] = parse_euro(getattr(offer, name))
        except ValidationError as error:
            errors[name] = error.messages[0]
    if (
        bid.lot.procedure.criterion == Criterion.LOWEST_PRICE
        and discount is None
        and prices.get("price") is None
    ):
        errors["discount_percent"] = _("Enter the discount or the price offered.")
    for name in ("labour_costs", "safety_costs"):
        if name not in errors and prices.get(name) is None:
            errors[name] = _(
                "State this cost: the law asks the offer to state it (art. 108 c.9 D.Lgs. 36/2023)."
            )
    if errors:
        raise ValidationError(errors)
    return EconomicOffer(discount_percent=discount, **prices)


def _clean_members(grouping: str, members: list[dict]) -> list[dict]:
    if grouping == GroupingKind.SINGLE:
        return []
    cleaned = []
    for member in members:
        name, code = (member.get("name") or "").strip(), (member.get("fiscal_code") or "").strip()
        if name or code:
            if not (name and code):
                raise ValidationError({"members": _("Give the name and the tax code of each member.")})
            cleaned.append(
                {"name": name[:200], "fiscal_code": code[:16], "role": member.get("role") or "member"}
            )
    if not cleaned:
        raise ValidationError({"members": _("Name the other members of the grouping.")})
    return cleaned


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    try:
        return None if value is None else Decimal(value)
    except InvalidOperation:
        return None


def _hashes(bid: OnlineBid) -> list[dict]:
    return [
        {
            "envelope": document.envelope,
            "kind": document.kind,
            "sha256": document.sha256,
            "size": document.size,
        }
        for document in bid.documents.all()
    ]


def _receipt_code(bid: OnlineBid) -> str:
    return f"CDC-{bid.lot.procedure_id}-{bid.lot.number}-{secrets.token_hex(4).upper()}"


def _submitted(procedure: Procedure):
    return (
        OnlineBid.objects.submitted()
        .filter(lot__procedure=procedure)
        .select_related("lot", "operator", "received_bid")
        .order_by("lot__number", "confirmed_at", "pk")
    )


# --- Housekeeping -------------------------------------------------------------------------------------------

ORPHAN_AGE = timedelta(days=1)


def purge_orphan_sealed_files(now: datetime | None = None) -> int:
    """Delete the sealed files that no document names, written more than a day ago. A worker killed between
    writing a document's sealed file and committing its row leaves one behind: harmless, since it opens only
    with the procedure's key and its own context, but useless. The day spares the uploads still in flight.
    Returns how many were deleted."""
    storage = SealedDocument._meta.get_field("sealed_file").storage
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    removed = 0
    for folder in _folders_under(storage, "sealed"):
        names = storage.listdir(folder)[1]
        known = set(
            SealedDocument.objects.filter(sealed_file__startswith=f"{folder}/").values_list(
                "sealed_file", flat=True
            )
        )
        for name in (f"{folder}/{file}" for file in names):
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed


def _folders_under(storage, folder: str):
    """``folder`` and every folder below it (one per year: ``lib.storage.private_upload_to``)."""
    if not storage.exists(folder):
        return
    yield folder
    for inner in storage.listdir(folder)[0]:
        yield from _folders_under(storage, f"{folder}/{inner}")
