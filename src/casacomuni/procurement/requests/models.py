"""Procurement requests: a Comune (or Unione) asks the SUA of its Province to run a procedure for it.

A request carries the object, the amounts, the funding and the RUP, its attachments (project,
specifications), and a snapshot of the procedure router's verdict taken when it was (re)submitted. The SUA
accepts it, asks for changes or rejects it; the Comune may withdraw it before it is accepted.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib import identifiers
from casacomuni.lib.storage import private_upload_to
from casacomuni.procurement.rules import router


class ContractKind(models.TextChoices):
    """The object of the contract, as the procedure router (``rules.router.OBJECTS``) reads it."""

    WORKS = router.OBJECT_WORKS, _("Works")
    SERVICES = router.OBJECT_SERVICES, _("Services")
    SUPPLIES = router.OBJECT_SUPPLIES, _("Supplies")
    SOCIAL_SERVICES = router.OBJECT_SOCIAL_SERVICES, _("Social and other specific services")
    ENGINEERING = router.OBJECT_ENGINEERING, _("Engineering and architecture services")


class FundingSource(models.TextChoices):
    OWN_BUDGET = "own_budget", _("Own budget")
    STATE = "state", _("State")
    REGION = "region", _("Region")
    EU = "eu", _("European Union")
    PNRR = "pnrr", _("PNRR")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("procurement request state", "Submitted")
    CHANGES_REQUESTED = "changes_requested", pgettext_lazy("procurement request state", "Changes requested")
    ACCEPTED = "accepted", pgettext_lazy("procurement request state", "Accepted")
    REJECTED = "rejected", pgettext_lazy("procurement request state", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("procurement request state", "Withdrawn")


# States in which the Comune still owns the next move or the SUA has not decided yet.
OPEN_STATES = (RequestState.SUBMITTED, RequestState.CHANGES_REQUESTED)


class ProcurementRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Comune's (Unione's) own requests; for the Province, those addressed to its SUA, read by its
        administrator and SUA officers only. UPI and operators see none (UPI: aggregates, later)."""
        if sua := tenancy.as_sua(user):
            return self.filter(province=sua)
        if party := tenancy.as_local_party(user):
            return self.filter(municipality=party)
        return self.none()


class ProcurementRequest(models.Model):
    municipality = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="procurement_requests",
        verbose_name=_("Comune or Unione"),
    )
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="procurement_requests_received",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("SUA of the Province"),
    )
    title = models.CharField(_("object"), max_length=300)
    description = models.TextField(_("description"))
    contract_kind = models.CharField(_("kind of contract"), max_length=20, choices=ContractKind.choices)
    cpv_code = models.CharField(_("CPV code"), max_length=8, help_text=_("The 8 digits"))
    base_amount = models.DecimalField(
        _("estimated base amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    options_amount = models.DecimalField(
        _("options and renewals"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cup = models.CharField(_("CUP"), max_length=15, blank=True)
    pnrr = models.BooleanField(_("PNRR funding"), default=False)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    rup_name = models.CharField(_("RUP"), max_length=200)
    rup_fiscal_code = models.CharField(_("RUP's codice fiscale"), max_length=16, blank=True)
    desired_award_date = models.DateField(_("desired award date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.SUBMITTED, db_index=True
    )
    answer = models.TextField(_("SUA's answer"), blank=True)
    # The router's inputs that are not in the request: the Comune's qualification (Allegato II.4) and the
    # SUA's. Defaults: a Comune is not qualified, a Province's SUA holds the advanced level; the service
    # may be given others (see services.RouterSettings).
    buyer_qualification = models.CharField(_("Comune's qualification"), max_length=20, default=router.NONE)
    sua_qualification = models.CharField(_("SUA's qualification"), max_length=20, default=router.ADVANCED)
    route_verdict = models.JSONField(_("procedure router's verdict"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ProcurementRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("procurement request")
        verbose_name_plural = _("procurement requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(base_amount__gte=0), name="request_base_not_negative"),
            models.CheckConstraint(
                condition=models.Q(options_amount__gte=0), name="request_options_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total_amount(self) -> Decimal:
        """The estimated value the thresholds are measured on: options and renewals included (art. 14 c.4)."""
        return self.base_amount + self.options_amount

    @property
    def cpv_description(self) -> str:
        return identifiers.cpv_vocabulary().get(self.cpv_code, "")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AttachmentKind(models.TextChoices):
    PROJECT = "project", _("Project")
    SPECIFICATIONS = "specifications", _("Specifications")
    OTHER = "other", _("Other")


class RequestAttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(request__in=ProcurementRequest.objects.for_user(user))


class RequestAttachment(models.Model):
    """A document of a request, stored under a random name and streamed only to the request's readers."""

    request = models.ForeignKey(ProcurementRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=private_upload_to("procurement/requests"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = RequestAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
