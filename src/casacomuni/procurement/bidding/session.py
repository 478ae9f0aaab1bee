"""The commission's session: its members and their declarations, the soccorso istruttorio, and the session's
log that the participants follow and the minutes print.

The commission (or seggio di gara) is named before the first envelope is opened, and each member declares no
conflict of interest (art. 16 and art. 93 c.5 D.Lgs. 36/2023). After envelope A the commission may ask an
operator to complete its administrative documents (art. 101: five to ten days, ``rules.integration``); the
request and the answer go through the platform with a timestamped record and an e-mail (art. 29).

The log is read from what the services recorded (the openings, the admissions and exclusions, the requests
and answers) in the Province's audit trail: it is never written apart, so it cannot say something else.
"""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.uploads import is_p7m, is_pdf
from casacomuni.procurement.bidding.models import (
    CommissionMember,
    CommissionRole,
    Envelope,
    IntegrationRequest,
    OnlineBid,
)
from casacomuni.procurement.procedures.models import Bid, BidSource, BidStatus, Procedure
from casacomuni.procurement.procedures.services.bids import drop_evaluation
from casacomuni.procurement.procedures.services.common import ROME, event, locked
from casacomuni.procurement.procedures.services.drafting import oepv_criteria
from casacomuni.procurement.rules import integration

MAX_ANSWER_BYTES = 25 * 1024 * 1024


# --- The commission -----------------------------------------------------------------------------------------


