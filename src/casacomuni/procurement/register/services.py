"""Write operations on the operators' register: operators apply, the SUA decides or registers them itself.

Every function checks the actor's role and scope, runs in one transaction, records an audit event in the
chain of the Province whose albo it is and, once committed, has the worker e-mail the other side. Bad
input raises ValidationError (a message per field) and writes nothing.
"""

import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OPERATOR_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.lib.uploads import is_p7m, is_pdf
from casacomuni.procurement.register.models import (
    LIVE_STATES,
    SOA_CATEGORIES,
    SOA_CLASSES,
    CategoryKind,
    DocumentKind,
    OperatorDocument,
    RegisteredOperator,
    RegistrationCategory,
    RegistrationDecision,
    RegistrationState,
)

APPLY = "apply"
REGISTER = "register"
APPROVE = "approve"
REJECT = "reject"
SUSPEND = "suspend"
REINSTATE = "reinstate"
REMOVE = "remove"

S = RegistrationState
# action -> (states it starts from, state it leads to, whether reasons are due)
TRANSITIONS = {
    APPROVE: ((S.PENDING,), S.APPROVED, False),
    REJECT: ((S.PENDING,), S.REJECTED, True),
    SUSPEND: ((S.APPROVED,), S.SUSPENDED, True),
    REINSTATE: ((S.SUSPENDED,), S.APPROVED, False),
    REMOVE: ((S.PENDING, S.APPROVED, S.SUSPENDED, S.REJECTED), S.REMOVED, True),
}
DECISIONS = tuple(TRANSITIONS)

_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_DOCUMENT_CHECKS = {".pdf": is_pdf, ".p7m": is_p7m}
# Documents whose expiry date is due: the ones whose validity the SUA checks.
_EXPIRING_KINDS = (DocumentKind.DURC, DocumentKind.SOA_CERTIFICATE, DocumentKind.INSURANCE)


@dataclass(frozen=True)
class DocumentUpload:
    """A document as submitted: its kind, a Django uploaded file and its dates."""

    kind: str
    file: File
    issued_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class CompanyData:
    """The operator's data for an entry in an albo: company name, partita IVA (or codice fiscale), PEC,
    registered office, and its legal representative's name and codice fiscale."""

    name: str
    fiscal_code: str
    pec: str
    address: str
    legal_representative_name: str
    legal_representative_fiscal_code: str


# --- Validation --------------------------------------------------------------------------------------------


def clean_company(data: dict) -> dict:
    """The operator's and its legal representative's data, checked: partita IVA or codice fiscale by their
    check characters (python-stdnum), PEC as an e-mail address. ValidationError with a message per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, max_length in (
        ("name", 200),
        ("legal_representative_name", 200),
        ("address", 300),
    ):
        value = str(data.get(name) or "").strip()
        if not value:
            errors[name] = _("This field is required.")
        elif len(value) > max_length:
            errors[name] = _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
        cleaned[name] = value
    cleaned["fiscal_code"] = _company_code(errors, str(data.get("fiscal_code") or ""))
    person = identifiers.check_fiscal_code(str(data.get("legal_representative_fiscal_code") or ""))
    if not person.valid or person.kind != identifiers.KIND_PERSON:
        errors["legal_representative_fiscal_code"] = (
            _(person.reason) % person.params
            if not person.valid
            else _("A person's codice fiscale has 16 characters.")
        )
    cleaned["legal_representative_fiscal_code"] = person.code
    pec = str(data.get("pec") or "").strip()
    try:
        EmailValidator()(pec)
    except ValidationError:
        errors["pec"] = _("Enter the PEC address of the operator.")
    cleaned["pec"] = pec
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_entry(data: CompanyData, categories: list[dict], uploads) -> tuple[dict, list[dict]]:
    """Company data, categories and documents checked together, so that every wrong field is reported at
    once. Categories (from ``parse_categories`` or any other caller) are checked again here."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    try:
        cleaned = clean_company(asdict(data))
    except ValidationError as refused:
        errors |= refused.message_dict
    try:
        categories = _checked_categories(categories)
    except ValidationError as refused:
        errors |= refused.message_dict
    try:
        _check_documents(uploads)
    except ValidationError as refused:
        errors |= refused.message_dict
    if errors:
        raise ValidationError(errors)
    return cleaned, categories


