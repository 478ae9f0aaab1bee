"""Applications for calls: one Comune's (Unione's) pipeline row for one call, its partners, tasks and documents.

An ``Application`` is flagged by the Comune or proposed by its Province's EU-funds office; it moves through the
statuses of ``rules.pipeline`` and, once funded, becomes a ``funded.models.FundedProject``. It is owned by the
lead Comune and read by its Province's office; partners of an application read it too. UPI reads aggregates
only (``results.selectors``).
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.storage import private_upload_to
from casacomuni.projects.parties import local_party, office_of
from casacomuni.projects.rules import pipeline

DEFAULT_LEAD_TIME_DAYS = 15
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class ApplicationStatus(models.TextChoices):
    FLAGGED = pipeline.FLAGGED, pgettext_lazy("application status", "Flagged")
    INTERESTED = pipeline.INTERESTED, pgettext_lazy("application status", "Interested")
    ASSESSING = pipeline.ASSESSING, pgettext_lazy("application status", "Assessing")
    DESIGNING = pipeline.DESIGNING, pgettext_lazy("application status", "Designing")
    SUBMITTED = pipeline.SUBMITTED, pgettext_lazy("application status", "Submitted")
    FUNDED = pipeline.FUNDED, pgettext_lazy("application status", "Funded")
    NOT_FUNDED = pipeline.NOT_FUNDED, pgettext_lazy("application status", "Not funded")
    WITHDRAWN = pipeline.WITHDRAWN, pgettext_lazy("application status", "Withdrawn")


class ProposedBy(models.TextChoices):
    COMUNE = pipeline.COMUNE, _("The Comune flagged its interest")
    OFFICE = pipeline.OFFICE, _("The office proposed the call")


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Comune (Unione) sees the applications it leads or partners; the Province's EU-funds office
        those of its territory; everybody else none (UPI reads the aggregates of ``results.selectors``)."""
        party = local_party(user)
        if party is not None:
            partnered = ApplicationPartner.objects.filter(organization=party).values("application_id")
            return self.filter(Q(lead=party) | Q(pk__in=partnered))
        office = office_of(user)
        if office is not None:
            return self.filter(province=office)
        return self.none()


class Application(models.Model):
    call = models.ForeignKey(
        "eufunds.Call", on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    lead = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="led_applications",
        verbose_name=_("lead Comune or Unione"),
    )
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="territory_applications",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("project idea"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.FLAGGED,
        db_index=True,
    )
    proposed_by = models.CharField(_("proposed by"), max_length=10, choices=ProposedBy.choices)
    requested_amount = models.DecimalField(
        _("requested amount"), **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    granted_amount = models.DecimalField(
        _("granted amount"), **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=DEFAULT_LEAD_TIME_DAYS,
        validators=[MaxValueValidator(365)],
        help_text=_("The internal deadline falls this many days before the call's deadline."),
    )
    outcome_note = models.TextField(_("notes on the status"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("outcome at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "lead"], name="projects_one_application_per_call_and_lead"
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gte=0),
                name="projects_requested_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="projects_granted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def internal_deadline(self):
        """The call's deadline (local date) minus the lead time; None for a call with no deadline."""
        if self.call.deadline is None:
            return None
        return timezone.localdate(self.call.deadline) - timedelta(days=self.lead_time_days)

    @property
    def is_final(self) -> bool:
        return self.status in pipeline.FINAL

    def facts(self) -> pipeline.Facts:
        return pipeline.Facts(
            has_lead=self.lead_id is not None,
            requested_amount=self.requested_amount,
            granted_amount=self.granted_amount,
        )


class PartnerRole(models.TextChoices):
    PARTNER = "partner", _("Partner")
    COFINANCER = "cofinancer", _("Co-financing partner")
    ASSOCIATED = "associated", _("Associated body")
    DELEGATED_UNION = "delegated_union", _("Unione acting for its members")


class ApplicationPartner(models.Model):
    """A partner of an application: a Comune or Unione of the Province, or an external body by name and
    fiscal code (a university, an association, a Comune of another Province)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application_partnerships",
        verbose_name=_("Comune or Unione"),
    )
    external_name = models.CharField(_("external body"), max_length=300, blank=True)
    external_fiscal_code = models.CharField(_("external body's fiscal code"), max_length=16, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(external_name=""))
                | (Q(organization__isnull=True) & ~Q(external_name="")),
                name="projects_partner_is_local_or_external",
            ),
            models.UniqueConstraint(
                fields=["application", "organization"],
                condition=Q(organization__isnull=False),
                name="projects_partner_once",
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name if self.organization_id else self.external_name

    @property
    def name(self) -> str:
        return str(self)


class ApplicationTask(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application_tasks",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done", "due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class ApplicationDocument(models.Model):
    """A document of an application, stored under a random name and streamed only to its readers."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=private_upload_to("projects/applications"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name
