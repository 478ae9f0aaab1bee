"""Write operations of the experiences: a Province writes, documents and submits its experiences; UPI
publishes them or sends them back with a note; another Province says it wants to replicate one.

Every function checks the actor's role and scope (PermissionDenied otherwise), runs in one transaction,
records an audit event in the chain of the Province that owns the experience and enqueues its notices once
the transaction commits. Bad input raises ValidationError in Italian and writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.audit.services import record_event
from casacomuni.experiences import tasks
from casacomuni.experiences.models import (
    EDITABLE_STATES,
    Document,
    Experience,
    ExperienceState,
    Replication,
    Result,
)
from casacomuni.lib.uploads import CONTENT_CHECKS
from casacomuni.territory.models import Municipality

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS = 10
MAX_RESULTS = 10
# The extensions a document may have; its bytes must be of that kind (lib.uploads).
DOCUMENT_EXTENSIONS = (".pdf", ".odt", ".docx")


@dataclass
class ResultData:
    indicator: str
    value: Decimal
    unit: str = ""


@dataclass
class ExperienceData:
    title: str
    area: str
    problem: str
    solution: str
    organisation: str
    contact_name: str
    contact_role: str
    contact_email: str
    start_year: int
    comuni_count: int = 0
    staff: int | None = None
    cost_amount: Decimal | None = None
    cost_notes: str = ""
    municipalities: list[Municipality] = field(default_factory=list)
    results: list[ResultData] = field(default_factory=list)


# --- Who acts -----------------------------------------------------------------------------------------------


def authoring_province(actor: Actor) -> Organization:
    """The Province the actor writes experiences for: its administrator or any of its officers."""
    province = tenancy.as_province(actor.user)
    if province is None:
        raise PermissionDenied
    return province


def require_author(actor: Actor, experience: Experience) -> Organization:
    province = authoring_province(actor)
    if experience.province_id != province.pk:
        raise PermissionDenied
    return province


def require_reviewer(actor: Actor) -> Organization:
    upi = tenancy.as_upi(actor.user)
    if upi is None:
        raise PermissionDenied
    return upi


def _event(actor: Actor, action: str, experience: Experience, changes=None) -> None:
    record_event(actor, f"experiences.{action}", experience, changes or {}, organization=experience.province)


def _require_state(experience: Experience, *states: str) -> None:
    if experience.state not in states:
        raise ValidationError(
            _("This experience is %(state)s: the action is no longer possible.")
            % {"state": experience.get_state_display().lower()},
            code="state",
        )


# --- Writing ------------------------------------------------------------------------------------------------


def create_experience(actor: Actor, data: ExperienceData) -> Experience:
    """A draft experience of the actor's Province."""
    province = authoring_province(actor)
    _check(data, province)
    with transaction.atomic():
        experience = Experience(province=province, created_by=actor.user)
        _write(experience, data)
        _write_results(experience, data.results)
        _event(actor, "create", experience, {"title": [None, experience.title]})
    return experience


def update_experience(actor: Actor, experience: Experience, data: ExperienceData) -> Experience:
    """The Province changes its draft, or the experience UPI sent back."""
    require_author(actor, experience)
    _require_state(experience, *EDITABLE_STATES)
    _check(data, experience.province)
    with transaction.atomic():
        before = experience.title
        _write(experience, data)
        experience.results.all().delete()
        _write_results(experience, data.results)
        _event(actor, "update", experience, {"title": [before, experience.title]})
    return experience


def _check(data: ExperienceData, province: Organization) -> None:
    errors = {}
    if len(data.results) > MAX_RESULTS:
        errors["results"] = _("At most %(count)s results.") % {"count": MAX_RESULTS}
    foreign = [m.name for m in data.municipalities if m.province_id != province.province_id]
    if foreign:
        errors["municipalities"] = _("%(names)s is not in the Province's territory.") % {
            "names": ", ".join(foreign)
        }
    if data.municipalities and data.comuni_count < len(data.municipalities):
        errors["comuni_count"] = _(
            "The Comuni involved cannot be fewer than the Comuni named (%(count)s)."
        ) % {"count": len(data.municipalities)}
    if errors:
        raise ValidationError(errors)


def _write(experience: Experience, data: ExperienceData) -> None:
    for name in (
        "title",
        "area",
        "problem",
        "solution",
        "organisation",
        "staff",
        "cost_amount",
        "cost_notes",
        "contact_name",
        "contact_role",
        "contact_email",
        "start_year",
        "comuni_count",
    ):
        setattr(experience, name, getattr(data, name))
    experience.save()
    experience.municipalities.set(data.municipalities)


def _write_results(experience: Experience, results: list[ResultData]) -> None:
    Result.objects.bulk_create(
        Result(experience=experience, position=position, **vars(row))
        for position, row in enumerate(results, 1)
    )


# --- Documents ----------------------------------------------------------------------------------------------


