"""The Province's service catalogue, its agreements (convenzioni) with Comuni and Unioni, and adhesions.

An agreement binds one Province and one Comune (or Unione): sending a model to many Comuni creates one
agreement per Comune, each with its own acts and dates. An adhesion is the Comune's membership of one
service under one agreement, with its own dates.
"""

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.agreements.rules import costs, lifecycle
from casacomuni.lib.storage import private_upload_to


class ServiceKind(models.TextChoices):
    SUA = "sua", _("Single contracting authority (SUA)")
    EU_FUNDS = "eu_funds", _("Associated EU policies office (SAPE)")
    INNOVATION = "innovation", _("Innovation and data services")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical and administrative assistance")
    RECRUITMENT = "recruitment", _("Recruitment and competitions")
    PAYROLL = "payroll", _("Personnel and payroll")
    PLANNING_GIS = "planning_gis", _("Territorial planning and GIS")
    STATISTICS = "statistics", _("Statistics")


class CostModel(models.TextChoices):
    FREE = costs.FREE, _("Free")
    FIXED_FEE = costs.FIXED_FEE, _("Fixed yearly fee")
    PER_INHABITANT = costs.PER_INHABITANT, _("Per inhabitant per year")
    PER_PROCEDURE = costs.PER_PROCEDURE, _("Per procedure")
    PERCENTAGE = costs.PERCENTAGE, _("Percentage of the procurement amount")


class SuaFunction(models.IntegerChoices):
    """Functions delegated to a centrale di committenza, as ANAC's AUSA registry records them."""

    AWARD = 1, _("Award only")
    AWARD_AND_CONTRACT = 2, _("Award and contract signature")
    AWARD_CONTRACT_EXECUTION = 3, _("Award, contract signature and execution")
    AWARD_PROPOSAL = 4, _("Award proposal only")


class AgreementState(models.TextChoices):
    # A context of their own: in Italian an agreement (la convenzione) is "Attiva", a membership "Attivo".
    DRAFT = lifecycle.DRAFT, pgettext_lazy("agreement state", "Draft")
    PROVINCE_APPROVED = (
        lifecycle.PROVINCE_APPROVED,
        pgettext_lazy("agreement state", "Approved by the Province"),
    )
    MUNICIPALITY_APPROVED = (
        lifecycle.MUNICIPALITY_APPROVED,
        pgettext_lazy("agreement state", "Approved by the Comune"),
    )
    SIGNED = lifecycle.SIGNED, pgettext_lazy("agreement state", "Signed")
    ACTIVE = lifecycle.ACTIVE, pgettext_lazy("agreement state", "Active")
    EXPIRED = lifecycle.EXPIRED, pgettext_lazy("agreement state", "Expired")
    WITHDRAWN = lifecycle.WITHDRAWN, pgettext_lazy("agreement state", "Withdrawn")


class Transition(models.TextChoices):
    APPROVE_PROVINCE = lifecycle.APPROVE_PROVINCE, _("Approval by the Province")
    APPROVE_MUNICIPALITY = lifecycle.APPROVE_MUNICIPALITY, _("Approval by the Comune's council")
    SIGN = lifecycle.SIGN, _("Signature")
    ACTIVATE = lifecycle.ACTIVATE, _("Activation")
    RENEW = lifecycle.RENEW, _("Renewal")
    EXPIRE = lifecycle.EXPIRE, _("Expiry")
    WITHDRAW = lifecycle.WITHDRAW, _("Withdrawal")


class ServiceQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Province sees its own catalogue; its Comuni and Unioni its published services; UPI all."""
        if tenancy.as_upi(user):
            return self
        if province := tenancy.as_province(user):
            return self.filter(province=province)
        if party := tenancy.as_local_party(user):
            return self.filter(tenancy.in_province_of(party, "province"), is_published=True)
        return self.none()

    def published(self):
        return self.filter(is_published=True)


class Service(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="services",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("province"),
    )
    kind = models.CharField(_("kind of service"), max_length=30, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    delegated_functions = models.JSONField(_("functions delegated (ANAC codes)"), default=list, blank=True)
    cost_model = models.CharField(_("cost sharing"), max_length=20, choices=CostModel.choices)
    cost_amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=4, default=0)
    cost_minimum = models.DecimalField(
        _("minimum per procedure"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_maximum = models.DecimalField(
        _("maximum per procedure"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    standard_clauses = models.TextField(_("standard clauses"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["province__name", "kind", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="unique_service_name_per_province"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cost_rule(self) -> costs.CostModel:
        return costs.CostModel(self.cost_model, self.cost_amount, self.cost_minimum, self.cost_maximum)


class AgreementQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Province's agreements, or the Comune's (Unione's) own. UPI sees only aggregates."""
        if province := tenancy.as_province(user):
            return self.filter(province=province)
        if party := tenancy.as_local_party(user):
            return self.filter(municipality=party)
        return self.none()

    def in_force_on(self, day: date):
        return self.filter(
            Q(state__in=[lifecycle.ACTIVE, lifecycle.EXPIRED, lifecycle.WITHDRAWN]),
            start_date__lte=day,
            end_date__gte=day,
        ).exclude(withdrawal_effective_date__lte=day)


