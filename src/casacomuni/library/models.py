"""The model library: models (convention schemes, tender documents, EU-funds and questionnaire templates), their
numbered versions with files, the Provinces' adopted copies and each use of a model.

A *model* belongs to one library: UPI's national one or a Province's own (``owner``). Its text and files live in
its *versions* (draft → published → superseded: publishing a version supersedes the one published before); the
model's own title, description and legal basis are those of its published version, for the lists.

An *adopted copy* is a model of a Province's library whose ``origin_version`` is the upstream version it follows.
The Province adapts the copy with local versions; when the upstream model publishes a newer version, the copy
shows an update, which the Province accepts (the copy moves to that version, its local notes kept) or dismisses.

Tenancy (``LibraryModelQuerySet.for_user``): see its docstring; the versions, files and uses follow their model.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.storage import private_upload_to
from casacomuni.library.rules import changes as change_rules


class ModelKind(models.TextChoices):
    CONVENTION = "convention", _("Convention scheme")
    DETERMINA = "determina", _("Determina a contrarre")
    INVITATION = "invitation", _("Lettera d'invito")
    DISCIPLINARE = "disciplinare", _("Disciplinare di gara")
    CAPITOLATO = "capitolato", _("Capitolato")
    PARTNERSHIP = "partnership", _("Partnership agreement")
    PROJECT_SHEET = "project_sheet", _("Project sheet")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire template")
    OTHER = "other", pgettext_lazy("library model kind", "Other")


class ServiceArea(models.TextChoices):
    SUA = "sua", _("Procurement (SUA)")
    EU_FUNDS = "eu_funds", _("EU funds")
    DATA = "data", _("Data and innovation")
    TRAINING = "training", pgettext_lazy("service area", "Training")
    AGREEMENTS = "agreements", _("Agreements")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("library version", "Draft")
    PUBLISHED = "published", pgettext_lazy("library version", "Published")
    SUPERSEDED = "superseded", pgettext_lazy("library version", "Superseded")


class LibraryModelQuerySet(models.QuerySet):
    def for_user(self, user):
        """Who reads which models, written once here.

        - UPI's published models: every user acting for an organisation (Provinces, Comuni, Unioni, operators);
        - UPI itself: every model of its library, drafts included, and the Provinces' published models (it
          measures the transfer of models), never a Province's drafts;
        - a Province (any of its roles): every model of its own library, drafts included;
        - a Comune or Unione: also the published models of its Province's library (its Province's own schemes
          and the copies it adopted), never another Province's.

        "Published" means the model has a published version (``current_version``)."""
        organization = tenancy.acting_organization(user)
        if organization is None:
            return self.none()
        published = Q(current_version__isnull=False)
        national_published = published & Q(owner__kind=OrganizationKind.UPI)
        if organization.kind == OrganizationKind.UPI:
            return self.filter(Q(owner=organization) | published)
        if organization.kind == OrganizationKind.PROVINCE:
            return self.filter(national_published | Q(owner=organization))
        if tenancy.as_local_party(user) is not None:
            own_province = published & Q(
                owner__kind=OrganizationKind.PROVINCE, owner__province_id=organization.province_id
            )
            return self.filter(national_published | own_province)
        return self.filter(national_published)

    def national(self):
        return self.filter(owner__kind=OrganizationKind.UPI)

    def copies_of(self, model):
        """The adopted copies of ``model`` (in every Province's library)."""
        return self.filter(origin_version__model=model)


class LibraryModel(models.Model):
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="library_models",
        limit_choices_to={"kind__in": [OrganizationKind.UPI, OrganizationKind.PROVINCE]},
        verbose_name=_("library"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ModelKind.choices)
    area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    # The published version's text (the first draft's until one is published): what the lists show.
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    current_version = models.OneToOneField(
        "ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    # An adopted copy: the upstream version it follows now (moved by accepting an update).
    origin_version = models.ForeignKey(
        "ModelVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("adopted version"),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    # The newest upstream version number whose update the Province dismissed: no notice until a newer one.
    dismissed_number = models.PositiveIntegerField(_("update dismissed up to version"), null=True, blank=True)
    local_notes = models.TextField(
        _("local notes"),
        blank=True,
        help_text=_("How the Province adapted the model: kept when it accepts an update."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = LibraryModelQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("library model")
        verbose_name_plural = _("library models")
        indexes = [models.Index(fields=["owner", "kind"], name="library_model_owner_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_copy(self) -> bool:
        return self.origin_version_id is not None

    @property
    def update_number(self) -> int | None:
        """For a copy, the newer upstream version it may move to ("aggiornamento disponibile"), else None. Lists
        select ``origin_version__model__current_version`` so that this costs no query."""
        if self.origin_version is None:
            return None
        upstream = self.origin_version.model.current_version
        return change_rules.update_number(
            self.origin_version.number, upstream.number if upstream else None, self.dismissed_number
        )


class ModelVersionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The versions of the models the user reads; drafts only to the model's own library."""
        organization = tenancy.acting_organization(user)
        if organization is None:
            return self.none()
        visible = self.filter(model__in=LibraryModel.objects.for_user(user))
        return visible.filter(~Q(status=VersionStatus.DRAFT) | Q(model__owner=organization))

    def released(self):
        """Published or superseded: versions that were out, in the changelog of the copies."""
        return self.exclude(status=VersionStatus.DRAFT)


class ModelVersion(models.Model):
    model = models.ForeignKey(LibraryModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # The version's text; "what changed" compares these between two versions.
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    changelog = models.TextField(_("what changed"))
    # A questionnaire template's sections, in the format of insights' built-in templates.
    questionnaire = models.JSONField(_("questionnaire definition"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ModelVersionQuerySet.as_manager()

    class Meta:
        ordering = ["model", "-number"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="library_unique_version_number"),
            models.UniqueConstraint(
                fields=["model"], condition=Q(status="draft"), name="library_one_draft_per_model"
            ),
            models.UniqueConstraint(
                fields=["model"], condition=Q(status="published"), name="library_one_published_per_model"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class VersionFile(models.Model):
    """A file of a version. A later version keeps the files it does not replace as rows of its own (the stored
    file is shared: files are never deleted)."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=private_upload_to("library"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # SHA-256 of the content: "replaced" means the same name with another content.
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["original_name", "pk"]
        verbose_name = _("model file")
        verbose_name_plural = _("model files")
        constraints = [
            models.UniqueConstraint(fields=["version", "original_name"], name="library_unique_file_name")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_docx(self) -> bool:
        return self.original_name.lower().endswith(".docx")


class UseKind(models.TextChoices):
    AGREEMENT_TEMPLATE = "agreement_template", _("Agreement document template")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire for data campaigns")


class ModelUseQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(version__in=ModelVersion.objects.for_user(user))


class ModelUse(models.Model):
    """A Province started something from a model's version: a document template, a questionnaire. Counted with
    the adoptions in "where used" (of the model and, for a copy, of its upstream model)."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="uses")
    province = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="library_uses", verbose_name=_("Province")
    )
    kind = models.CharField(_("use"), max_length=30, choices=UseKind.choices)
    # What was made (the template's or the questionnaire's id in its app): for the record, not a relation.
    target_id = models.PositiveBigIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("used at"), default=timezone.now)

    objects = ModelUseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("model use")
        verbose_name_plural = _("model uses")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.version}"