def _checked_categories(categories: list[dict]) -> list[dict]:
    cpv = [c["code"] for c in categories if c.get("kind") == CategoryKind.CPV]
    soa = [f"{c['code']} {c.get('soa_class', '')}" for c in categories if c.get("kind") == CategoryKind.SOA]
    if len(cpv) + len(soa) != len(categories):
        raise ValidationError({"categories": _("A category is either CPV or SOA.")})
    return parse_categories("\n".join(cpv), "\n".join(soa))


def _company_code(errors: dict, value: str) -> str:
    """An operator's partita IVA (11 digits) or codice fiscale (16 characters, a sole trader's)."""
    text = re.sub(r"\s", "", value).upper()
    if len(text) == 13 and text.startswith("IT"):  # the VIES form of a partita IVA
        text = text[2:]
    check = identifiers.check_fiscal_code(text) if len(text) == 16 else identifiers.check_vat_number(text)
    if not check.valid:
        errors["fiscal_code"] = _(check.reason) % check.params
    return check.code


def parse_categories(cpv_text: str, soa_text: str) -> list[dict]:
    """The categories typed in two lists (commas, semicolons or new lines between items): CPV groups
    (5 digits) or codes (8 digits, check digit optional) of services and supplies; SOA categories as
    "OG1 III" (category and class). ValidationError per list; at least one category overall."""
    errors: dict[str, list[str]] = {}
    categories: list[dict] = []
    seen: set = set()
    for item in _split_items(cpv_text):
        category = _cpv_category(item)
        if isinstance(category, str):
            errors.setdefault("cpv_codes", []).append(category)
        elif category["code"] not in seen:
            seen.add(category["code"])
            categories.append(category)
    for item in _split_items(soa_text):
        category = _soa_category(item)
        if isinstance(category, str):
            errors.setdefault("soa_categories", []).append(category)
        elif category["code"] in seen:
            errors.setdefault("soa_categories", []).append(
                _("%(code)s is listed twice.") % {"code": category["code"]}
            )
        else:
            seen.add(category["code"])
            categories.append(category)
    if not errors and not categories:
        errors["cpv_codes"] = [_("Choose at least one category: a CPV group or code, or a SOA category.")]
    if errors:
        raise ValidationError(errors)
    return categories


def _split_items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]+", text or "") if item.strip()]


def _cpv_category(item: str) -> dict | str:
    """A CPV group (the first 5 digits of a vocabulary code ending in 000) or a CPV code; works (division
    45) go by SOA category instead. Returns the category or the message refusing it."""
    text = item.replace(" ", "")
    if re.fullmatch(r"[0-9]{5}", text):
        code8 = text + "000"
        if code8 not in identifiers.cpv_vocabulary():
            return _("%(code)s is not a group of the CPV 2008 vocabulary.") % {"code": text}
        code = text
    else:
        check = identifiers.check_cpv(text)
        if not check.valid:
            return f"{item}: " + _(check.reason) % check.params
        code8 = code = check.code
    if identifiers.cpv_kind(code8) == identifiers.KIND_WORKS:
        return _("%(code)s is a code of works: choose the SOA category instead.") % {"code": code}
    return {"kind": CategoryKind.CPV, "code": code, "soa_class": ""}


def _soa_category(item: str) -> dict | str:
    parts = item.upper().replace("–", "-").split()
    if len(parts) != 2 or parts[0] not in SOA_CATEGORIES:
        return _(
            "“%(item)s”: write a SOA category (OG1 to OG13, OS1 to OS35) followed by its class, e.g. OG1 III."
        ) % {"item": item}
    soa_class = next((c for c in SOA_CLASSES if c.upper() == parts[1]), None)
    if soa_class is None:
        return _("“%(item)s”: the class is one of %(classes)s.") % {
            "item": item,
            "classes": ", ".join(SOA_CLASSES),
        }
    return {"kind": CategoryKind.SOA, "code": parts[0], "soa_class": soa_class}


