"""Write operations of the model library: models and their versions, publication, adoption by a Province and
the updates of its copies, and starting an agreement template or a questionnaire from a model.

Who writes: UPI's administrator writes UPI's library; a Province's administrator and officers write their
Province's. Every function checks the actor, runs in one transaction and records an audit event in the chain of
the library's owner. Bad input raises ValidationError in Italian and writes nothing (files included).
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import PROVINCE_ROLES, OrganizationKind, Role
from casacomuni.audit.services import record_event
from casacomuni.documents import services as documents
from casacomuni.documents.kinds import TemplateKind
from casacomuni.insights.services import questionnaires
from casacomuni.lib.uploads import CONTENT_CHECKS
from casacomuni.library.models import (
    LibraryModel,
    ModelKind,
    ModelUse,
    ModelVersion,
    ServiceArea,
    UseKind,
    VersionFile,
    VersionStatus,
)
from casacomuni.library.rules import changes as change_rules

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
ALLOWED_EXTENSIONS = (".docx", ".odt", ".pdf")


# --- Who writes ---------------------------------------------------------------------------------------------


def library_of(actor: Actor) -> Organization:
    """The library the actor writes: UPI's for its administrator, its Province's for a Province's people."""
    membership = actor.membership
    if membership is None:
        raise PermissionDenied
    organization = membership.organization
    if organization.kind == OrganizationKind.UPI and membership.role == Role.UPI_ADMIN:
        return organization
    if organization.kind == OrganizationKind.PROVINCE and membership.role in PROVINCE_ROLES:
        return organization
    raise PermissionDenied


def may_edit(actor: Actor, model: LibraryModel) -> bool:
    try:
        return library_of(actor).pk == model.owner_id
    except PermissionDenied:
        return False


def require_editor(actor: Actor, model: LibraryModel) -> Organization:
    library = library_of(actor)
    if library.pk != model.owner_id:
        raise PermissionDenied
    return library


def require_readable(actor: Actor, version: ModelVersion) -> None:
    """A service given a version the actor may not read refuses, whatever the view checked."""
    if not ModelVersion.objects.for_user(actor.user).filter(pk=version.pk).exists():
        raise PermissionDenied


def _event(actor: Actor, action: str, obj, changes: dict, library: Organization) -> None:
    record_event(actor, f"library.{action}", obj, changes, organization=library)


# --- Models and versions ------------------------------------------------------------------------------------


@dataclass
class ModelData:
    kind: str
    area: str


@dataclass
class VersionData:
    """A version's text and files: ``keep`` the files of the previous version to carry over (their ids),
    ``uploads`` new files (a new file with the name of a kept one replaces it)."""

    title: str
    changelog: str
    legal_basis: str = ""
    description: str = ""
    questionnaire: list = field(default_factory=list)
    keep: list[int] = field(default_factory=list)
    uploads: list = field(default_factory=list)
    local_notes: str | None = None


def check_file(upload) -> None:
    """A DOCX, ODT or PDF of at most 20 MB whose content is what its name says."""
    name = PurePosixPath(upload.name or "").name
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    extension = PurePosixPath(name).suffix.lower()
    check = CONTENT_CHECKS.get(extension)
    if extension not in ALLOWED_EXTENSIONS or check is None or not check(upload):
        raise ValidationError(_("%(name)s is not a DOCX, ODT or PDF file.") % {"name": name})


def _version_problems(model: LibraryModel | None, kind: str, data: VersionData) -> dict:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("This field is required.")
    if not data.changelog.strip():
        errors["changelog"] = _("Say what this version changes (for the first one: what the model is).")
    file_errors = []
    for upload in data.uploads:
        try:
            check_file(upload)
        except ValidationError as error:
            file_errors.extend(error.messages)
    names = [PurePosixPath(upload.name or "").name for upload in data.uploads]
    if len(set(names)) != len(names):
        file_errors.append(_("Two new files have the same name."))
    if len(data.uploads) + len(data.keep) > MAX_FILES:
        file_errors.append(_("A version holds at most %(count)d files.") % {"count": MAX_FILES})
    if file_errors:
        errors["uploads"] = " ".join(file_errors)
    if data.questionnaire:
        if kind != ModelKind.QUESTIONNAIRE:
            errors["questionnaire"] = _("Only a questionnaire template carries a questionnaire definition.")
        else:
            _sections, problems = questionnaires.normalised_sections(data.questionnaire)
            if problems:
                errors["questionnaire"] = " ".join(problems)
    return errors


