"""The DOCX templates a Province uploads, one numbered version after another; the files a user left in a
refused form."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.documents.kinds import TemplateKind
from casacomuni.lib.storage import private_upload_to


class DocumentTemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Province's users see their own Province's templates; nobody else sees any."""
        province = tenancy.as_province(user)
        return self.none() if province is None else self.filter(owner=province)

    def current(self, owner, kind: str):
        """The version in use: the highest one, or None when the owner uses the packaged default."""
        return self.filter(owner=owner, kind=kind).order_by("-version").first()


class DocumentTemplate(models.Model):
    """One version of a Province's template of a kind of document. Earlier versions are kept."""

    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="document_templates",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("province"),
    )
    kind = models.CharField(_("kind of document"), max_length=30, choices=TemplateKind.choices)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=private_upload_to("templates"))
    original_name = models.CharField(_("file name"), max_length=255)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="document_templates",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["owner", "kind", "-version"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "version"], name="unique_template_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="template_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} — {self.owner}"


# A form left with its error shown is abandoned after a day: its files are deleted then.
PENDING_UPLOAD_LIFETIME = timedelta(days=1)


class PendingUploadQuerySet(models.QuerySet):
    def of(self, owner, form: str):
        """The files ``owner`` left in ``form`` (one user's drafts: nobody else ever reads them)."""
        return self.filter(owner=owner, form=form)

    def stale(self, now=None):
        """Uploads older than PENDING_UPLOAD_LIFETIME: the form they belonged to was abandoned."""
        return self.filter(created_at__lt=(now or timezone.now()) - PENDING_UPLOAD_LIFETIME)


class PendingUpload(models.Model):
    """A file a user uploaded in a form that was refused for another reason: kept, so that the user does
    not have to choose it again, until the form is sent successfully or the day is over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pending_uploads",
        verbose_name=_("owner"),
    )
    form = models.CharField(_("form"), max_length=100)
    file = models.FileField(_("file"), upload_to=private_upload_to("pending"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    objects = PendingUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")
        indexes = [models.Index(fields=["owner", "form"], name="pending_upload_owner_form")]

    def __str__(self) -> str:
        return self.original_name
