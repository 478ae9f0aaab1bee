"""Write operations on applications: flag, propose, move through the pipeline, partnership, tasks, documents.

Every function checks the actor's role and scope, runs in one transaction and records an audit event in the
chain of the lead Comune (Unione), where the application's history is read. Bad input raises
ValidationError (a message per field where there is one) and writes nothing; a Comune without an adhesion
in force to the EU-funds service raises AdhesionRequired (a PermissionDenied). Funded projects are written by
``funded.services``, which uses this module's input checks (``amount``, ``text``, ``check_document``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Literal, overload

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES
from casacomuni.agreements.models import Adhesion, ServiceKind
from casacomuni.agreements.services import AdhesionRequired, require_adhesion
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.lib.money import parse_euro
from casacomuni.lib.uploads import CONTENT_CHECKS
from casacomuni.projects.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationTask,
    PartnerRole,
    ProposedBy,
)
from casacomuni.projects.parties import local_parties_of, local_party, office_of
from casacomuni.projects.rules import pipeline

_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

_PROBLEM_MESSAGES = {
    pipeline.UNKNOWN_ACTION: gettext_noop("There is no such action."),
    pipeline.WRONG_ACTOR: gettext_noop("Your role does not allow this action."),
    pipeline.WRONG_STATUS: gettext_noop("The application's status does not allow this action."),
    pipeline.NO_LEAD: gettext_noop("An application is submitted only with a lead Comune."),
    pipeline.NO_REQUESTED_AMOUNT: gettext_noop("Enter the requested amount before submitting."),
    pipeline.NO_GRANTED_AMOUNT: gettext_noop("Enter the granted amount: a funded application needs it."),
    pipeline.GRANTED_OVER_REQUESTED: gettext_noop("The granted amount exceeds the requested amount."),
}


# --- Validation ---------------------------------------------------------------------------------------------


@overload
def amount(value, *, field: str, required: Literal[True], positive: bool = False) -> Decimal: ...
@overload
def amount(value, *, field: str, required: bool = False, positive: bool = False) -> Decimal | None: ...
def amount(value, *, field: str, required: bool = False, positive: bool = False) -> Decimal | None:
    """A euro amount of at most 2 decimals, or None when empty and not required."""
    try:
        number = parse_euro(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages[0]}) from None
    if number is None and required:
        raise ValidationError({field: _("This field is required.")})
    if positive and number == 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    return number


def text(given, name: str, *, required: bool = True, max_length: int | None = None) -> str:
    """The text ``given`` for field ``name``, stripped and checked (ValidationError on ``name``)."""
    value = str(given or "").strip()
    if required and not value:
        raise ValidationError({name: _("This field is required.")})
    if max_length and len(value) > max_length:
        raise ValidationError(
            {name: _("Enter at most %(max_length)s characters.") % {"max_length": max_length}}
        )
    return value


# --- Scope --------------------------------------------------------------------------------------------------


def eu_funds_adhesion(party: Organization, today: date) -> Adhesion:
    """The Comune's (Unione's) adhesion in force to its Province's EU-funds office, or AdhesionRequired."""
    return require_adhesion(party, ServiceKind.EU_FUNDS, today)


def _readable_call(actor: Actor, call_id):
    """A call of the catalogue the actor may read, or a ValidationError on ``call``."""
    from casacomuni.eufunds.models import Call

    call = Call.objects.for_user(actor.user).filter(pk=call_id).first() if call_id else None
    if call is None:
        raise ValidationError({"call": _("There is no call with this id in your catalogue.")})
    return call


def _check_call_open(call, today: date) -> None:
    if call.deadline is not None and timezone.localdate(call.deadline) < today:
        raise ValidationError({"call": _("The call's deadline has passed.")})


def acting_side(actor: Actor, application: Application) -> str | None:
    """``office`` when the actor is the application's Province office, ``comune`` when it acts for the lead."""
    office = office_of(actor.user)
    if office is not None and application.province_id == office.pk:
        return pipeline.OFFICE
    party = local_party(actor.user)
    if party is not None and application.lead_id == party.pk:
        return pipeline.COMUNE
    return None