def check_document(upload) -> None:
    """A PDF, ODT or DOCX of at most 20 MB whose bytes are of the kind its name says."""
    name = upload.name or ""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("%(name)s is larger than 20 MB.") % {"name": name}, code="size")
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    extension = PurePosixPath(name).suffix.lower()
    if extension not in DOCUMENT_EXTENSIONS or not CONTENT_CHECKS[extension](upload):
        raise ValidationError(_("%(name)s is not a PDF, ODT or DOCX file.") % {"name": name}, code="type")


def add_document(actor: Actor, experience: Experience, title: str, upload) -> Document:
    require_author(actor, experience)
    _require_state(experience, *EDITABLE_STATES)
    check_document(upload)
    if experience.documents.count() >= MAX_DOCUMENTS:
        raise ValidationError(_("At most %(count)s documents.") % {"count": MAX_DOCUMENTS}, code="count")
    with transaction.atomic():
        document = Document(
            experience=experience,
            title=title,
            original_name=PurePosixPath(upload.name).name[:255],
            size=upload.size,
        )
        document.file.save(upload.name, upload, save=False)
        document.save()
        _event(actor, "document_add", experience, {"document": [None, document.original_name]})
    return document


def remove_document(actor: Actor, document: Document) -> None:
    experience = document.experience
    require_author(actor, experience)
    _require_state(experience, *EDITABLE_STATES)
    with transaction.atomic():
        name = document.original_name
        stored = document.file.name or ""
        document.delete()
        _event(actor, "document_remove", experience, {"document": [name, None]})
        # The file goes only once the row is gone for good.
        if stored:
            transaction.on_commit(partial(document.file.storage.delete, stored))


# --- Review -------------------------------------------------------------------------------------------------


def submit_experience(actor: Actor, experience: Experience) -> Experience:
    """The Province asks UPI to publish it; UPI's administrators are told."""
    require_author(actor, experience)
    _require_state(experience, *EDITABLE_STATES)
    if not experience.results.exists():
        raise ValidationError(
            _("Give at least one result with its figure before submitting the experience."), code="results"
        )
    with transaction.atomic():
        before = experience.state
        experience.state = ExperienceState.SUBMITTED
        experience.submitted_by = actor.user
        experience.save(update_fields=["state", "submitted_by", "updated_at"])
        _event(actor, "submit", experience, {"state": [before, experience.state]})
        transaction.on_commit(partial(tasks.send_review_request.enqueue, experience.pk))
    return experience


def publish_experience(actor: Actor, experience: Experience) -> Experience:
    """UPI publishes a submitted experience: everybody reads it from now on; its authors are told."""
    require_reviewer(actor)
    _require_state(experience, ExperienceState.SUBMITTED)
    with transaction.atomic():
        experience.state = ExperienceState.PUBLISHED
        experience.published_at = timezone.now()
        experience.review_note = ""
        experience.save(update_fields=["state", "published_at", "review_note", "updated_at"])
        _event(actor, "publish", experience, {"state": [ExperienceState.SUBMITTED, experience.state]})
        transaction.on_commit(partial(tasks.send_review_outcome.enqueue, experience.pk))
    return experience


def return_experience(actor: Actor, experience: Experience, note: str) -> Experience:
    """UPI sends a submitted experience back to its Province with a note of what to change."""
    require_reviewer(actor)
    _require_state(experience, ExperienceState.SUBMITTED)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what the Province should change.")})
    with transaction.atomic():
        experience.state = ExperienceState.RETURNED
        experience.review_note = note
        experience.save(update_fields=["state", "review_note", "updated_at"])
        _event(
            actor,
            "return",
            experience,
            {"state": [ExperienceState.SUBMITTED, experience.state], "review_note": [None, note]},
        )
        transaction.on_commit(partial(tasks.send_review_outcome.enqueue, experience.pk))
    return experience


# --- Replication --------------------------------------------------------------------------------------------


def _already_replicated() -> str:
    return _("Your Province already said it wants to replicate this experience.")


def replicate_experience(actor: Actor, experience: Experience, message: str) -> Replication:
    """The actor's Province wants to replicate a published experience of another Province: recorded once per
    Province, and the two are put in contact (each gets the other's contact)."""
    province = authoring_province(actor)
    _require_state(experience, ExperienceState.PUBLISHED)
    if experience.province_id == province.pk:
        raise ValidationError(
            _("This is an experience of your own Province: another Province may replicate it."), code="own"
        )
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write a short message for the other Province.")})
    if Replication.objects.filter(experience=experience, province=province).exists():
        raise ValidationError(_already_replicated(), code="duplicate")
    try:
        with transaction.atomic():
            replication = Replication.objects.create(
                experience=experience, province=province, message=message, requested_by=actor.user
            )
            # In the chain of the Province that asks: the act is its own.
            record_event(
                actor,
                "experiences.replicate",
                experience,
                {"replicated_by": [None, province.name]},
                organization=province,
            )
            transaction.on_commit(partial(tasks.send_replication_notices.enqueue, replication.pk))
    except IntegrityError:  # a second request of the same Province, sent at the same moment
        raise ValidationError(_already_replicated(), code="duplicate") from None
    return replication
