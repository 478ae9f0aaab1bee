"""Write operations on procurement requests: the Comune submits, changes and withdraws; the SUA answers.

Every function checks the actor's role and scope, runs in one transaction, records an audit event in the
chain of the requesting Comune (where the request's timeline is read) and, once committed, has the worker
e-mail the other side. Bad input raises ValidationError (a message per field where there is one) and
writes nothing; a missing SUA adhesion raises AdhesionRequired (a PermissionDenied).
"""

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES
from casacomuni.agreements.models import Adhesion, ServiceKind
from casacomuni.agreements.services import AdhesionRequired, require_adhesion
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.lib.money import parse_euro
from casacomuni.lib.uploads import CONTENT_CHECKS
from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.requests.models import (
    OPEN_STATES,
    AttachmentKind,
    ContractKind,
    FundingSource,
    ProcurementRequest,
    RequestAttachment,
    RequestState,
)
from casacomuni.procurement.rules import router, thresholds

SUBMIT = "submit"
RESUBMIT = "resubmit"
WITHDRAW = "withdraw"
ACCEPT = "accept"
ASK_CHANGES = "ask_changes"
REJECT = "reject"
_SUA_ACTIONS = (ACCEPT, ASK_CHANGES, REJECT)
_REQUESTER_ACTIONS = (RESUBMIT, WITHDRAW)

_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

REQUEST_FIELDS = (
    "title",
    "description",
    "contract_kind",
    "cpv_code",
    "base_amount",
    "options_amount",
    "cup",
    "pnrr",
    "funding_source",
    "rup_name",
    "rup_fiscal_code",
    "desired_award_date",
)


@dataclass(frozen=True)
class RouterSettings:
    """The router's inputs that a request does not state: the Comune's qualification (Allegato II.4; "none"
    by default: few Comuni are qualified) and the SUA's level ("advanced" by default: a Province's SUA
    qualified for every amount). Stored on each request with the verdict they produced."""

    buyer_qualification: str = router.NONE
    sua_qualification: str = router.ADVANCED


DEFAULT_ROUTER_SETTINGS = RouterSettings()


@dataclass(frozen=True)
class Upload:
    """An attachment as submitted: its kind and a Django uploaded file."""

    kind: str
    file: File


@dataclass(frozen=True, kw_only=True)
class RequestData:
    """A procurement request as the Comune states it (``REQUEST_FIELDS``). The service checks and
    normalises it: amounts may come as Decimals or as text in euro ("150.000,00"); a CUP of fifteen zeros
    means none."""

    title: str
    description: str
    contract_kind: str
    cpv_code: str
    base_amount: Decimal | str | None
    options_amount: Decimal | str | None = None
    cup: str = ""
    pnrr: bool = False
    funding_source: str
    rup_name: str
    rup_fiscal_code: str = ""
    desired_award_date: date | None = None


# --- Validation --------------------------------------------------------------------------------------------


