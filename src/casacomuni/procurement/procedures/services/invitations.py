"""Invitations of operators to negotiated procedures (art. 50 c.2), with the rotation rule (art. 49)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.procurement.procedures.models import (
    Invitation,
    Lot,
    LotState,
    Procedure,
)
from casacomuni.procurement.procedures.services.common import event, locked, require_state
from casacomuni.procurement.register.models import (
    RegisteredOperator,
    RegistrationState,
)
from casacomuni.procurement.requests.models import ContractKind
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.rules import rotation

# --- Invitations (art. 50 c.2, rotation art. 49) ------------------------------------------------------------


def lot_band(lot: Lot, kind: str) -> int:
    return rotation.band_of(lot.total_amount, rotation.family_of(kind))


def lot_category(lot: Lot, kind: str) -> str:
    if lot.category:
        return lot.category
    return "" if kind == ContractKind.WORKS else lot.cpv[:5]


def _outgoing_for(procedure: Procedure, lot: Lot) -> int | None:
    """The outgoing contractor (art. 49 c.2-c.3): the latest award by this SUA in the lot's category and band,
    other procedures only."""
    category = lot_category(lot, procedure.kind)
    if not category:
        return None
    family = rotation.family_of(procedure.kind)
    awarded = (
        Lot.objects.filter(
            procedure__province_id=procedure.province_id,
            state=LotState.AWARDED,
            awarded_operator__isnull=False,
            award_date__isnull=False,
        )
        .filter(Q(category=category) | Q(category="", cpv__startswith=category))
        .exclude(procedure=procedure)
        .only(
            "pk",
            "awarded_operator_id",
            "award_date",
            "base_amount",
            "safety_costs",
            "options_amount",
            "procedure__kind",
        )
        .select_related("procedure")
    )
    past = [
        rotation.PastAward(
            str(other.awarded_operator_id),
            category,
            rotation.band_of(other.total_amount, rotation.family_of(other.procedure.kind)),
            other.award_date,
            f"{other.pk:012d}",
        )
        for other in awarded
        # award_date is never None here (the query excludes it); the check says so to the type checker
        if rotation.family_of(other.procedure.kind) == family and other.award_date is not None
    ]
    outgoing = rotation.outgoing_contractor(past, category, lot_band(lot, procedure.kind))
    return int(outgoing) if outgoing else None


def candidates(procedure: Procedure, lot: Lot) -> list[dict]:
    """Approved entries of the SUA's albo in the lot's category (a SOA category with a class covering the amount
    for works; a CPV group or code otherwise), with counters of previous invitations and awards by this SUA in
    the category, the outgoing contractor flagged. A fixed number of queries, whatever the albo's size."""
    category = lot_category(lot, procedure.kind)
    albo = RegisteredOperator.objects.filter(
        province_id=procedure.province_id, state=RegistrationState.APPROVED
    )
    if category:
        albo = albo.in_category(category if procedure.kind == ContractKind.WORKS else lot.cpv)
    entries = list(albo.select_related("operator").prefetch_related("categories"))
    operator_ids = [entry.operator_id for entry in entries]
    invitation_counts = dict(
        Invitation.objects.filter(procedure__province_id=procedure.province_id, operator_id__in=operator_ids)
        .filter(Q(lot__category=category) | Q(lot__cpv__startswith=category) if category else Q())
        .values("operator_id")
        .annotate(n=Count("pk"))
        .values_list("operator_id", "n")
    )
    award_counts = dict(
        Lot.objects.filter(procedure__province_id=procedure.province_id, awarded_operator_id__in=operator_ids)
        .filter(Q(category=category) | Q(cpv__startswith=category) if category else Q())
        .values("awarded_operator_id")
        .annotate(n=Count("pk"))
        .values_list("awarded_operator_id", "n")
    )
    invited = set(lot.invitations.values_list("operator_id", flat=True))
    outgoing = _outgoing_for(procedure, lot)
    amount = lot.total_amount
    rows = []
    for entry in entries:
        if procedure.kind == ContractKind.WORKS and category:
            classes = [c.soa_class for c in entry.categories.all() if c.code == category]
            if not any(rotation.soa_class_covers(soa_class, amount) for soa_class in classes):
                continue
        rows.append(
            rotation.Candidate(
                str(entry.operator_id),
                entry.operator.name,
                invitation_counts.get(entry.operator_id, 0),
                award_counts.get(entry.operator_id, 0),
            )
        )
    by_id = {str(entry.operator_id): entry for entry in entries}
    return [
        {
            "entry": by_id[c.operator],
            "operator_id": int(c.operator),
            "name": c.name,
            "invitations": c.invitations,
            "awards": c.awards,
            "outgoing": outgoing is not None and int(c.operator) == outgoing,
            "invited": int(c.operator) in invited,
        }
        for c in rotation.order_candidates(rows)
    ]


def _rotation_procedure(procedure: Procedure) -> str:
    return rotation.DIRECT_AWARD if procedure.procedure_type == procs.DIRECT_AWARD else rotation.NEGOTIATED


@transaction.atomic
def invite_operator(
    actor: Actor,
    lot: Lot,
    operator_id: int,
    reason: str,
    exception_reason: str = "",
    unlimited_survey: bool = False,
) -> Invitation:
    """Invite an operator of the albo to a lot, with the reasons for the choice (art. 50 c.2); the outgoing
    contractor only with a motivated exception (art. 49 c.4)."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    if not procedure.uses_invitations:
        raise ValidationError(
            _("Invitations belong to negotiated procedures and direct awards."), code="state"
        )
    require_state(procedure, life.DRAFT, life.PUBLISHED, message=_("Operators are invited before bids open."))
    reason = (reason or "").strip()
    exception_reason = (exception_reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why this operator is chosen: the reasons are published.")})
    rows = {row["operator_id"]: row for row in candidates(procedure, lot)}
    row = rows.get(int(operator_id))
    if row is None:
        raise ValidationError(
            {"operator": _("The operator is not an approved entry of the albo in this lot's category.")}
        )
    if row["invited"]:
        raise ValidationError({"operator": _("This operator is already invited to the lot.")})
    outgoing = _outgoing_for(procedure, lot)
    verdict = rotation.check_invitation(
        str(operator_id),
        str(outgoing) if outgoing else None,
        procedure=_rotation_procedure(procedure),
        amount=lot.total_amount,
        unlimited_survey=unlimited_survey,
        exception_reason=exception_reason,
    )
    if not verdict.allowed:
        raise ValidationError({"exception_reason": _(verdict.message) % verdict.params})
    invitation = Invitation.objects.create(
        procedure=procedure,
        lot=lot,
        operator_id=operator_id,
        registration=row["entry"],
        reason=reason,
        invited_by=actor.user,
        rotation_exception=verdict.outgoing and verdict.needs_exception,
        exception_reason=exception_reason if verdict.outgoing else "",
        invitations_before=row["invitations"],
        awards_before=row["awards"],
    )
    event(
        actor,
        procedure,
        "invite",
        {
            "operator": [None, operator_id],
            "reason": [None, reason],
            "rotation": [None, verdict.article],
            "exception_reason": [None, invitation.exception_reason],
        },
        obj=invitation,
    )
    return invitation