def _store_file(version: ModelVersion, name: str, content, size: int, digest: str) -> VersionFile:
    stored = VersionFile(version=version, original_name=name[-255:], size=size, digest=digest)
    stored.file.save(name, content, save=False)
    stored.save()
    return stored


def _digest(upload) -> str:
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _write_version(model: LibraryModel, number: int, actor: Actor, data: VersionData, kept) -> ModelVersion:
    """The version row and its files: the kept files of the previous version (their stored file shared) that no
    upload replaces, then the uploads."""
    version = ModelVersion.objects.create(
        model=model,
        number=number,
        title=data.title.strip()[:200],
        legal_basis=data.legal_basis.strip()[:300],
        description=data.description.strip(),
        changelog=data.changelog.strip(),
        questionnaire=data.questionnaire or [],
        created_by=actor.user,
    )
    new_names = {PurePosixPath(upload.name or "").name[-255:] for upload in data.uploads}
    VersionFile.objects.bulk_create(
        VersionFile(
            version=version,
            file=old.file.name,
            original_name=old.original_name,
            size=old.size,
            digest=old.digest,
        )
        for old in kept
        if old.original_name not in new_names
    )
    return version


def _save_uploads(version: ModelVersion, uploads, written: list) -> None:
    for upload in uploads:
        name = PurePosixPath(upload.name or "file").name
        stored = _store_file(version, name, upload, upload.size, _digest(upload))
        written.append(stored.file.name)


def _with_files_cleanup(write):
    """Run ``write(written)``; if it fails, delete the files it stored (their rows rolled back)."""
    written: list[str] = []
    try:
        with transaction.atomic():
            return write(written)
    except BaseException:
        for name in written:
            VersionFile._meta.get_field("file").storage.delete(name)
        raise


def create_model(actor: Actor, data: ModelData, version: VersionData) -> LibraryModel:
    """A model of the actor's library with its first version, a draft (published with ``publish_version``)."""
    library = library_of(actor)
    errors = _version_problems(None, data.kind, version)
    if data.kind not in ModelKind.values:
        errors["kind"] = _("Choose one of the options.")
    if data.area not in ServiceArea.values:
        errors["area"] = _("Choose one of the options.")
    if errors:
        raise ValidationError(errors)

    def write(written):
        model = LibraryModel.objects.create(
            owner=library,
            kind=data.kind,
            area=data.area,
            title=version.title.strip()[:200],
            legal_basis=version.legal_basis.strip()[:300],
            description=version.description.strip(),
            local_notes=(version.local_notes or "").strip(),
        )
        first = _write_version(model, 1, actor, version, [])
        _save_uploads(first, version.uploads, written)
        _event(
            actor, "model.create", model, {"title": [None, model.title], "kind": [None, model.kind]}, library
        )
        return model

    return _with_files_cleanup(write)


def add_version(actor: Actor, model: LibraryModel, data: VersionData) -> ModelVersion:
    """The next version of ``model``, a draft: its text, the files of the latest version it keeps, new files.

    Refused while another draft waits to be published (one draft at a time)."""
    library = require_editor(actor, model)
    errors = _version_problems(model, model.kind, data)
    latest = model.versions.order_by("-number").first()
    kept = list(latest.files.filter(pk__in=data.keep)) if latest else []
    if errors:
        raise ValidationError(errors)

    def write(written):
        locked = LibraryModel.objects.select_for_update().get(pk=model.pk)
        if locked.versions.filter(status=VersionStatus.DRAFT).exists():
            raise ValidationError(_("A draft version is waiting: publish it before writing another one."))
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = _write_version(locked, number, actor, data, kept)
        _save_uploads(version, data.uploads, written)
        if data.local_notes is not None and locked.is_copy:
            locked.local_notes = data.local_notes.strip()
            locked.save(update_fields=["local_notes"])
        _event(actor, "version.create", version, {"number": [None, number]}, library)
        return version

    return _with_files_cleanup(write)


