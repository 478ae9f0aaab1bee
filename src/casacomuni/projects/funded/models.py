"""Funded projects: what an application becomes once funded (or the office enters directly, for a project
funded without an application through the office), with its financing, budget, commitments and payments,
phases, indicators, PNRR milestones and checks, reporting periods and expenses.

A project is owned by the beneficiary Comune (Unione) and read by its Province's EU-funds office.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.storage import private_upload_to
from casacomuni.projects.applications.models import AMOUNT, Application
from casacomuni.projects.parties import local_party, office_of
from casacomuni.projects.rules import budget


class ProjectStatus(models.TextChoices):
    """OpenCoesione's OC_STATO_PROGETTO: Non avviato, In corso, Liquidato, Concluso."""

    NOT_STARTED = "not_started", pgettext_lazy("project status", "Not started")
    ONGOING = "ongoing", pgettext_lazy("project status", "Ongoing")
    SETTLED = "settled", pgettext_lazy("project status", "Settled")
    COMPLETED = "completed", pgettext_lazy("project status", "Completed")


class FundedProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """The beneficiary Comune (Unione) sees its projects; the Province's EU-funds office those of its
        territory; everybody else none."""
        party = local_party(user)
        if party is not None:
            return self.filter(beneficiary=party)
        office = office_of(user)
        if office is not None:
            return self.filter(province=office)
        return self.none()

    def with_totals(self):
        """Financing by source, total, commitments, payments and expenses as annotations: one query for any
        number of projects (each sum a correlated subquery, so the joins do not multiply the rows)."""
        from casacomuni.projects.funded import selectors

        return selectors.annotate_totals(self)


class FundedProject(models.Model):
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("application"),
    )
    cup = models.CharField(_("CUP"), max_length=15, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    programme = models.CharField(_("programme"), max_length=200)
    measure = models.CharField(_("measure"), max_length=200, blank=True)
    beneficiary = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="funded_projects",
        verbose_name=_("beneficiary Comune or Unione"),
    )
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="territory_projects",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.NOT_STARTED
    )
    is_pnrr = models.BooleanField(_("PNRR project"), default=False)
    pnrr_measure = models.CharField(
        _("PNRR mission, component and investment"), max_length=60, blank=True, help_text=_("e.g. M2C4I2.2")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    actual_end_date = models.DateField(_("actual end date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = FundedProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")

    def __str__(self) -> str:
        return f"{self.cup} — {self.title}"

    @property
    def cost_plan_gap(self) -> Decimal | None:
        """Budget lines minus financing when they differ (rules.budget); needs ``with_totals()``."""
        return budget.cost_plan_gap(self.fin_total, self.budget_total)

    @property
    def cost_plan_difference(self) -> Decimal | None:
        """The gap as a positive amount, for the sentence that says which way it goes."""
        gap = self.cost_plan_gap
        return abs(gap) if gap is not None else None


class FinancingSource(models.TextChoices):
    EU = "eu", _("European Union")
    STATE = "state", _("State")
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province")
    COMUNE = "comune", _("Comune")
    PRIVATE = "private", _("Private")


PUBLIC_SOURCES = (
    FinancingSource.EU,
    FinancingSource.STATE,
    FinancingSource.REGION,
    FinancingSource.PROVINCE,
    FinancingSource.COMUNE,
)


class Financing(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="financing")
    source = models.CharField(_("source"), max_length=20, choices=FinancingSource.choices)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(0)])
    note = models.CharField(_("act or fund"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("financing")
        verbose_name_plural = _("financing")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount}"


class BudgetLine(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="budget_lines")
    description = models.CharField(_("budget line"), max_length=300)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return self.description


class MovementKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    PAYMENT = "payment", _("Payment")


class Movement(models.Model):
    """A commitment (impegno) or a payment (pagamento), with the act it comes from."""

    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(0)])
    date = models.DateField(_("date"))
    document = models.CharField(_("act"), max_length=300, help_text=_("e.g. Determina n. 45 del 12/03/2026"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("commitment or payment")
        verbose_name_plural = _("commitments and payments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Phase(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("phase"), max_length=200)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    class Meta:
        ordering = ["planned_start", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return self.name


class ProjectIndicator(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50)
    planned = models.DecimalField(_("planned value"), max_digits=16, decimal_places=2)
    achieved = models.DecimalField(
        _("achieved value"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    TARGET = "target", _("Target")


class Milestone(models.Model):
    """A PNRR milestone (a qualitative step) or target (a quantitative result) with its due date."""

    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    description = models.CharField(_("description"), max_length=300)
    due_on = models.DateField(_("due on"))
    achieved = models.BooleanField(_("achieved"), default=False)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone or target")
        verbose_name_plural = _("milestones and targets")

    def __str__(self) -> str:
        return self.description


class CheckKind(models.TextChoices):
    DNSH = "dnsh", _("Do no significant harm (DNSH)")
    DOUBLE_FUNDING = "double_funding", _("No double funding")
    CONFLICT_OF_INTEREST = "conflict_of_interest", _("No conflict of interest")


class ComplianceCheck(models.Model):
    """One of the PNRR checks, ticked with the date and the person who made it."""

    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("check"), max_length=30, choices=CheckKind.choices)
    passed = models.BooleanField(_("checked and compliant"), default=False)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.CharField(_("checked by"), max_length=200)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="projects_one_check_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReportingPeriod(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    submitted_on = models.DateField(_("statement submitted on"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="projects_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"


class Expense(models.Model):
    """An expense of a statement: its document (invoice, SAL), amount and date, and the CIG of the
    procurement it comes from, if any."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="expenses")
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(0)])
    date = models.DateField(_("date"))
    cig = models.CharField(_("CIG"), max_length=10, blank=True)
    file = models.FileField(_("document"), upload_to=private_upload_to("projects/expenses"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")

    def __str__(self) -> str:
        return self.description


ZERO = Decimal("0.00")
