"""Experiences and good practices (issue 12, item 2): what a Province did for its Comuni, described in a
structured form (problem, solution, organisation, costs, results with figures, documents, contact), reviewed
and published by UPI, replicated by other Provinces.

Tenancy: an experience belongs to the Province that describes it (``province``). Published experiences are
public (anyone, logged out too, reads them and their documents); the others are read by their Province and by
UPI, which reviews them. A replication is read by the two Provinces it puts in contact and by UPI.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.search import text_search
from casacomuni.lib.storage import private_upload_to
from casacomuni.territory.models import Municipality

# The start years an experience may give: anything else is a typing error.
FIRST_YEAR = 1990
LAST_YEAR = 2100


class ServiceArea(models.TextChoices):
    PROCUREMENT = "procurement", _("Public procurement (SUA)")
    EU_FUNDS = "eu_funds", _("EU funds and projects")
    DATA = "data", _("Innovation and data")
    TRAINING = "training", pgettext_lazy("service area", "Training")
    AGREEMENTS = "agreements", _("Agreements with the Comuni")
    OTHER = "other", pgettext_lazy("service area", "Other")


class ExperienceState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("experience state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("experience state", "Submitted for review")
    PUBLISHED = "published", pgettext_lazy("experience state", "Published")
    RETURNED = "returned", pgettext_lazy("experience state", "Sent back")


# The states in which the Province may still change what it wrote.
EDITABLE_STATES = (ExperienceState.DRAFT, ExperienceState.RETURNED)

# The fields free-text search reads, in the order of the GIN index of migration 0002 (keep them together).
EXPERIENCE_SEARCH_FIELDS = ("title", "problem", "solution", "organisation")


class ExperienceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Published experiences for everybody, logged out too; UPI every experience (it reviews them); a
        Province's people its own in every state."""
        if tenancy.as_upi(user) is not None:
            return self.all()
        published = Q(state=ExperienceState.PUBLISHED)
        province = tenancy.as_province(user)
        if province is not None:
            return self.filter(published | Q(province=province))
        return self.filter(published)

    def published(self):
        return self.filter(state=ExperienceState.PUBLISHED)

    def search(self, text: str):
        """Experiences whose title, problem, solution or organisation match ``text`` (``lib.search``)."""
        return text_search(self, text, EXPERIENCE_SEARCH_FIELDS)

    def in_region(self, region_code: str):
        return self.filter(province__province__region__code=region_code)

    def of_province(self, sigla: str):
        return self.filter(province__province__sigla=sigla)


class Experience(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="experiences",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    title = models.CharField(_("title"), max_length=200)
    area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    problem = models.TextField(_("problem"))
    solution = models.TextField(_("solution"))
    organisation = models.TextField(_("organisation"), help_text=_("Who does what, and with which staff."))
    staff = models.PositiveIntegerField(
        _("people at work on it"), null=True, blank=True, validators=[MaxValueValidator(10_000)]
    )
    cost_amount = models.DecimalField(
        _("cost (euro)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_notes = models.TextField(_("notes on the costs"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_role = models.CharField(_("contact's role"), max_length=200)
    contact_email = models.EmailField(_("office e-mail"))
    start_year = models.PositiveSmallIntegerField(
        _("start year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    comuni_count = models.PositiveIntegerField(
        _("Comuni involved"), default=0, validators=[MaxValueValidator(10_000)]
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("which Comuni")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ExperienceState.choices, default=ExperienceState.DRAFT
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")
        indexes = [models.Index(fields=["state", "area"])]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES


class Result(models.Model):
    """A result with its figure: "Gare aggregate 42", "Risparmio medio 8,3 %"."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="results")
    indicator = models.CharField(_("indicator"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value} {self.unit}".strip()


class Document(models.Model):
    """A document of the experience (a resolution, a regulation, a model): PDF, ODT or DOCX, checked by its
    bytes (``lib.uploads``), stored under a random name and streamed to the experience's readers only."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=private_upload_to("experiences"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ReplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """UPI every replication; a Province those it asked for and those of its own experiences."""
        if tenancy.as_upi(user) is not None:
            return self.all()
        province = tenancy.as_province(user)
        if province is None:
            return self.none()
        return self.filter(Q(province=province) | Q(experience__province=province))


class Replication(models.Model):
    """A Province that wants to replicate a published experience of another ("Vogliamo replicarla")."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="replications")
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="experience_replications",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    message = models.TextField(_("message"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["experience", "province"], name="one_replication_per_province")
        ]

    def __str__(self) -> str:
        return f"{self.province} → {self.experience}"