def _locked(actor: Actor, application: Application) -> Application:
    """The application re-read through the actor's scope and locked until the transaction ends."""
    visible = Application.objects.for_user(actor.user).filter(pk=application.pk).values("pk")
    found = (
        Application.objects.select_for_update()
        .filter(pk__in=visible)
        .select_related("call", "lead", "province")
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


def _require_side(actor: Actor, application: Application, *sides: str) -> str:
    side = acting_side(actor, application)
    if side not in sides:
        raise PermissionDenied(_("Your role does not allow this action."))
    return side


# --- Flag and propose ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ApplicationData:
    """The project idea with which a Comune flags interest in a call (or the office proposes it): the title
    is the call's when empty; amounts in euro, as Decimals or as text."""

    title: str = ""
    description: str = ""
    requested_amount: Decimal | str | None = None


def _new_application(
    actor: Actor, call, party: Organization, province: Organization, proposed_by: str, data: ApplicationData
) -> Application:
    title = text(data.title, "title", required=False, max_length=300) or call.title[:300]
    description = text(data.description, "description", required=False)
    requested = amount(data.requested_amount, field="requested_amount")
    if Application.objects.filter(call=call, lead=party).exists():
        raise ValidationError(
            {"call": _("%(name)s already has an application for this call.") % {"name": party.name}}
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                lead=party,
                province=province,
                title=title,
                description=description,
                requested_amount=requested,
                proposed_by=proposed_by,
                created_by=actor.user,
            )
            changes = {
                "call": [None, call.pk],
                "lead": [None, party.pk],
                "status": [None, application.status],
                "proposed_by": [None, proposed_by],
                "title": [None, title],
            }
            action = "application.propose" if proposed_by == pipeline.OFFICE else "application.flag"
            record_event(actor, action, application, changes, organization=party)
    except IntegrityError:
        raise ValidationError(
            {"call": _("%(name)s already has an application for this call.") % {"name": party.name}}
        ) from None
    return application


def flag_interest(
    actor: Actor, call_id, data: ApplicationData | None = None, *, today: date | None = None
) -> Application:
    """A Comune's (Unione's) referent or staff flags interest in a call of its catalogue.

    Needs an adhesion in force to the EU-funds office of its Province (AdhesionRequired otherwise); the
    application goes to that Province's office.
    """
    tenancy.require_role(actor.user, *LOCAL_ROLES)
    party = local_party(actor.user)
    if party is None:
        raise PermissionDenied
    today = today or timezone.localdate()
    adhesion = eu_funds_adhesion(party, today)
    call = _readable_call(actor, call_id)
    _check_call_open(call, today)
    province = Organization.objects.get(pk=adhesion.agreement.province_id)
    return _new_application(actor, call, party, province, ProposedBy.COMUNE, data or ApplicationData())


def propose_call(
    actor: Actor, call_id, party_id, data: ApplicationData | None = None, *, today: date | None = None
) -> Application:
    """The Province's EU-funds office proposes a call to one of its Comuni (Unioni) that adheres to the
    office's service; refused (AdhesionRequired) for a Comune that does not."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES)
    office = office_of(actor.user)
    if office is None:
        raise PermissionDenied
    today = today or timezone.localdate()
    party = local_parties_of(office).filter(pk=party_id).first() if party_id else None
    if party is None:
        raise ValidationError({"lead": _("Choose a Comune or Unione of your Province.")})
    adhesion = eu_funds_adhesion(party, today)
    if adhesion.agreement.province_id != office.pk:
        raise AdhesionRequired(
            _("%(name)s has no agreement in force with the EU-funds office of %(province)s.")
            % {"name": party.name, "province": office.name}
        )
    call = _readable_call(actor, call_id)
    _check_call_open(call, today)
    return _new_application(actor, call, party, office, ProposedBy.OFFICE, data or ApplicationData())


def adhering_parties(office: Organization, today: date | None = None):
    """The office's Comuni and Unioni with an adhesion in force to its EU-funds service (for the choices)."""
    today = today or timezone.localdate()
    adhering = Adhesion.objects.active_on(today).filter(
        service__kind=ServiceKind.EU_FUNDS, agreement__province=office
    )
    return (
        local_parties_of(office).filter(pk__in=adhering.values("agreement__municipality_id")).order_by("name")
    )


# --- The pipeline -------------------------------------------------------------------------------------------


def allowed_actions(actor_or_user, application: Application) -> list[str]:
    actor = (
        actor_or_user
        if isinstance(actor_or_user, Actor)
        else Actor(actor_or_user, tenancy.acting_membership(actor_or_user))
    )
    side = acting_side(actor, application)
    return pipeline.available(application.status, side) if side else []


def refusal(problems: list[str]) -> ValidationError:
    fields = {
        pipeline.NO_REQUESTED_AMOUNT: "requested_amount",
        pipeline.NO_GRANTED_AMOUNT: "granted_amount",
        pipeline.GRANTED_OVER_REQUESTED: "granted_amount",
        pipeline.NO_LEAD: "lead",
    }
    if all(problem in fields for problem in problems):
        return ValidationError({fields[problem]: _(_PROBLEM_MESSAGES[problem]) for problem in problems})
    return ValidationError(" ".join(_(_PROBLEM_MESSAGES[p]) for p in problems), code="state")


@dataclass(frozen=True, kw_only=True)
class ActionData:
    """What an action on an application carries: the granted amount (to fund) and the reasons, kept on the
    application."""

    granted_amount: Decimal | str | None = None
    note: str = ""


def perform_action(
    actor: Actor, application: Application, action: str, data: ActionData | None = None
) -> Application:
    """Move the application: ``action`` one of ``rules.pipeline.ACTIONS``."""
    data = data or ActionData()
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    if action not in pipeline.TRANSITIONS:
        raise ValidationError(_(_PROBLEM_MESSAGES[pipeline.UNKNOWN_ACTION]), code="action")
    note = text(data.note, "note", required=False, max_length=5000)
    with transaction.atomic():
        application = _locked(actor, application)
        side = acting_side(actor, application)
        if side is None or side not in pipeline.TRANSITIONS[action].actors:
            raise PermissionDenied(_(_PROBLEM_MESSAGES[pipeline.WRONG_ACTOR]))
        changes: dict[str, list] = {}
        if action == pipeline.FUND:
            granted = amount(data.granted_amount, field="granted_amount", required=True, positive=True)
            if granted != application.granted_amount:
                changes["granted_amount"] = [application.granted_amount, granted]
            application.granted_amount = granted
        problems = pipeline.problems(action, application.status, side, application.facts())
        if problems:
            raise refusal(problems)
        target = pipeline.target(action)
        changes["status"] = [application.status, target]
        application.status = target
        now = timezone.now()
        if target == pipeline.SUBMITTED:
            application.submitted_at = now
        if target in pipeline.DECIDED:
            application.decided_at = now
        if note:
            changes["note"] = [application.outcome_note, note]
            application.outcome_note = note
        application.updated_at = now
        application.save()
        record_event(actor, f"application.{action}", application, changes, organization=application.lead)
    return application


# --- Editing, partnership, tasks, documents -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ApplicationChanges:
    """An application's title, idea and requested amount, as the office or the lead Comune edits them; the
    lead (an organisation's id) and the lead time of the internal deadline are the office's to change, and
    None leaves them as they are."""

    title: str
    description: str = ""
    requested_amount: Decimal | str | None = None
    lead: int | None = None
    lead_time_days: int | str | None = None


def update_application(actor: Actor, application: Application, data: ApplicationChanges) -> Application:
    """The office (or the lead Comune) changes the title, the idea and the requested amount; the office
    also the lead (a Comune or Unione of its territory) and the lead time of the internal deadline."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    with transaction.atomic():
        application = _locked(actor, application)
        side = _require_side(actor, application, pipeline.OFFICE, pipeline.COMUNE)
        if application.is_final:
            raise ValidationError(_("A closed application cannot be changed."), code="state")
        values: dict[str, object] = {
            "title": text(data.title, "title", max_length=300),
            "description": text(data.description, "description", required=False),
            "requested_amount": amount(data.requested_amount, field="requested_amount"),
        }
        if side == pipeline.OFFICE:
            lead_id = data.lead or application.lead_id
            lead = local_parties_of(application.province).filter(pk=lead_id).first()
            if lead is None:
                raise ValidationError({"lead": _("Choose a Comune or Unione of your Province.")})
            if (
                lead.pk != application.lead_id
                and Application.objects.filter(call=application.call, lead=lead).exists()
            ):
                raise ValidationError(
                    {"lead": _("%(name)s already has an application for this call.") % {"name": lead.name}}
                )
            values["lead"] = lead
            lead_time = application.lead_time_days if data.lead_time_days is None else data.lead_time_days
            try:
                lead_time = int(lead_time)
            except (TypeError, ValueError):
                raise ValidationError({"lead_time_days": _("Enter a whole number.")}) from None
            if not 0 <= lead_time <= 365:
                raise ValidationError({"lead_time_days": _("Enter a number of days from 0 to 365.")})
            values["lead_time_days"] = lead_time
        changes = {}
        for name, value in values.items():
            old = getattr(application, name)
            if old != value:
                changes[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
                setattr(application, name, value)
        if changes:
            application.updated_at = timezone.now()
            application.save()
            record_event(actor, "application.update", application, changes, organization=application.lead)
    return application


@dataclass(frozen=True, kw_only=True)
class PartnerData:
    """A partner of an application: a Comune or Unione of the Province (``organization``, an id), or an
    external body by its name and codice fiscale (or partita IVA); its role, a partner by default."""

    organization: int | None = None
    external_name: str = ""
    external_fiscal_code: str = ""
    role: str = ""


def add_partner(actor: Actor, application: Application, data: PartnerData) -> ApplicationPartner:
    """The office adds a partner to an application of its Province."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES)
    role = text(data.role, "role", required=False) or PartnerRole.PARTNER
    if role not in PartnerRole.values:
        raise ValidationError(
            {"role": _("Choose one of: %(expected)s.") % {"expected": ", ".join(PartnerRole.values)}}
        )
    with transaction.atomic():
        application = _locked(actor, application)
        _require_side(actor, application, pipeline.OFFICE)
        if application.is_final:
            raise ValidationError(_("A closed application cannot be changed."), code="state")
        organization_id = data.organization
        partner = ApplicationPartner(application=application, role=role)
        if organization_id:
            organization = local_parties_of(application.province).filter(pk=organization_id).first()
            if organization is None:
                raise ValidationError({"organization": _("Choose a Comune or Unione of your Province.")})
            if organization.pk == application.lead_id:
                raise ValidationError(
                    {"organization": _("The lead is not a partner of its own application.")}
                )
            if application.partners.filter(organization=organization).exists():
                raise ValidationError(
                    {"organization": _("%(name)s is already a partner.") % {"name": organization.name}}
                )
            partner.organization = organization
        else:
            partner.external_name = text(data.external_name, "external_name", max_length=300)
            code = text(data.external_fiscal_code, "external_fiscal_code", max_length=16)
            partner.external_fiscal_code = _checked_fiscal_code(code)
        partner.save()
        record_event(
            actor,
            "application.partner_add",
            application,
            {"partner": [None, partner.name], "role": [None, role]},
            organization=application.lead,
        )
    return partner


def _checked_fiscal_code(code: str) -> str:
    """A body's codice fiscale: 11 digits (the partita IVA form, as public bodies have) or 16 characters."""
    check = identifiers.check_vat_number(code) if code.isdigit() else identifiers.check_fiscal_code(code)
    if not check.valid:
        raise ValidationError({"external_fiscal_code": _(check.reason) % check.params})
    return check.code


def remove_partner(actor: Actor, partner: ApplicationPartner) -> None:
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES)
    with transaction.atomic():
        application = _locked(actor, partner.application)
        _require_side(actor, application, pipeline.OFFICE)
        if application.is_final:
            raise ValidationError(_("A closed application cannot be changed."), code="state")
        name = partner.name
        deleted, _rows = ApplicationPartner.objects.filter(pk=partner.pk, application=application).delete()
        if not deleted:
            raise PermissionDenied
        record_event(
            actor,
            "application.partner_remove",
            application,
            {"partner": [name, None]},
            organization=application.lead,
        )