def appoint_member(actor: Actor, procedure: Procedure, name: str, role: str) -> CommissionMember:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter the member's name.")
    if role not in CommissionRole.values:
        errors["role"] = _("Choose the member's role.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        procedure = locked(actor, procedure)
        if procedure.envelope_openings.exists():
            raise ValidationError(_("The commission cannot change once the envelopes are being opened."))
        if role == CommissionRole.PRESIDENT and procedure.commission.filter(role=role).exists():
            raise ValidationError({"role": _("The commission already has a president.")})
        member = CommissionMember.objects.create(procedure=procedure, name=name[:200], role=role)
        event(
            actor,
            procedure,
            "commission.appoint",
            {"member": [None, member.name], "role": [None, member.role]},
        )
    return member


def record_declaration(actor: Actor, member: CommissionMember) -> CommissionMember:
    """The member declared, and the SUA records, no conflict of interest (art. 16) nor cause of art. 93 c.5."""
    with transaction.atomic():
        procedure = locked(actor, member.procedure)
        member = CommissionMember.objects.select_for_update().get(pk=member.pk, procedure=procedure)
        if member.declared_at is None:
            member.declared_at = timezone.now()
            member.save(update_fields=["declared_at"])
            event(actor, procedure, "commission.declaration", {"member": [None, member.name]})
    return member


def commission_problem(procedure: Procedure) -> str | None:
    """Why the commission may not open envelopes yet, or None: it needs a president and every member's
    declaration."""
    members = list(procedure.commission.all())
    if not any(member.role == CommissionRole.PRESIDENT for member in members):
        return _("Name the commission's president before opening the envelopes.")
    if any(member.declared_at is None for member in members):
        return _(
            "Every member of the commission declares no conflict of interest before the envelopes are opened."
        )
    return None


# --- Soccorso istruttorio (art. 101) ------------------------------------------------------------------------


def request_integration(actor: Actor, bid: Bid, text: str, days: int) -> IntegrationRequest:
    """Ask the operator of an online bid, after envelope A is opened and before its admission is decided, to
    complete or correct its administrative documents within ``days`` (5 to 10) days; it is e-mailed."""
    from casacomuni.procurement.bidding.tasks import send_integration_notice

    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write what the operator must complete or correct.")
    problem = integration.term_problem(days)
    if problem:
        errors["days"] = _(problem)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        procedure = locked(actor, bid.lot.procedure)
        bid = Bid.objects.select_for_update().get(pk=bid.pk, lot__procedure=procedure)
        if bid.source != BidSource.ONLINE or bid.status != BidStatus.RECEIVED:
            raise ValidationError(
                _("Documents are asked only of a bid received online whose admission is open.")
            )
        if not procedure.envelope_openings.filter(envelope=Envelope.ADMINISTRATIVE).exists():
            raise ValidationError(_("Open envelope A first."))
        now = timezone.now()
        last_day = integration.answer_deadline(timezone.localdate(now, ROME), days)
        request = IntegrationRequest.objects.create(
            bid=bid,
            text=text,
            deadline=datetime.combine(last_day, time(23, 59, 59), tzinfo=ROME),
            requested_by=actor.user,
        )
        event(actor, procedure, "integration.request", {"days": [None, days]}, obj=bid)
        transaction.on_commit(lambda: send_integration_notice.enqueue(request.pk, "request"))
    return request


def answer_integration(
    actor: Actor, request: IntegrationRequest, answer: str, upload=None
) -> IntegrationRequest:
    """The operator answers by the deadline, with a text and, if it sends one, a PDF or signed .p7m."""
    from casacomuni.procurement.bidding.tasks import send_integration_notice

    operator = tenancy.as_operator(actor.user)
    if operator is None or request.bid.operator_id != operator.pk:
        raise PermissionDenied
    answer = (answer or "").strip()
    if not answer and upload is None:
        raise ValidationError({"answer": _("Write the answer or attach a document.")})
    if upload is not None:
        _check_answer_file(upload)
    with transaction.atomic():
        request = (
            IntegrationRequest.objects.select_for_update()
            .select_related("bid__lot__procedure")
            .get(pk=request.pk)
        )
        if request.answered_at is not None:
            raise ValidationError(_("This request was already answered."))
        if timezone.now() > request.deadline:
            raise ValidationError(_("The term to answer has passed."))
        request.answer, request.answered_at = answer, timezone.now()
        if upload is not None:
            request.answer_file.save(upload.name, upload, save=False)
        request.save()
        procedure = request.bid.lot.procedure
        # In the Province's chain, where the session's log is read: after the deadline names are not secret.
        event(actor, procedure, "integration.answer", {"file": [None, bool(upload)]}, obj=request.bid)
        transaction.on_commit(lambda: send_integration_notice.enqueue(request.pk, "answer"))
    return request


def _check_answer_file(upload) -> None:
    name = upload.name or ""
    if upload.size == 0 or upload.size > MAX_ANSWER_BYTES:
        raise ValidationError({"file": _("%(name)s is empty or larger than 25 MB.") % {"name": name}})
    if not (name.lower().endswith(".pdf") and is_pdf(upload)) and not (
        name.lower().endswith(".p7m") and is_p7m(upload)
    ):
        raise ValidationError({"file": _("%(name)s is not a PDF or a signed .p7m file.") % {"name": name}})


# --- Technical scores of the commissioners (OEPV) -----------------------------------------------------------


def technical_parts(procedure: Procedure) -> list[str]:
    """The parts a commissioner scores: each sub-criterion, or the criterion itself when it has none."""
    return [part.code for criterion in oepv_criteria(procedure.oepv_settings) for part in criterion.parts()]


def score_bid(actor: Actor, bid: Bid, member: CommissionMember, coefficients: dict[str, str]) -> None:
    """Record one commissioner's coefficients (0 to 1, three decimals) for every part of an admitted bid's
    technical offer, once envelope B is open; the evaluation averages them (art. 108, ``rules.oepv``)."""
    with transaction.atomic():
        procedure = locked(actor, bid.lot.procedure)
        bid = Bid.objects.select_for_update().select_related("lot").get(pk=bid.pk, lot__procedure=procedure)
        if not procedure.envelope_openings.filter(envelope=Envelope.TECHNICAL).exists():
            raise ValidationError(_("Open envelope B first."))
        if bid.status != BidStatus.ADMITTED:
            raise ValidationError(_("Only admitted bids are scored."))
        if member.procedure_id != procedure.pk or member.role == CommissionRole.SECRETARY:
            raise ValidationError(_("Only the commission's president and members score the offers."))
        values = _clean_coefficients(technical_parts(procedure), coefficients)
        bid.technical_coefficients.filter(member=member).delete()
        bid.technical_coefficients.bulk_create(
            [
                bid.technical_coefficients.model(bid=bid, member=member, part=part, coefficient=value)
                for part, value in values.items()
            ]
        )
        drop_evaluation(bid.lot)
        event(actor, procedure, "technical.score", {"member": [None, member.name]}, obj=bid)


def _clean_coefficients(parts: list[str], coefficients: dict[str, str]) -> dict[str, Decimal]:
    values, errors = {}, {}
    for part in parts:
        try:
            value = Decimal(str(coefficients.get(part, "")).replace(",", "."))
        except InvalidOperation:
            errors[part] = _("Enter a coefficient from 0 to 1.")
            continue
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
            errors[part] = _("Enter a coefficient from 0 to 1.")
        elif value != value.quantize(Decimal("0.001")):
            errors[part] = _("Enter a coefficient with at most 3 decimal places.")
        else:
            values[part] = value
    if errors:
        raise ValidationError(errors)
    return values


# --- The session's log --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    text: str


LOGGED_ACTIONS = (
    "procedure.open_envelopes",
    "procedure.bid.admit",
    "procedure.bid.exclude",
    "procedure.integration.request",
    "procedure.integration.answer",
    "procedure.commission.appoint",
    "procedure.commission.declaration",
    "procedure.technical.score",
)


def participates(user, procedure: Procedure) -> bool:
    """The SUA of the procedure, or an operator that submitted a bid on it online."""
    if (sua := tenancy.as_sua(user)) is not None:
        return procedure.province_id == sua.pk
    operator = tenancy.as_operator(user)
    return (
        operator is not None
        and OnlineBid.objects.filter(
            lot__procedure=procedure, operator=operator, confirmed_at__isnull=False
        ).exists()
    )


def session_log(procedure: Procedure, *, with_reasons: bool) -> list[LogEntry]:
    """What happened in the session, oldest first, as the participants may read it: the openings, with the
    discounts read in public when envelope C is opened, the admissions and exclusions (their reasons only for
    the SUA: ``with_reasons``), the requests and answers of the soccorso istruttorio. Never a document."""
    bids = {
        str(pk): name
        for pk, name in Bid.objects.filter(lot__procedure=procedure).values_list("pk", "operator__name")
    }
    events = AuditEvent.objects.filter(
        Q(object_type=Procedure._meta.label_lower, object_id=str(procedure.pk))
        | Q(object_type=Bid._meta.label_lower, object_id__in=list(bids)),
        organization_id=procedure.province_id,
        action__in=LOGGED_ACTIONS,
    ).order_by("created_at", "pk")
    return [LogEntry(e.created_at, _entry_text(e, bids, procedure, with_reasons)) for e in events]


def _entry_text(event_row: AuditEvent, bids: dict, procedure: Procedure, with_reasons: bool) -> str:
    changes = event_row.changes
    operator = bids.get(event_row.object_id, "")
    action = event_row.action.removeprefix("procedure.")
    if action == "open_envelopes":
        envelope = changes["envelope"][1]
        text = _("Envelopes %(envelope)s opened.") % {"envelope": envelope}
        if envelope == Envelope.ECONOMIC:
            text += " " + _offers_read(procedure)
        return text
    if action == "bid.admit":
        return _("%(operator)s admitted.") % {"operator": operator}
    if action == "bid.exclude":
        reason = changes.get("exclusion_reason", [None, ""])[1]
        if with_reasons and reason:
            return _("%(operator)s excluded: %(reason)s") % {"operator": operator, "reason": reason}
        return _("%(operator)s excluded.") % {"operator": operator}
    if action == "integration.request":
        return _("%(operator)s asked to complete its documents within %(days)s days (art. 101).") % {
            "operator": operator,
            "days": changes["days"][1],
        }
    if action == "integration.answer":
        return _("%(operator)s answered the request to complete its documents.") % {"operator": operator}
    if action == "technical.score":
        return _("%(member)s scored the technical offer of %(operator)s.") % {
            "member": changes["member"][1],
            "operator": operator,
        }
    if action == "commission.appoint":
        role = changes.get("role", [None, ""])[1]
        return _("Commission: %(member)s appointed as %(role)s.") % {
            "member": changes["member"][1],
            "role": str(CommissionRole(role).label).lower() if role in CommissionRole.values else "",
        }
    return _("Commission: %(member)s declared no conflict of interest.") % {"member": changes["member"][1]}


def _offers_read(procedure: Procedure) -> str:
    """The economic offers read out when envelope C is opened, as in a public session."""
    offers = (
        Bid.objects.filter(lot__procedure=procedure, source=BidSource.ONLINE)
        .exclude(discount_percent=None, price=None)
        .select_related("lot", "operator")
        .order_by("lot__number", "operator__name")
    )
    parts = []
    for bid in offers:
        value = f"{bid.discount_percent}%" if bid.discount_percent is not None else f"€ {bid.price}"
        parts.append(
            _("lot %(lot)s, %(operator)s: %(value)s")
            % {"lot": bid.lot.number, "operator": bid.operator.name, "value": value}
        )
    return "; ".join(parts)


def pending_requests(operator, procedure: Procedure):
    return IntegrationRequest.objects.filter(
        bid__operator=operator, bid__lot__procedure=procedure, answered_at=None, deadline__gte=timezone.now()
    ).select_related("bid__lot")


def requests_of(procedure: Procedure) -> dict[int, list[IntegrationRequest]]:
    """The soccorso istruttorio's requests of the procedure, by bid."""
    grouped: dict[int, list[IntegrationRequest]] = {}
    for request in IntegrationRequest.objects.filter(bid__lot__procedure=procedure).order_by(
        "requested_at", "pk"
    ):
        grouped.setdefault(request.bid_id, []).append(request)
    return grouped
