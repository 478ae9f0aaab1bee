"""Write operations of the documents app: uploading a new version of a Province's template; keeping the
files of a refused form until it is sent again."""

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.audit.services import record_event
from casacomuni.documents import docx, kinds
from casacomuni.documents.models import DocumentTemplate, PendingUpload


def upload_template(actor: Actor, kind: str, uploaded_file, note: str = "") -> DocumentTemplate:
    """Store ``uploaded_file`` as the next version of the acting Province's template of ``kind``.

    The file is checked first (a real DOCX within the size limit, valid Jinja, only the placeholders of
    the kind's vocabulary, and a test fill with its sample data): a file that fails writes nothing.

    Raises:
        PermissionDenied: the actor is not a Province administrator.
        ValidationError: the file cannot be used; the message says why and names unknown placeholders.
    """
    tenancy.require_role(actor.user, Role.PROVINCE_ADMIN)
    province = actor.organization
    if province is None or province.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied
    if kind not in kinds.TemplateKind.values:
        raise ValidationError(_("Choose a kind of document."), code="kind")
    data = read_upload(uploaded_file)
    source = kinds.source(kind)
    try:
        placeholders = docx.check(data, source.VOCABULARY, source.sample_context())
    except docx.TemplateProblem as problem:
        raise ValidationError(problem.message, code="template") from problem
    template = DocumentTemplate(
        owner=province,
        kind=kind,
        original_name=PurePath(uploaded_file.name or "modello.docx").name[-255:],
        placeholders=placeholders,
        uploaded_by=actor.user,
        note=note,
    )
    try:
        with transaction.atomic():
            # Serialises uploads of one Province, so that two of them never take the same version number.
            Organization.objects.select_for_update().filter(pk=province.pk).first()
            latest = DocumentTemplate.objects.filter(owner=province, kind=kind).aggregate(v=Max("version"))[
                "v"
            ]
            template.version = (latest or 0) + 1
            template.file.save(template.original_name, ContentFile(data), save=False)
            template.save()
            record_event(
                actor,
                "document_template.upload",
                template,
                {
                    "kind": [None, kind],
                    "version": [None, template.version],
                    "file": [None, template.original_name],
                },
            )
    except BaseException:
        # The row rolled back: the file must not outlive it.
        if template.file.name:
            template.file.storage.delete(template.file.name)
        raise
    return template


def read_upload(uploaded_file) -> bytes:
    """The upload's bytes, refusing a file over the limit before reading it into memory."""
    if uploaded_file.size is not None and uploaded_file.size > docx.MAX_TEMPLATE_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": docx.MAX_TEMPLATE_BYTES // 1024 // 1024},
            code="size",
        )
    uploaded_file.seek(0)
    return uploaded_file.read()


# --- Pending uploads ---------------------------------------------------------------------------------------
# A pending upload is a user's draft, not a record: nothing is audited until the form that uses it is sent,
# and the service that receives the file then records it in the trail with the rest of the form.


def keep_upload(owner, form: str, uploaded_file) -> PendingUpload:
    """Store ``uploaded_file``, chosen by ``owner`` in ``form``, as a pending upload.

    The form was refused for another reason: the file is shown again and used when the form is sent.
    """
    pending = PendingUpload(
        owner=owner,
        form=form,
        original_name=PurePath(uploaded_file.name or "file").name[-255:],
        size=uploaded_file.size,
    )
    try:
        with transaction.atomic():
            pending.file.save(pending.original_name, uploaded_file, save=False)
            pending.save()
    except BaseException:
        if pending.file.name:
            pending.file.storage.delete(pending.file.name)
        raise
    return pending


def discard_uploads(uploads) -> int:
    """Delete pending uploads (used, removed by their owner or stale), rows and files. Returns how many."""
    uploads = list(uploads)
    with transaction.atomic():
        PendingUpload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
    for upload in uploads:
        # After the rows: a file whose row survives a failure is still reachable, and purged later.
        upload.file.storage.delete(upload.file.name)
    return len(uploads)


def purge_stale_uploads(now=None) -> int:
    """The daily clean-up: the pending uploads of forms abandoned for more than a day."""
    return discard_uploads(PendingUpload.objects.stale(now))
