"""Write operations of the agreements app, and the gate other pillars ask before they act for a Comune.

Every function checks the actor's role and scope, runs in one transaction and records an audit event
in the chain of the organisation concerned.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements.models import Adhesion, Agreement, AgreementState, JoinRequest, Service, Transition
from casacomuni.agreements.rules import costs, lifecycle
from casacomuni.audit.services import record_event

PROVINCE_MANAGERS = (Role.PROVINCE_ADMIN,)
MUNICIPALITY_ROLES = (Role.MUNICIPALITY_REFERENT,)


class AdhesionRequired(PermissionDenied):
    """Raised by the gate: the Comune has no active adhesion to the service on that date."""


def _acting_province(actor: Actor) -> Organization:
    tenancy.require_role(actor.user, *PROVINCE_MANAGERS)
    return actor.require_organization()


SERVICE_FIELDS = (
    "kind",
    "name",
    "description",
    "delegated_functions",
    "cost_model",
    "cost_amount",
    "cost_minimum",
    "cost_maximum",
    "standard_clauses",
    "is_published",
)


@dataclass(frozen=True, kw_only=True)
class ServiceData:
    """A service of the Province's catalogue as the officer enters it: a save sets every field."""

    kind: str
    name: str
    description: str
    delegated_functions: list[int] = field(default_factory=list)
    cost_model: str
    cost_amount: Decimal
    cost_minimum: Decimal | None = None
    cost_maximum: Decimal | None = None
    standard_clauses: str = ""
    is_published: bool = False


def save_service(actor: Actor, data: ServiceData, service: Service | None = None) -> Service:
    """Create or change a service of the acting Province's catalogue."""
    province = _acting_province(actor)
    if service is not None and service.province_id != province.pk:
        raise PermissionDenied
    with transaction.atomic():
        before = {name: getattr(service, name) for name in SERVICE_FIELDS} if service else {}
        service = service or Service(province=province)
        for name in SERVICE_FIELDS:
            setattr(service, name, getattr(data, name))
        service.full_clean()
        service.save()
        changes = {
            n: [before.get(n), getattr(service, n)]
            for n in SERVICE_FIELDS
            if before.get(n) != getattr(service, n)
        }
        record_event(actor, "service.save", service, changes, organization=province)
    return service


@dataclass
class AgreementDraft:
    """The clauses of an agreement as the Province drafts them from its standard model."""

    title: str
    legal_basis: str
    object: str
    governance: str
    data_protection: str
    disputes: str
    start_date: date
    end_date: date
    rup_keeper: str = Agreement.RupKeeper.MUNICIPALITY
    max_renewals: int = 1
    notice_days: int = 180
    services: list[Service] = field(default_factory=list)


def create_agreements(
    actor: Actor, draft: AgreementDraft, municipalities: list[Organization]
) -> list[Agreement]:
    """Send one draft to one or many Comuni (or Unioni) of the Province: one agreement each."""
    province = _acting_province(actor)
    if not municipalities:
        raise ValidationError(_("Choose at least one Comune or Unione."), code="parties")
    if not draft.services:
        raise ValidationError(_("Choose at least one service."), code="services")
    if draft.end_date < draft.start_date:
        raise ValidationError(_("The end date cannot come before the start date."), code="dates")
    for party in municipalities:
        if (
            party.kind not in (OrganizationKind.MUNICIPALITY, OrganizationKind.UNION)
            or party.province_id != province.province_id
        ):
            raise ValidationError(
                _("%(name)s is not a Comune or Unione of your province.") % {"name": party}, code="scope"
            )
    if any(service.province_id != province.pk for service in draft.services):
        raise ValidationError(_("Only the services of your own catalogue can be agreed."), code="services")
    for party in municipalities:
        _refuse_overlap(party, [s.pk for s in draft.services], (draft.start_date, draft.end_date))
    clauses = {k: v for k, v in draft.__dict__.items() if k != "services"}
    with transaction.atomic():
        agreements = []
        for party in municipalities:
            agreement = Agreement.objects.create(province=province, municipality=party, **clauses)
            Adhesion.objects.bulk_create(
                Adhesion(agreement=agreement, service=service, start_date=draft.start_date)
                for service in draft.services
            )
            record_event(
                actor,
                "agreement.create",
                agreement,
                {
                    "municipality": [None, party.name],
                    "services": [None, sorted(s.name for s in draft.services)],
                },
                organization=party,
            )
            agreements.append(agreement)
    return agreements