def _clean_request_data(data: dict) -> dict:
    """The request's fields checked and normalised: CPV as 8 digits, the "no CUP" zeros as empty, amounts
    as Decimals of at most 2 places. Raises ValidationError with a message per field."""
    errors, cleaned = {}, {}

    def text(name, required=True, max_length=None):
        value = str(data.get(name) or "").strip()
        if required and not value:
            errors[name] = _("This field is required.")
        elif max_length and len(value) > max_length:
            errors[name] = _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
        return value

    cleaned["title"] = text("title", max_length=300)
    cleaned["description"] = text("description")
    cleaned["rup_name"] = text("rup_name", max_length=200)
    cleaned["contract_kind"] = text("contract_kind")
    if cleaned["contract_kind"] and cleaned["contract_kind"] not in ContractKind.values:
        errors["contract_kind"] = _("Choose one of: %(expected)s.") % {
            "expected": ", ".join(ContractKind.values)
        }
    cleaned["funding_source"] = text("funding_source")
    if cleaned["funding_source"] and cleaned["funding_source"] not in FundingSource.values:
        errors["funding_source"] = _("Choose one of: %(expected)s.") % {
            "expected": ", ".join(FundingSource.values)
        }
    cleaned["cpv_code"] = _checked_code(
        errors, "cpv_code", identifiers.check_cpv, text("cpv_code"), lambda c: c.code
    )
    cup = text("cup", required=False)
    cleaned["cup"] = (
        _checked_code(errors, "cup", identifiers.check_cup, cup, lambda c: "" if c.no_cup else c.code)
        if cup
        else ""
    )
    fiscal = text("rup_fiscal_code", required=False)
    cleaned["rup_fiscal_code"] = (
        _checked_code(errors, "rup_fiscal_code", identifiers.check_fiscal_code, fiscal, lambda c: c.code)
        if fiscal
        else ""
    )
    cleaned["base_amount"] = _amount(errors, "base_amount", data.get("base_amount"), required=True)
    cleaned["options_amount"] = _amount(errors, "options_amount", data.get("options_amount"), required=False)
    cleaned["pnrr"] = bool(data.get("pnrr"))
    cleaned["desired_award_date"] = data.get("desired_award_date") or None
    if not errors and cleaned["base_amount"] + cleaned["options_amount"] <= 0:
        errors["base_amount"] = _("The estimated amount must be greater than zero.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _checked_code(errors: dict, name: str, check, value: str, stored):
    if not value:
        return ""
    result = check(value)
    if not result.valid:
        errors[name] = _(result.reason) % result.params
        return value
    return stored(result)


def _amount(errors: dict, name: str, value, required: bool) -> Decimal:
    try:
        number = parse_euro(value)
    except ValidationError as error:
        errors[name] = error.messages[0]
        return Decimal("0.00")
    if number is None:
        if required:
            errors[name] = _("This field is required.")
        return Decimal("0.00")
    return number


def check_upload(upload: Upload) -> None:
    """A PDF, DOCX, ODT or signed .p7m of at most 20 MB whose content matches its extension."""
    if upload.kind not in AttachmentKind.values:
        raise ValidationError(
            _("Choose one of: %(expected)s.") % {"expected": ", ".join(AttachmentKind.values)}, code="kind"
        )
    name = upload.file.name or ""
    if upload.file.size > _MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("%(name)s is larger than 20 MB.") % {"name": name}, code="size")
    if upload.file.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    check = CONTENT_CHECKS.get(PurePosixPath(name).suffix.lower())
    if check is None or not check(upload.file):
        raise ValidationError(
            _("%(name)s is not a PDF, DOCX, ODT or signed .p7m file.") % {"name": name}, code="type"
        )