def assignable_users(application: Application):
    """People who may be given a task: the office's and the lead's active members."""
    from casacomuni.accounts.models import User

    members = Membership.objects.active().filter(
        organization__in=[application.province_id, application.lead_id]
    )
    return User.objects.filter(pk__in=members.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


@dataclass(frozen=True, kw_only=True)
class TaskData:
    """A task of an application: its title, who does it (a user's id) and when it is due (the internal
    deadline when not given)."""

    title: str
    assignee: int | None = None
    due_on: date | None = None


def add_task(actor: Actor, application: Application, data: TaskData) -> ApplicationTask:
    """The office adds a task; with no due date it is due on the internal deadline (the call's deadline
    minus the application's lead time)."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES)
    title = text(data.title, "title", max_length=300)
    with transaction.atomic():
        application = _locked(actor, application)
        _require_side(actor, application, pipeline.OFFICE)
        assignee = None
        if data.assignee:
            assignee = assignable_users(application).filter(pk=data.assignee).first()
            if assignee is None:
                raise ValidationError({"assignee": _("Choose a person of the office or of the lead Comune.")})
        due_on = data.due_on or application.internal_deadline
        task = ApplicationTask.objects.create(
            application=application, title=title, assignee=assignee, due_on=due_on
        )
        record_event(
            actor,
            "application.task_add",
            application,
            {
                "task": [None, title],
                "due_on": [None, due_on],
                "assignee": [None, assignee.pk if assignee else None],
            },
            organization=application.lead,
        )
    return task


def complete_task(actor: Actor, task: ApplicationTask) -> ApplicationTask:
    """The office or the lead Comune marks a task done."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    with transaction.atomic():
        application = _locked(actor, task.application)
        _require_side(actor, application, pipeline.OFFICE, pipeline.COMUNE)
        found = (
            ApplicationTask.objects.select_for_update().filter(pk=task.pk, application=application).first()
        )
        if found is None:
            raise PermissionDenied
        task = found
        if not task.done:
            task.done = True
            task.save(update_fields=["done"])
            record_event(
                actor,
                "application.task_done",
                application,
                {"task": [task.title, task.title], "done": [False, True]},
                organization=application.lead,
            )
    return task


@dataclass(frozen=True)
class Upload:
    file: File | None
    description: str = ""


def check_document(upload) -> None:
    """A PDF, DOCX, ODT or signed .p7m of at most 20 MB whose content matches its extension (the checks of
    the procurement requests' attachments)."""
    name = upload.name or ""
    if upload.size > _MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("%(name)s is larger than 20 MB.") % {"name": name}})
    if upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    check = CONTENT_CHECKS.get(PurePosixPath(name).suffix.lower())
    if check is None or not check(upload):
        raise ValidationError(
            {"file": _("%(name)s is not a PDF, DOCX, ODT or signed .p7m file.") % {"name": name}}
        )


def add_document(actor: Actor, application: Application, upload: Upload) -> ApplicationDocument:
    """The office or the lead Comune adds a document (project sheet, letters of intent, the filed form)."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    if upload.file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    check_document(upload.file)
    description = text(upload.description, "description", required=False, max_length=300)
    with transaction.atomic():
        application = _locked(actor, application)
        _require_side(actor, application, pipeline.OFFICE, pipeline.COMUNE)
        name = upload.file.name or ""  # never empty: check_document refuses a file without a name
        document = ApplicationDocument(
            application=application,
            original_name=PurePosixPath(name).name[:255],
            size=upload.file.size,
            description=description,
            uploaded_by=actor.user,
        )
        document.file.save(name, upload.file, save=False)
        document.save()
        record_event(
            actor,
            "application.document_add",
            application,
            {"document": [None, document.original_name]},
            organization=application.lead,
        )
    return document