def _make_current(model: LibraryModel, version: ModelVersion, now) -> None:
    """``version`` becomes the published one; the one published before is superseded."""
    model.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).update(
        status=VersionStatus.SUPERSEDED
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    model.current_version = version
    model.title, model.legal_basis, model.description = (
        version.title,
        version.legal_basis,
        version.description,
    )
    model.save(update_fields=["current_version", "title", "legal_basis", "description"])


def publish_version(actor: Actor, version: ModelVersion) -> ModelVersion:
    """Publish a draft: it supersedes the version published before. The Provinces that adopted the model are
    told (their administrators get a ``library.update_available`` notice)."""
    from casacomuni.library.tasks import notify_update_available

    library = require_editor(actor, version.model)
    with transaction.atomic():
        model = LibraryModel.objects.select_for_update().get(pk=version.model_id)
        version = ModelVersion.objects.get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError(_("Only a draft version can be published."))
        previous = model.current_version_id
        _make_current(model, version, timezone.now())
        _event(actor, "version.publish", version, {"status": ["draft", "published"]}, library)
        if previous is not None and LibraryModel.objects.copies_of(model).exists():
            transaction.on_commit(partial(notify_update_available.enqueue, version.pk))
    return version


# --- Adoption and updates -----------------------------------------------------------------------------------


def _copy_files(source: ModelVersion, target: ModelVersion, written: list) -> None:
    """Copies of the files of ``source``, stored anew: the copy's files are the adopting Province's."""
    for original in source.files.all():
        with original.file.open("rb") as handle:
            content = ContentFile(handle.read())
        stored = _store_file(target, original.original_name, content, original.size, original.digest)
        written.append(stored.file.name)


def adopt_version(actor: Actor, version: ModelVersion) -> LibraryModel:
    """A copy of a published version in the acting Province's library, published as its version 1, which
    remembers the upstream version it comes from.

    Raises:
        PermissionDenied: the actor does not act for a Province.
        ValidationError: the version is a draft or superseded, the model is the Province's own, or the
            Province already has a copy of it; nothing is written.
    """
    library = library_of(actor)
    if library.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied(_("Only a Province adopts a model into its own library."))
    require_readable(actor, version)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            _("Only the published version of a model can be adopted: this one is a draft or was superseded.")
        )
    upstream = version.model
    if upstream.is_copy:
        raise ValidationError(_("Adopt the original model, not a copy of it."))
    if upstream.owner_id == library.pk:
        raise ValidationError(_("This model is already in your library."))
    if LibraryModel.objects.filter(owner=library, origin_version__model=upstream).exists():
        raise ValidationError(_("Your library already has a copy of this model: open it to update it."))

    def write(written):
        now = timezone.now()
        copy = LibraryModel.objects.create(
            owner=library,
            kind=upstream.kind,
            area=upstream.area,
            title=version.title,
            legal_basis=version.legal_basis,
            description=version.description,
            origin_version=version,
            adopted_at=now,
        )
        first = ModelVersion.objects.create(
            model=copy,
            number=1,
            title=version.title,
            legal_basis=version.legal_basis,
            description=version.description,
            questionnaire=version.questionnaire,
            changelog=_("Adopted from version %(number)d of “%(title)s” (%(owner)s).")
            % {"number": version.number, "title": upstream.title, "owner": upstream.owner.name},
            created_by=actor.user,
        )
        _copy_files(version, first, written)
        _make_current(copy, first, now)
        _event(actor, "model.adopt", copy, {"origin_version": [None, version.pk]}, library)
        return copy

    return _with_files_cleanup(write)


def json_text(definition: list) -> str:
    """A questionnaire definition as the form shows it (empty for none)."""
    return json.dumps(definition, ensure_ascii=False, indent=2, default=str) if definition else ""


def snapshot(version: ModelVersion) -> change_rules.Snapshot:
    return change_rules.Snapshot(
        fields={name: getattr(version, name) for name in change_rules.COMPARED_FIELDS},
        files={f.original_name: f.digest for f in version.files.all()},
    )


@dataclass
class Update:
    """What a copy's update brings: the upstream versions out since the adopted one (newest first) and what
    changed from the adopted version to the newest."""

    target: ModelVersion
    versions: list[ModelVersion]
    changes: change_rules.Changes


def pending_update(copy: LibraryModel) -> Update | None:
    # update_number is None without a published upstream version newer than the adopted one.
    if copy.update_number is None or copy.origin_version is None:
        return None
    adopted = copy.origin_version
    upstream = adopted.model
    target = upstream.current_version
    if target is None:
        return None
    versions = list(
        upstream.versions.released()
        .filter(number__gt=adopted.number)
        .prefetch_related("files")
        .order_by("-number")
    )
    return Update(target, versions, change_rules.changes(snapshot(adopted), snapshot(target)))