class Agreement(models.Model):
    """A convenzione under art. 30 TUEL between a Province and one Comune or Unione di Comuni."""

    class RupKeeper(models.TextChoices):
        MUNICIPALITY = "municipality", _("The Comune keeps the RUP")
        PROVINCE = "province", _("The Province appoints the RUP")

    class Party(models.TextChoices):
        PROVINCE = "province", _("Province")
        MUNICIPALITY = "municipality", _("Comune")

    province = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_offered", verbose_name=_("province")
    )
    municipality = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("Comune or Unione")
    )
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.TextField(_("legal basis"))
    object = models.TextField(_("object"))
    governance = models.TextField(_("governance"))
    rup_keeper = models.CharField(
        _("RUP"), max_length=20, choices=RupKeeper.choices, default=RupKeeper.MUNICIPALITY
    )
    data_protection = models.TextField(_("data protection"))
    disputes = models.TextField(_("disputes"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    max_renewals = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    renewals = models.PositiveSmallIntegerField(_("renewals made"), default=0)
    notice_days = models.PositiveSmallIntegerField(_("notice for withdrawal (days)"), default=180)
    state = models.CharField(
        _("state"), max_length=30, choices=AgreementState.choices, default=AgreementState.DRAFT, db_index=True
    )
    province_resolution_number = models.CharField(_("Province resolution number"), max_length=50, blank=True)
    province_resolution_date = models.DateField(_("Province resolution date"), null=True, blank=True)
    municipality_resolution_number = models.CharField(
        _("council resolution number"), max_length=50, blank=True
    )
    municipality_resolution_date = models.DateField(_("council resolution date"), null=True, blank=True)
    municipality_resolution_file = models.FileField(
        _("council resolution"), upload_to=private_upload_to("agreements/resolutions"), blank=True
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_file = models.FileField(
        _("signed agreement"), upload_to=private_upload_to("agreements/signed"), blank=True
    )
    withdrawn_by = models.CharField(_("withdrawn by"), max_length=20, choices=Party.choices, blank=True)
    withdrawal_notice_date = models.DateField(_("withdrawal notice date"), null=True, blank=True)
    withdrawal_effective_date = models.DateField(_("withdrawal effective date"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="agreement_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.municipality}"

    @property
    def facts(self) -> lifecycle.AgreementFacts:
        return lifecycle.AgreementFacts(
            state=self.state,
            start_date=self.start_date,
            end_date=self.end_date,
            notice_days=self.notice_days,
            max_renewals=self.max_renewals,
            renewals=self.renewals,
            province_resolution_date=self.province_resolution_date,
            municipality_resolution_date=self.municipality_resolution_date,
        )

    def in_force(self, on: date) -> bool:
        return lifecycle.in_force(
            self.state, self.start_date, self.end_date, self.withdrawal_effective_date, on
        )

    def allowed_transitions(self) -> list[str]:
        return lifecycle.allowed_transitions(self.state)

    def standing(self, today: date | None = None) -> str:
        """The recorded state corrected by the dates (lifecycle.standing): UPCOMING before the term starts."""
        return lifecycle.standing(
            self.state,
            self.start_date,
            self.end_date,
            self.withdrawal_effective_date,
            today or timezone.localdate(),
        )

    @property
    def standing_label(self) -> str:
        """What the pages call the agreement today: "Attiva" only once its term has started."""
        standing = self.standing()
        if standing == lifecycle.UPCOMING:
            return gettext("Signed, in force from %(day)s") % {
                "day": date_format(self.start_date, "SHORT_DATE_FORMAT")
            }
        return str(AgreementState(standing).label)


class AdhesionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(agreement__in=Agreement.objects.for_user(user))

    def active_on(self, day: date):
        """Adhesions in force on ``day``: the agreement binds and the adhesion's own dates include it."""
        return self.filter(agreement__in=Agreement.objects.in_force_on(day), start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Adhesion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="adhesions")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="adhesions")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = AdhesionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "service__name"]
        verbose_name = _("adhesion")
        verbose_name_plural = _("adhesions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "service"], name="one_adhesion_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.municipality} — {self.service}"

    def active_on(self, day: date) -> bool:
        within = self.start_date <= day and (self.end_date is None or day <= self.end_date)
        return within and self.agreement.in_force(day)

    @property
    def last_day(self) -> date:
        """The adhesion ends with its own end date, the agreement's term or a withdrawal, whichever first."""
        days = [self.agreement.end_date]
        if self.end_date:
            days.append(self.end_date)
        if self.agreement.withdrawal_effective_date:
            days.append(self.agreement.withdrawal_effective_date - timedelta(days=1))
        return min(days)


class JoinRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        if province := tenancy.as_province(user):
            return self.filter(service__province=province)
        if party := tenancy.as_local_party(user):
            return self.filter(municipality=party)
        return self.none()

    def pending(self):
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """A Comune asks to join a further service of its Province."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    municipality = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="join_requests")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="join_requests")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("state"), max_length=20, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")

    def __str__(self) -> str:
        return f"{self.municipality} → {self.service}"