def _store_attachments(request: ProcurementRequest, uploads) -> list[RequestAttachment]:
    stored = []
    for upload in uploads:
        attachment = RequestAttachment(
            request=request,
            kind=upload.kind,
            original_name=PurePosixPath(upload.file.name).name[:255],
            size=upload.file.size,
        )
        attachment.file.save(upload.file.name, upload.file, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# --- The gate and the router -------------------------------------------------------------------------------


def sua_adhesion(party: Organization, province: Organization | None, today: date) -> Adhesion:
    """The Comune's adhesion in force to the SUA of ``province`` (or of its only SUA when not given).

    Raises AdhesionRequired with the reason in the user's language.
    """
    adhesion = require_adhesion(party, ServiceKind.SUA, today)
    if province is None or adhesion.agreement.province_id == province.pk:
        return adhesion
    other = (
        Adhesion.objects.active_on(today)
        .filter(agreement__municipality=party, agreement__province=province, service__kind=ServiceKind.SUA)
        .select_related("agreement")
        .first()
    )
    if other is None:
        raise AdhesionRequired(
            _("%(name)s has no agreement in force with the SUA of %(province)s.")
            % {"name": party.name, "province": province.name}
        )
    return other


def route_verdict(kind: str, total: Decimal, day: date, settings: RouterSettings) -> dict:
    """The router's answers for the request, as JSON, in the language active now."""
    try:
        decision = router.route(
            kind,
            total,
            day,
            buyer_qualification=settings.buyer_qualification,
            sua_qualification=settings.sua_qualification,
        )
    except (router.RouteError, thresholds.ThresholdError) as error:
        raise ValidationError(calculators.translated(error.message, error.params), code="route") from error
    return calculators.route_result(decision)


# --- Writes ------------------------------------------------------------------------------------------------


def submit_request(
    actor: Actor,
    data: RequestData,
    attachments=(),
    *,
    province: Organization | None = None,
    today: date | None = None,
    router_settings: RouterSettings = DEFAULT_ROUTER_SETTINGS,
) -> ProcurementRequest:
    """A Comune's (Unione's) referent or staff submits a request to the SUA of ``province`` (by default the
    Province of the Comune's SUA adhesion).
    """
    tenancy.require_role(actor.user, *LOCAL_ROLES)
    today = today or timezone.localdate()
    party = actor.require_organization()
    adhesion = sua_adhesion(party, province, today)
    cleaned = _clean_request_data(asdict(data))
    for upload in attachments:
        check_upload(upload)
    total = cleaned["base_amount"] + cleaned["options_amount"]
    verdict = route_verdict(cleaned["contract_kind"], total, today, router_settings)
    with transaction.atomic():
        request = ProcurementRequest.objects.create(
            municipality=party,
            province_id=adhesion.agreement.province_id,
            buyer_qualification=router_settings.buyer_qualification,
            sua_qualification=router_settings.sua_qualification,
            route_verdict=verdict,
            created_by=actor.user,
            **cleaned,
        )
        stored = _store_attachments(request, attachments)
        changes = {name: [None, value] for name, value in cleaned.items()}
        changes["state"] = [None, request.state]
        changes["attachments"] = [None, [a.original_name for a in stored]]
        record_event(actor, "procurement_request.submit", request, changes, organization=party)
        _notify_after_commit(request, SUBMIT)
    return request


def resubmit_request(
    actor: Actor,
    request: ProcurementRequest,
    data: RequestData,
    attachments=(),
    *,
    today: date | None = None,
    router_settings: RouterSettings | None = None,
) -> ProcurementRequest:
    """After the SUA asked for changes, the Comune changes its request and submits it again; the router's
    verdict is taken again, on the new amounts and today's date."""
    tenancy.require_role(actor.user, *LOCAL_ROLES)
    today = today or timezone.localdate()
    cleaned = _clean_request_data(asdict(data))
    for upload in attachments:
        check_upload(upload)
    with transaction.atomic():
        request = _locked(actor, request)
        refuse_unless_allowed(request, RESUBMIT)
        settings = router_settings or RouterSettings(request.buyer_qualification, request.sua_qualification)
        total = cleaned["base_amount"] + cleaned["options_amount"]
        verdict = route_verdict(cleaned["contract_kind"], total, today, settings)
        changes = {
            name: [getattr(request, name), value]
            for name, value in cleaned.items()
            if getattr(request, name) != value
        }
        for name, value in cleaned.items():
            setattr(request, name, value)
        changes["state"] = [request.state, RequestState.SUBMITTED]
        request.state = RequestState.SUBMITTED
        request.route_verdict = verdict
        request.buyer_qualification = settings.buyer_qualification
        request.sua_qualification = settings.sua_qualification
        request.submitted_at = request.updated_at = timezone.now()
        request.save()
        stored = _store_attachments(request, attachments)
        if stored:
            changes["attachments"] = [None, [a.original_name for a in stored]]
        record_event(
            actor, "procurement_request.resubmit", request, changes, organization=request.municipality
        )
        _notify_after_commit(request, RESUBMIT)
    return request


def add_attachments(actor: Actor, request: ProcurementRequest, attachments) -> list[RequestAttachment]:
    """The Comune adds documents to a request the SUA has not decided yet."""
    tenancy.require_role(actor.user, *LOCAL_ROLES)
    if not attachments:
        raise ValidationError(_("Choose a file to upload."), code="empty")
    for upload in attachments:
        check_upload(upload)
    with transaction.atomic():
        request = _locked(actor, request)
        if request.state not in OPEN_STATES:
            raise ValidationError(
                _("This request is %(state)s: documents can be added only before the SUA decides.")
                % {"state": request.get_state_display().lower()},
                code="state",
            )
        stored = _store_attachments(request, attachments)
        record_event(
            actor,
            "procurement_request.attach",
            request,
            {"attachments": [None, [a.original_name for a in stored]]},
            organization=request.municipality,
        )
    return stored


def withdraw_request(actor: Actor, request: ProcurementRequest) -> ProcurementRequest:
    """The Comune withdraws a request the SUA has not accepted or rejected."""
    return _move(actor, request, WITHDRAW)


def accept_request(actor: Actor, request: ProcurementRequest, reason: str = "") -> ProcurementRequest:
    """The SUA takes the request on: a procedure will be prepared from it."""
    return _move(actor, request, ACCEPT, reason)


def ask_changes(actor: Actor, request: ProcurementRequest, reason: str) -> ProcurementRequest:
    """The SUA sends the request back to the Comune, saying what to change."""
    return _move(actor, request, ASK_CHANGES, reason)


def reject_request(actor: Actor, request: ProcurementRequest, reason: str) -> ProcurementRequest:
    """The SUA refuses the request, with its reasons."""
    return _move(actor, request, REJECT, reason)


# action -> (states it starts from, state it leads to, roles that may perform it, whether reasons are due)
TRANSITIONS = {
    RESUBMIT: ((RequestState.CHANGES_REQUESTED,), RequestState.SUBMITTED, LOCAL_ROLES, False),
    WITHDRAW: (OPEN_STATES, RequestState.WITHDRAWN, LOCAL_ROLES, False),
    ACCEPT: ((RequestState.SUBMITTED,), RequestState.ACCEPTED, SUA_ROLES, False),
    ASK_CHANGES: ((RequestState.SUBMITTED,), RequestState.CHANGES_REQUESTED, SUA_ROLES, True),
    REJECT: (OPEN_STATES, RequestState.REJECTED, SUA_ROLES, True),
}


def _refusal(action: str) -> str:
    return {
        RESUBMIT: _("Only a request for which the SUA asked for changes can be submitted again."),
        WITHDRAW: _("Only a request that the SUA has not yet accepted or rejected can be withdrawn."),
        ACCEPT: _("Only a submitted request can be accepted."),
        ASK_CHANGES: _("Changes can be asked only on a submitted request."),
        REJECT: _("Only a request that the SUA has not yet decided can be rejected."),
    }[action]


def refuse_unless_allowed(request: ProcurementRequest, action: str) -> None:
    if request.state not in TRANSITIONS[action][0]:
        raise ValidationError(
            _("This request is %(state)s.") % {"state": request.get_state_display().lower()}
            + " "
            + _refusal(action),
            code="state",
        )


def allowed_actions(user, request: ProcurementRequest) -> list[str]:
    """The actions the request's state allows and the user's role may perform (for pages and the API)."""
    return [
        action
        for action, (sources, _target, roles, _reasons) in TRANSITIONS.items()
        if request.state in sources and tenancy.has_role(user, *roles)
    ]


def _locked(actor: Actor, request: ProcurementRequest) -> ProcurementRequest:
    """The request, re-read through the actor's scope and locked until the transaction ends."""
    found = (
        ProcurementRequest.objects.for_user(actor.user)
        .select_for_update()
        .filter(pk=request.pk)
        .select_related("municipality")
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


def _move(actor: Actor, request: ProcurementRequest, action: str, reason: str = "") -> ProcurementRequest:
    sources, target, roles, reasons_due = TRANSITIONS[action]
    tenancy.require_role(actor.user, *roles)
    reason = (reason or "").strip()
    if reasons_due and not reason:
        raise ValidationError({"reason": _("Give the reasons: the Comune will read them.")})
    with transaction.atomic():
        request = _locked(actor, request)
        refuse_unless_allowed(request, action)
        changes = {"state": [request.state, target]}
        request.state = target
        if action in _SUA_ACTIONS:
            changes["answer"] = [request.answer, reason]
            request.answer = reason
        request.updated_at = timezone.now()
        request.save(update_fields=["state", "answer", "updated_at"])
        record_event(
            actor, f"procurement_request.{action}", request, changes, organization=request.municipality
        )
        _notify_after_commit(request, action)
    return request


def _notify_after_commit(request: ProcurementRequest, action: str) -> None:
    from casacomuni.procurement.requests.tasks import send_request_notice

    transaction.on_commit(partial(send_request_notice.enqueue, request.pk, action))