def accept_update(actor: Actor, copy: LibraryModel) -> ModelVersion:
    """The copy moves to the newest upstream version: a new local version with its text and files, published,
    the copy's local notes kept."""
    library = require_editor(actor, copy)

    def write(written):
        locked = LibraryModel.objects.select_for_update().get(pk=copy.pk)
        update = pending_update(locked)
        if update is None:
            raise ValidationError(_("There is no update to accept."))
        target = update.target
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ModelVersion.objects.create(
            model=locked,
            number=number,
            title=target.title,
            legal_basis=target.legal_basis,
            description=target.description,
            questionnaire=target.questionnaire,
            changelog=_("Updated to version %(number)d of the original model: %(changelog)s")
            % {"number": target.number, "changelog": target.changelog},
            created_by=actor.user,
        )
        _copy_files(target, version, written)
        old = locked.origin_version_id
        locked.origin_version = target
        locked.dismissed_number = None
        locked.save(update_fields=["origin_version", "dismissed_number"])
        _make_current(locked, version, timezone.now())
        _event(actor, "model.accept_update", locked, {"origin_version": [old, target.pk]}, library)
        return version

    return _with_files_cleanup(write)


def dismiss_update(actor: Actor, copy: LibraryModel) -> LibraryModel:
    """The Province keeps its copy as it is: the update is no longer shown, until a newer version is out."""
    library = require_editor(actor, copy)
    with transaction.atomic():
        locked = LibraryModel.objects.select_for_update().get(pk=copy.pk)
        number = locked.update_number
        if number is None:
            raise ValidationError(_("There is no update to dismiss."))
        locked.dismissed_number = number
        locked.save(update_fields=["dismissed_number"])
        _event(actor, "model.dismiss_update", locked, {"dismissed_number": [None, number]}, library)
    return locked


# --- Starting from a model ----------------------------------------------------------------------------------


def _usable(actor: Actor, version: ModelVersion, kind: str) -> Organization:
    """The Province that starts from ``version``: it must be the published version of a model of kind ``kind``."""
    membership = actor.membership
    if membership is None or membership.organization.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied
    require_readable(actor, version)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only the published version of a model can be used."))
    if version.model.kind != kind:
        raise ValidationError(_("This kind of model cannot be used for that."))
    return membership.organization


def _record_use(actor, version, province, kind, target_id) -> ModelUse:
    use = ModelUse.objects.create(
        version=version, province=province, kind=kind, target_id=target_id, created_by=actor.user
    )
    _event(actor, "model.use", use, {"kind": [None, kind], "version": [None, version.pk]}, province)
    return use


def start_agreement_template(actor: Actor, version: ModelVersion, file: VersionFile) -> ModelUse:
    """The Province's agreement document template (a new version of it) from a convention scheme's DOCX.

    Raises:
        PermissionDenied: the actor is not a Province's administrator (who alone uploads templates).
        ValidationError: not a published convention scheme, not one of its DOCX files, or a DOCX the
            documents app refuses (its placeholders); nothing is written.
    """
    province = _usable(actor, version, ModelKind.CONVENTION)
    if file.version_id != version.pk or not file.is_docx:
        raise ValidationError(_("Choose a DOCX file of this version."))
    with transaction.atomic(), file.file.open("rb") as handle:
        upload = File(handle, name=file.original_name)
        note = _("From the library model “%(title)s”, version %(number)d.") % {
            "title": version.title,
            "number": version.number,
        }
        template = documents.upload_template(actor, TemplateKind.AGREEMENT, upload, note)
        return _record_use(actor, version, province, UseKind.AGREEMENT_TEMPLATE, template.pk)


def start_questionnaire(actor: Actor, version: ModelVersion) -> tuple[ModelUse, int]:
    """A questionnaire of the Province for its data campaigns, from a questionnaire template's definition.
    Returns the use and the new questionnaire's id.

    Raises:
        PermissionDenied: the actor is not the Province's administrator or data officer.
        ValidationError: not a published questionnaire template with a definition; nothing is written.
    """
    province = _usable(actor, version, ModelKind.QUESTIONNAIRE)
    if not version.questionnaire:
        raise ValidationError(_("This version carries no questionnaire definition."))
    with transaction.atomic():
        questionnaire = questionnaires.create_questionnaire_from_sections(
            actor,
            questionnaires.QuestionnaireData(title=version.title, description=version.description),
            version.questionnaire,
        )
        use = _record_use(actor, version, province, UseKind.QUESTIONNAIRE, questionnaire.pk)
    return use, questionnaire.pk