def check_document(upload: DocumentUpload) -> None:
    """A PDF or signed .p7m of at most 20 MB whose content matches its extension, of a known kind, with an
    expiry date where the kind has one (DURC, SOA certificate, insurance) after its issue date."""
    errors = {}
    name = upload.file.name or ""
    if upload.kind not in DocumentKind.values:
        errors["kind"] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(DocumentKind.values)}
    if upload.file.size > _MAX_DOCUMENT_BYTES:
        errors["file"] = _("%(name)s is larger than 20 MB.") % {"name": name}
    elif upload.file.size == 0:
        errors["file"] = _("%(name)s is empty.") % {"name": name}
    else:
        check = _DOCUMENT_CHECKS.get(PurePosixPath(name).suffix.lower())
        if check is None or not check(upload.file):
            errors["file"] = _("%(name)s is not a PDF or signed .p7m file.") % {"name": name}
    if upload.kind in _EXPIRING_KINDS and upload.expires_on is None:
        errors["expires_on"] = _("Enter the expiry date of the document.")
    if upload.issued_on and upload.expires_on and upload.expires_on < upload.issued_on:
        errors["expires_on"] = _("The expiry date comes before the issue date.")
    if errors:
        raise ValidationError(errors)


def _check_documents(uploads) -> None:
    errors: dict[str, list[str]] = {}
    for upload in uploads:
        try:
            check_document(upload)
        except ValidationError as refused:
            for field, messages in refused.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- Writes ------------------------------------------------------------------------------------------------


def apply_to_register(
    actor: Actor, province: Organization, data: CompanyData, categories: list[dict], uploads=()
) -> RegisteredOperator:
    """The operator the actor represents applies to the albo of ``province``; its company data (name,
    partita IVA, PEC) are updated from ``data``. The SUA is told by e-mail."""
    tenancy.require_role(actor.user, *OPERATOR_ROLES)
    operator = actor.organization
    if operator is None or operator.kind != OrganizationKind.OPERATOR:
        raise PermissionDenied
    _require_province(province)
    cleaned, categories = _clean_entry(data, categories, uploads)
    with transaction.atomic():
        _refuse_another_identity(operator, cleaned["fiscal_code"])
        _refuse_duplicate(province, operator, cleaned["fiscal_code"])
        changes = _update_operator(operator, cleaned)
        registration = _create_registration(actor, province, operator, cleaned, categories, uploads)
        changes |= _registration_changes(registration, categories)
        record_event(actor, "registered_operator.apply", registration, changes, organization=province)
        _notify_after_commit(registration, APPLY)
    return registration


def register_operator(
    actor: Actor, data: CompanyData, categories: list[dict], uploads=()
) -> RegisteredOperator:
    """The SUA enters an operator in its own albo, approved at once: the operator's organisation is the one
    with that partita IVA, or a new one (an operator without an account). An existing operator's company
    data are not changed by the SUA."""
    tenancy.require_role(actor.user, *SUA_ROLES)
    province = actor.require_organization()
    cleaned, categories = _clean_entry(data, categories, uploads)
    with transaction.atomic():
        operator = (
            Organization.objects.select_for_update()
            .filter(kind=OrganizationKind.OPERATOR, fiscal_code=cleaned["fiscal_code"])
            .order_by("pk")
            .first()
        )
        if operator is None:
            operator = Organization.objects.create(
                kind=OrganizationKind.OPERATOR,
                name=cleaned["name"],
                fiscal_code=cleaned["fiscal_code"],
                pec=cleaned["pec"],
            )
            record_event(actor, "organization.create", operator, {"name": [None, operator.name]})
        _refuse_duplicate(province, operator, cleaned["fiscal_code"])
        registration = _create_registration(actor, province, operator, cleaned, categories, uploads)
        now = timezone.now()
        registration.state, registration.decided_at, registration.approved_at = S.APPROVED, now, now
        registration.save(update_fields=["state", "decided_at", "approved_at"])
        RegistrationDecision.objects.create(
            registration=registration, action=REGISTER, state=S.APPROVED, decided_by=actor.user
        )
        changes = _registration_changes(registration, categories)
        record_event(actor, "registered_operator.register", registration, changes, organization=province)
        _notify_after_commit(registration, REGISTER)
    return registration