@dataclass(frozen=True)
class ActData:
    """The act that performs a transition, as submitted: files are Django uploaded files."""

    number: str = ""
    day: date | None = None
    file: File | None = None
    new_end_date: date | None = None
    effective_date: date | None = None
    party: str = ""


# Who may record each transition: the Province's administrator records every act; the Comune's referent
# records its own council's approval and may withdraw for the Comune.
TRANSITION_ROLES = {
    lifecycle.APPROVE_PROVINCE: (Role.PROVINCE_ADMIN,),
    lifecycle.APPROVE_MUNICIPALITY: (Role.PROVINCE_ADMIN, Role.MUNICIPALITY_REFERENT),
    lifecycle.SIGN: (Role.PROVINCE_ADMIN,),
    lifecycle.ACTIVATE: (Role.PROVINCE_ADMIN,),
    lifecycle.RENEW: (Role.PROVINCE_ADMIN,),
    lifecycle.WITHDRAW: (Role.PROVINCE_ADMIN, Role.MUNICIPALITY_REFERENT),
}


def perform_transition(
    actor: Actor, agreement: Agreement, transition: str, act: ActData, today: date | None = None
) -> Agreement:
    """Move ``agreement`` through ``transition`` with the data of its act.

    Raises:
        PermissionDenied: the actor may not record this act on this agreement.
        ValidationError: the rules refuse the transition (the message says why, in the user's language).
    """
    today = today or timezone.localdate()
    if transition not in TRANSITION_ROLES:  # expiry is the system's, by date: see expire_agreements
        raise ValidationError(_("This transition cannot be requested."), code="transition")
    tenancy.require_role(actor.user, *TRANSITION_ROLES[transition])
    if not Agreement.objects.for_user(actor.user).filter(pk=agreement.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        facts_act = lifecycle.Act(
            number=act.number,
            day=act.day,
            has_file=act.file is not None,
            new_end_date=act.new_end_date,
            effective_date=act.effective_date,
        )
        try:
            new_state = lifecycle.next_state(agreement.facts, transition, facts_act, today)
        except lifecycle.TransitionRefused as refused:
            raise ValidationError(refusal_message(refused), code="transition") from refused
        if transition in _OVERLAP_CHECKED:
            end = agreement.end_date
            if transition == lifecycle.RENEW and act.new_end_date is not None:  # required by next_state
                end = act.new_end_date
            _refuse_overlap(
                agreement.municipality,
                list(agreement.adhesions.values_list("service_id", flat=True)),
                (agreement.start_date, end),
                exclude_pk=agreement.pk,
            )
        before = agreement.state
        changes = _apply_act(agreement, transition, act, actor)
        agreement.state = new_state
        agreement.save()
        changes["state"] = [before, new_state]
        record_event(
            actor, f"agreement.{transition}", agreement, changes, organization=agreement.municipality
        )
    return agreement


# The acts that commit an agreement to its term (or extend it): each must find no other agreement past its
# draft with the same party, a service in common and a day in common. Drafts may overlap (a draft cannot be
# discarded, so a corrected one must be possible); the first to be approved wins.
_OVERLAP_CHECKED = (
    lifecycle.APPROVE_PROVINCE,
    lifecycle.APPROVE_MUNICIPALITY,
    lifecycle.SIGN,
    lifecycle.ACTIVATE,
    lifecycle.RENEW,
)


def _refuse_overlap(
    party: Organization, service_ids: list[int], period: tuple[date, date], exclude_pk: int | None = None
) -> None:
    """ValidationError (code "overlap") if another agreement of ``party``, past its draft, covers one of
    these services on a day of ``period``: a Comune pays once for a service, under one convenzione."""
    candidates = (
        Adhesion.objects.filter(agreement__municipality=party, service_id__in=service_ids)
        .exclude(agreement__state=lifecycle.DRAFT)
        .filter(agreement__start_date__lte=period[1], agreement__end_date__gte=period[0])
        .select_related("agreement", "service")
        .order_by("agreement__start_date", "pk")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(agreement_id=exclude_pk)
    for adhesion in candidates:
        other = adhesion.agreement
        last = lifecycle.last_binding_day(other.end_date, other.withdrawal_effective_date)
        if lifecycle.periods_overlap(period, (other.start_date, last)):
            raise ValidationError(
                _(
                    "%(party)s already has an agreement for “%(service)s” from %(start)s to %(end)s "
                    "(“%(title)s”): two agreements cannot cover the same service on the same days. "
                    "Start this one after %(end)s, or end the earlier one first by withdrawal."
                )
                % {
                    "party": party.name,
                    "service": adhesion.service.name,
                    "start": other.start_date.strftime("%d/%m/%Y"),
                    "end": last.strftime("%d/%m/%Y"),
                    "title": other.title,
                },
                code="overlap",
            )


def refusal_message(refused: lifecycle.TransitionRefused) -> str:
    """The rules' refusal in the user's language, with dates and names as the user reads them."""
    labels = {**dict(AgreementState.choices), **dict(Transition.choices)}

    def shown(value):
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return labels.get(value, value)

    return _(refused.message) % {key: shown(value) for key, value in refused.params.items()}


def _apply_act(agreement: Agreement, transition: str, act: ActData, actor: Actor) -> dict:
    """Store the act's data on the agreement; returns the changed fields for the audit trail."""
    changes = {}

    def put(name, value):
        changes[name] = [getattr(agreement, name), value]
        setattr(agreement, name, value)

    if transition == lifecycle.APPROVE_PROVINCE:
        put("province_resolution_number", act.number)
        put("province_resolution_date", act.day)
    elif transition == lifecycle.APPROVE_MUNICIPALITY:
        put("municipality_resolution_number", act.number)
        put("municipality_resolution_date", act.day)
        if act.file is not None and act.file.name:  # next_state refuses the act without its file
            agreement.municipality_resolution_file.save(act.file.name, act.file, save=False)
            changes["municipality_resolution_file"] = [None, act.file.name]
    elif transition == lifecycle.SIGN:
        put("signed_on", act.day)
        if act.file is not None and act.file.name:  # likewise (an upload always has a name)
            agreement.signed_file.save(act.file.name, act.file, save=False)
            changes["signed_file"] = [None, act.file.name]
    elif transition == lifecycle.RENEW:
        put("end_date", act.new_end_date)
        put("renewals", agreement.renewals + 1)
    elif transition == lifecycle.WITHDRAW:
        is_province = actor.organization is not None and actor.organization.kind == OrganizationKind.PROVINCE
        put("withdrawn_by", Agreement.Party.PROVINCE if is_province else Agreement.Party.MUNICIPALITY)
        put("withdrawal_notice_date", act.day)
        put("withdrawal_effective_date", act.effective_date)
    return changes


def expire_agreements(today: date | None = None) -> int:
    """Mark as expired the active agreements whose term has ended (run daily by a background task)."""
    today = today or timezone.localdate()
    expired = 0
    for agreement in Agreement.objects.filter(state=lifecycle.ACTIVE, end_date__lt=today).select_related(
        "municipality"
    ):
        with transaction.atomic():
            agreement.state = lifecycle.EXPIRED
            agreement.save(update_fields=["state"])
            record_event(
                Actor.system("expire_agreements"),
                "agreement.expire",
                agreement,
                {"state": [lifecycle.ACTIVE, lifecycle.EXPIRED]},
                organization=agreement.municipality,
            )
        expired += 1
    return expired


def request_join(actor: Actor, service: Service, note: str = "") -> JoinRequest:
    """A Comune's referent asks to join a further service of its Province."""
    tenancy.require_role(actor.user, *MUNICIPALITY_ROLES)
    municipality = actor.require_organization()
    if not Service.objects.for_user(actor.user).filter(pk=service.pk).exists():
        raise PermissionDenied
    if JoinRequest.objects.filter(municipality=municipality, service=service).pending().exists():
        raise ValidationError(_("You have already asked to join this service."), code="duplicate")
    if (
        Adhesion.objects.filter(agreement__municipality=municipality, service=service)
        .active_on(timezone.localdate())
        .exists()
    ):
        raise ValidationError(_("You already use this service."), code="active")
    with transaction.atomic():
        join_request = JoinRequest.objects.create(municipality=municipality, service=service, note=note)
        record_event(actor, "join_request.create", join_request, {"service": [None, service.name]})
    return join_request


def answer_join_request(
    actor: Actor, join_request: JoinRequest, accept: bool, answer: str = ""
) -> JoinRequest:
    """The Province accepts (adding the service to the Comune's agreement in force) or refuses."""
    province = _acting_province(actor)
    if join_request.service.province_id != province.pk:
        raise PermissionDenied
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."), code="answered")
    today = timezone.localdate()
    with transaction.atomic():
        if accept:
            agreement = (
                Agreement.objects.in_force_on(today)
                .filter(province=province, municipality=join_request.municipality, state=lifecycle.ACTIVE)
                .first()
            )
            if agreement is None:
                raise ValidationError(
                    _(
                        "The Comune has no agreement in force: send it a new agreement that includes this service."
                    ),
                    code="no_agreement",
                )
            _refuse_overlap(
                join_request.municipality,
                [join_request.service_id],
                (today, agreement.end_date),
                exclude_pk=agreement.pk,
            )
            Adhesion.objects.update_or_create(
                agreement=agreement,
                service=join_request.service,
                defaults={"start_date": today, "end_date": None},
            )
        join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.REFUSED
        join_request.answer = answer
        join_request.save(update_fields=["status", "answer"])
        record_event(
            actor,
            "join_request.answer",
            join_request,
            {"status": [JoinRequest.Status.PENDING, join_request.status]},
            organization=join_request.municipality,
        )
    return join_request


def require_adhesion(municipality: Organization, service_kind: str, on: date | None = None) -> Adhesion:
    """The gate of every pillar: the Comune's adhesion in force to a service of that kind, or AdhesionRequired.

    Example: the SUA refuses a procurement request from a Comune with no active SUA adhesion.
    """
    on = on or timezone.localdate()
    adhesion = (
        Adhesion.objects.active_on(on)
        .filter(agreement__municipality=municipality, service__kind=service_kind)
        .select_related("agreement", "service")
        .first()
    )
    if adhesion is None:
        raise AdhesionRequired(
            _("%(name)s has no agreement in force for this service on %(day)s.")
            % {"name": municipality.name, "day": on.strftime("%d/%m/%Y")}
        )
    return adhesion


def yearly_cost(
    adhesion: Adhesion, year: int, procedures: list[costs.Procedure] | None = None
) -> costs.YearlyCost:
    """What the Comune owes for one adhesion in ``year``, from the service's cost model and its population.

    The population is the comune's ISTAT figure (for a Unione, the sum of its members'), applied from
    1 January of its reference year.
    """
    party = adhesion.agreement.municipality
    populations = None
    if adhesion.service.cost_model == costs.PER_INHABITANT:
        population, year_of = population_of(party)
        populations = [(date(year_of or year, 1, 1), population)] if population is not None else []
    return costs.yearly_cost(
        adhesion.service.cost_rule, year, adhesion.start_date, adhesion.last_day, populations, procedures
    )


def population_of(party: Organization) -> tuple[int | None, int | None]:
    if party.kind == OrganizationKind.UNION:
        members = list(party.member_municipalities.all())
        populations = [m.population for m in members if m.population is not None]
        if not members or len(populations) < len(members):
            return None, None
        # The latest reference year known: a Comune's population may come without one.
        years = [m.population_year for m in members if m.population_year is not None]
        return sum(populations), max(years, default=None)
    municipality = party.municipality
    return (municipality.population, municipality.population_year) if municipality else (None, None)
