"""The help desk (sportello): categories with their service levels, requests for help with their timeline and
attachments, and the FAQ the offices publish from resolved requests.

Tenancy: a request belongs to the Comune (or Unione) that opened it (``party``) and is addressed to its
Province (``province``). The party reads its own requests; in the Province, each office reads the requests of
its service (the SUA officers the SUA's, the EU-funds officers the EU-funds', ...) and the administrator all of
them; internal notes are read by the office only. UPI and the other Provinces read nothing. A published FAQ
entry is read by the Province's people and by its Comuni and Unioni.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import (
    DATA_OFFICE_ROLES,
    EUFUNDS_OFFICE_ROLES,
    SUA_ROLES,
    TRAINING_OFFICE_ROLES,
    OrganizationKind,
    Role,
)
from casacomuni.agreements.models import ServiceKind
from casacomuni.helpdesk.rules import sla, workflow
from casacomuni.lib.search import text_search
from casacomuni.lib.storage import private_upload_to

HOURS_RANGE = [MinValueValidator(1), MaxValueValidator(2000)]


class HelpService(models.TextChoices):
    SUA = "sua", _("Procurement (SUA)")
    EU_FUNDS = "eu_funds", _("EU funds")
    DATA = "data", _("Data and innovation")
    TRAINING = "training", pgettext_lazy("help desk service", "Training")
    OTHER = "other", pgettext_lazy("help desk service", "Other")


# The agreements' service a Comune must have joined to ask each office for help. Training is open to every Comune
# of the Province (its catalogue asks no adhesion), and "other" questions go to the Province as such.
REQUIRED_SERVICE_KIND: dict[str, str] = {
    HelpService.SUA: ServiceKind.SUA,
    HelpService.EU_FUNDS: ServiceKind.EU_FUNDS,
    HelpService.DATA: ServiceKind.INNOVATION,
}

# Who works each office's queue; the Province's administrator belongs to every office.
OFFICE_ROLES: dict[str, tuple[str, ...]] = {
    HelpService.SUA: SUA_ROLES,
    HelpService.EU_FUNDS: EUFUNDS_OFFICE_ROLES,
    HelpService.DATA: DATA_OFFICE_ROLES,
    HelpService.TRAINING: TRAINING_OFFICE_ROLES,
    HelpService.OTHER: (Role.PROVINCE_ADMIN,),
}


def office_services(user) -> tuple[Organization | None, list[str]]:
    """The Province the user works for and the services whose requests it handles there (none: not an office)."""
    membership = tenancy.acting_membership(user)
    province = tenancy.as_province(user)
    if province is None or membership is None:
        return None, []
    return province, [service for service, roles in OFFICE_ROLES.items() if membership.role in roles]


def local_time(instant: datetime) -> datetime:
    """The naive wall-clock time of the office, as ``rules.sla`` reads instants."""
    return timezone.localtime(instant).replace(tzinfo=None)


def aware(wall_clock: datetime) -> datetime:
    return timezone.make_aware(wall_clock)


class CategoryQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Province's categories: its offices read them, its Comuni and Unioni too (to open requests)."""
        if province := tenancy.as_province(user):
            return self.filter(province=province)
        if party := tenancy.as_local_party(user):
            return self.filter(tenancy.in_province_of(party, "province"))
        return self.none()


class Category(models.Model):
    """What a request is about, within one service, with the office's service level."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="helpdesk_categories",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    service = models.CharField(_("service"), max_length=20, choices=HelpService.choices)
    name = models.CharField(_("name"), max_length=150)
    first_answer_hours = models.PositiveSmallIntegerField(
        _("first answer within (working hours)"), validators=HOURS_RANGE
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution within (working hours)"), validators=HOURS_RANGE
    )
    is_active = models.BooleanField(_("offered"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["service", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "service", "name"], name="helpdesk_unique_category_per_service"
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=models.F("first_answer_hours")),
                name="helpdesk_resolution_not_before_first_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RequestState(models.TextChoices):
    NEW = workflow.NEW, pgettext_lazy("help request state", "New")
    IN_PROGRESS = workflow.IN_PROGRESS, pgettext_lazy("help request state", "In progress")
    WAITING = workflow.WAITING, pgettext_lazy("help request state", "Waiting for the Comune")
    RESOLVED = workflow.RESOLVED, pgettext_lazy("help request state", "Resolved")
    CLOSED = workflow.CLOSED, pgettext_lazy("help request state", "Closed")


class HelpRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The party's own requests; for the Province, those to the offices the user works in."""
        province, services = office_services(user)
        if province is not None:
            return self.filter(province=province, service__in=services)
        if party := tenancy.as_local_party(user):
            return self.filter(party=party)
        return self.none()

    def open(self):
        return self.filter(state__in=workflow.OPEN_STATES)

    def at_risk(self, now: datetime):
        """Requests whose running clock is within its at-risk margin, not yet late."""
        return self.filter(next_warn_at__lte=now, next_due_at__gt=now)

    def breached(self, now: datetime):
        return self.filter(next_due_at__lte=now)

    def due_between(self, start: datetime, end: datetime):
        """Open requests with a first answer or a resolution due in [start, end): for the calendar. Indexed
        fields only; the calendar reads ``first_answer_due_at`` (while ``first_answered_at`` is empty) and
        ``resolution_due_at`` (not while the request waits for the Comune: the clock is stopped and the due
        time moves on when it restarts)."""
        first = Q(first_answered_at__isnull=True, first_answer_due_at__gte=start, first_answer_due_at__lt=end)
        resolution = Q(resolution_due_at__gte=start, resolution_due_at__lt=end) & ~Q(state=workflow.WAITING)
        return self.open().filter(first | resolution)

    def search(self, text: str):
        return text_search(self, text, ("subject", "description"))