def decide(
    actor: Actor, registration: RegisteredOperator, action: str, reason: str = ""
) -> RegisteredOperator:
    """The SUA approves, rejects, suspends, reinstates or removes an entry of its own albo."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown decision."), code="action")
    tenancy.require_role(actor.user, *SUA_ROLES)
    sources, target, reasons_due = TRANSITIONS[action]
    reason = (reason or "").strip()
    if reasons_due and not reason:
        raise ValidationError({"reason": _("Give the reasons: the operator will read them.")})
    with transaction.atomic():
        registration = (
            RegisteredOperator.objects.for_user(actor.user, documents=True)
            .select_for_update()
            .filter(pk=registration.pk, province=actor.organization)
            .first()
        )
        if registration is None:
            raise PermissionDenied
        if registration.state not in sources:
            raise ValidationError(
                _("This entry is %(state)s: the decision is not possible now.")
                % {"state": registration.get_state_display().lower()},
                code="state",
            )
        changes = {"state": [registration.state, target], "reason": [registration.reason, reason]}
        now = timezone.now()
        registration.state, registration.reason, registration.decided_at = target, reason, now
        if target == S.APPROVED and registration.approved_at is None:
            registration.approved_at = now
        registration.save(update_fields=["state", "reason", "decided_at", "approved_at"])
        RegistrationDecision.objects.create(
            registration=registration, action=action, state=target, reason=reason, decided_by=actor.user
        )
        record_event(
            actor, f"registered_operator.{action}", registration, changes, organization=registration.province
        )
        _notify_after_commit(registration, action)
    return registration


def add_documents(actor: Actor, registration: RegisteredOperator, uploads) -> list[OperatorDocument]:
    """The operator (its own entry) or the SUA (its albo) adds documents, e.g. a renewed DURC."""
    tenancy.require_role(actor.user, *SUA_ROLES, *OPERATOR_ROLES)
    if not uploads:
        raise ValidationError({"file": _("Choose a file.")})
    _check_documents(uploads)
    with transaction.atomic():
        registration = (
            RegisteredOperator.objects.for_user(actor.user, documents=True)
            .select_for_update()
            .filter(pk=registration.pk)
            .first()
        )
        if registration is None:
            raise PermissionDenied
        if registration.state not in LIVE_STATES:
            raise ValidationError(_("This entry is closed: no documents can be added."), code="state")
        stored = _store_documents(registration, uploads)
        record_event(
            actor,
            "registered_operator.add_documents",
            registration,
            {"documents": [None, [f"{d.kind}: {d.original_name}" for d in stored]]},
            organization=registration.province,
        )
    return stored


# --- Helpers of the writes ---------------------------------------------------------------------------------


def _require_province(province) -> None:
    if province is None or province.kind != OrganizationKind.PROVINCE or not province.is_active:
        raise ValidationError({"province": _("Choose the Province whose albo you apply to.")})


OPERATOR_EXISTS = "operator_exists"


def _refuse_another_identity(operator: Organization, fiscal_code: str) -> None:
    """An operator's partita IVA is its identity: once set it does not change, and a code another operator
    holds is that operator's (the person asks to join it: ``accounts.services.ask_to_join_operator``)."""
    if operator.fiscal_code and fiscal_code != operator.fiscal_code:
        raise ValidationError(
            {
                "fiscal_code": _(
                    "The partita IVA of %(name)s is %(code)s and does not change. To act for another company, "
                    "ask to join it."
                )
                % {"name": operator.name, "code": operator.fiscal_code}
            }
        )
    holder = (
        Organization.objects.filter(kind=OrganizationKind.OPERATOR, fiscal_code=fiscal_code)
        .exclude(pk=operator.pk)
        .first()
        if fiscal_code
        else None
    )
    if holder is not None:
        raise ValidationError(
            _(
                "The partita IVA %(code)s belongs to %(name)s, already on the platform. If you work for it, ask to "
                "act for it: one of its representatives decides."
            ),
            code=OPERATOR_EXISTS,
            params={"code": fiscal_code, "name": holder.name},
        )