class HelpRequest(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="help_requests_received",
        verbose_name=_("Province"),
    )
    party = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("Comune or Unione"),
    )
    service = models.CharField(_("service"), max_length=20, choices=HelpService.choices, db_index=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", verbose_name=_("category")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("requester"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests_assigned",
        verbose_name=_("assigned to"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # The service level when the request was opened (the category's may change later).
    first_answer_hours = models.PositiveSmallIntegerField(_("first answer within (working hours)"))
    resolution_hours = models.PositiveSmallIntegerField(_("resolution within (working hours)"))
    first_answer_due_at = models.DateTimeField(_("first answer due at"), db_index=True)
    resolution_due_at = models.DateTimeField(_("resolution due at"), db_index=True)
    # The clock that runs now (first answer, then resolution) and the instant it turns "at risk"; empty while
    # the clock is stopped (waiting for the Comune, resolved, closed). Lists filter on these two.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_warn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    first_answered_at = models.DateTimeField(_("first answer at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Working hours taken, recorded when they happen: the KPIs aggregate them.
    first_answer_working_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    resolution_working_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    at_risk_notified_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    procurement_request = models.ForeignKey(
        "procurement.ProcurementRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    procedure = models.ForeignKey(
        "procurement.Procedure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    call = models.ForeignKey(
        "eufunds.Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "insights.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        indexes = [models.Index(fields=["province", "service", "state"], name="helpdesk_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="helpdesk_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def linked_object(self):
        return self.procurement_request or self.procedure or self.call or self.campaign

    @property
    def paused(self) -> timedelta:
        return timedelta(seconds=self.paused_seconds)

    def clock(self, now: datetime | None = None) -> dict | None:
        """The running clock for the page: which level, due at, working hours left, standing; None when stopped."""
        if self.next_due_at is None:
            return None
        now = now or timezone.now()
        first = self.first_answered_at is None and self.next_due_at == self.first_answer_due_at
        allowed = timedelta(hours=self.first_answer_hours if first else self.resolution_hours)
        remaining = sla.working_time_between(local_time(now), local_time(self.next_due_at))
        late = sla.working_time_between(local_time(self.next_due_at), local_time(now))
        return {
            "first_answer": first,
            "due_at": self.next_due_at,
            "remaining_hours": sla.hours(remaining),
            "late_hours": sla.hours(late),
            "standing": sla.standing(allowed, allowed - remaining + late),
        }


class EntryKind(models.TextChoices):
    OPENED = "opened", _("Request opened")
    ASSIGNED = "assigned", _("Assigned")
    REPLY = "reply", _("Reply from the office")
    NOTE = "note", _("Internal note")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ANSWERED = "answered", _("Message from the Comune")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", pgettext_lazy("help request step", "Reopened")
    CLOSED = "closed", _("Closed and rated")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")


class EntryQuerySet(models.QuerySet):
    def for_user(self, user):
        """The timeline of the requests the user reads; internal notes for the office only."""
        entries = self.filter(request__in=HelpRequest.objects.for_user(user))
        if office_services(user)[0] is None:
            entries = entries.filter(internal=False)
        return entries


class Entry(models.Model):
    """One step of a request's timeline: a state change, a message, or an internal note."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(request__in=HelpRequest.objects.for_user(user))


class Attachment(models.Model):
    """A file of a request (the opening or a message, never an internal note), streamed to its readers only."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=private_upload_to("helpdesk"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


FAQ_SEARCH_FIELDS = ("question", "answer")


class FaqQuerySet(models.QuerySet):
    def for_user(self, user):
        """The office's own entries (drafts too); the Province's other people and its Comuni the published."""
        province, services = office_services(user)
        if province is not None:
            return self.filter(province=province).filter(Q(service__in=services) | Q(published=True))
        if party := tenancy.as_local_party(user):
            return self.filter(tenancy.in_province_of(party, "province"), published=True)
        return self.none()

    def search(self, text: str):
        return text_search(self, text, FAQ_SEARCH_FIELDS)


class FaqEntry(models.Model):
    """A question and its answer, written from a resolved request without naming the Comune."""

    province = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="helpdesk_faq", verbose_name=_("Province")
    )
    service = models.CharField(_("service"), max_length=20, choices=HelpService.choices)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    published = models.BooleanField(_("published"), default=False)
    source = models.ForeignKey(
        HelpRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="faq_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = FaqQuerySet.as_manager()

    class Meta:
        ordering = ["service", "-published_at", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question