def _refuse_duplicate(province: Organization, operator: Organization, fiscal_code: str) -> None:
    live = RegisteredOperator.objects.filter(province=province, state__in=LIVE_STATES)
    if live.filter(operator=operator).exists():
        raise ValidationError(
            _("%(name)s is already in the albo of %(province)s (or its application is pending).")
            % {"name": operator.name, "province": province.name},
            code="duplicate",
        )
    others = live.filter(operator__fiscal_code=fiscal_code).exclude(operator=operator)
    if fiscal_code and others.exists():
        raise ValidationError({"fiscal_code": _("Another operator with this code is already in this albo.")})


def _update_operator(operator: Organization, cleaned: dict) -> dict:
    changes = {}
    for field in ("name", "fiscal_code", "pec"):
        if getattr(operator, field) != cleaned[field]:
            changes[f"operator.{field}"] = [getattr(operator, field), cleaned[field]]
            setattr(operator, field, cleaned[field])
    if changes:
        operator.save(update_fields=["name", "fiscal_code", "pec"])
    return changes


def _create_registration(actor, province, operator, cleaned, categories, uploads) -> RegisteredOperator:
    try:
        with transaction.atomic():
            registration = RegisteredOperator.objects.create(
                province=province,
                operator=operator,
                legal_representative_name=cleaned["legal_representative_name"],
                legal_representative_fiscal_code=cleaned["legal_representative_fiscal_code"],
                address=cleaned["address"],
                created_by=actor.user,
            )
    except IntegrityError as clash:  # a concurrent application of the same operator
        raise ValidationError(
            _("This operator has already applied to this albo."), code="duplicate"
        ) from clash
    RegistrationCategory.objects.bulk_create(
        RegistrationCategory(registration=registration, **category) for category in categories
    )
    _store_documents(registration, uploads)
    return registration


def _store_documents(registration: RegisteredOperator, uploads) -> list[OperatorDocument]:
    stored = []
    for upload in uploads:
        document = OperatorDocument(
            registration=registration,
            kind=upload.kind,
            original_name=PurePosixPath(upload.file.name).name[:255],
            size=upload.file.size,
            issued_on=upload.issued_on,
            expires_on=upload.expires_on,
        )
        document.file.save(upload.file.name, upload.file, save=False)
        document.save()
        stored.append(document)
    return stored


def _registration_changes(registration: RegisteredOperator, categories: list[dict]) -> dict:
    return {
        "operator": [None, registration.operator.name],
        "legal_representative_name": [None, registration.legal_representative_name],
        "categories": [None, [f"{c['code']} {c['soa_class']}".strip() for c in categories]],
        "documents": [None, [f"{d.kind}: {d.original_name}" for d in registration.documents.all()]],
    }


def allowed_decisions(user, registration: RegisteredOperator) -> list[str]:
    """What the user may decide now on the entry: nothing unless they keep this albo."""
    membership = tenancy.acting_membership(user)
    if (
        membership is None
        or membership.role not in SUA_ROLES
        or membership.organization_id != registration.province_id
    ):
        return []
    return [
        action for action, (sources, _target, _due) in TRANSITIONS.items() if registration.state in sources
    ]


def _notify_after_commit(registration: RegisteredOperator, action: str) -> None:
    from casacomuni.procurement.register.tasks import send_registration_notice

    transaction.on_commit(partial(send_registration_notice.enqueue, registration.pk, action))
