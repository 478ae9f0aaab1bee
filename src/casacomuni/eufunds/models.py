"""Calls for funding (bandi): the catalogue imported from public sources, eligibility criteria, digests.

The catalogue has two owners. The national catalogue (``province`` NULL) is read by every Province's
EU-funds office and by every Comune, and changed only by its owners: UPI and the scheduled imports (system
actors). A Province's own catalogue (``province`` set: its manual calls and the files its office imports) is
read and changed only within that Province. A Province never changes a national record: an import of a call
already in the national catalogue leaves it as it is.

Eligibility criteria follow the same rule: a national criterion (``province`` NULL: derived by the import
from the record, or entered by UPI) applies everywhere; a Province annotates a call, national or its own,
through criteria of its own, which apply to its comuni only and which only it may change.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import Role
from casacomuni.lib import formats
from casacomuni.lib.search import text_search
from casacomuni.territory.models import Province

# Who of a Comune sets the digest preferences.
DIGEST_EDITOR_ROLES = (Role.MUNICIPALITY_REFERENT,)


class CallSource(models.TextChoices):
    SEDIA = "sedia", _("EU Funding & Tenders Portal")
    INCENTIVI = "incentivi", _("incentivi.gov.it")
    REGIONAL = "regional", _("Regional portal")
    MANUAL = "manual", _("Manual entry")


IMPORTABLE_SOURCES = (CallSource.SEDIA, CallSource.INCENTIVI, CallSource.REGIONAL)


class CallStatus(models.TextChoices):
    FORTHCOMING = "forthcoming", pgettext_lazy("call status", "Forthcoming")
    OPEN = "open", pgettext_lazy("call status", "Open")
    CLOSED = "closed", pgettext_lazy("call status", "Closed")


def catalogue_filter(user) -> Q | None:
    """The calls ``user``'s organisation may read: national ones and its Province's own; None for nothing."""
    if tenancy.as_upi(user):
        return Q()
    reader = tenancy.as_eufunds_office(user) or tenancy.as_local_party(user)
    if reader is None:
        return None
    return Q(province__isnull=True) | Q(province_id=reader.province_id)


def catalogue_filter_for_owner(province_id: int | None) -> Q:
    """The rows of one owner's catalogue: the national one (None) or a Province's."""
    return Q(province__isnull=True) if province_id is None else Q(province_id=province_id)


# The fields free-text search reads, in the order of the GIN index of migration 0005 (keep them together).
CALL_SEARCH_FIELDS = ("title", "summary", "programme", "funder")


class CallQuerySet(models.QuerySet):
    def for_user(self, user):
        condition = catalogue_filter(user)
        return self.none() if condition is None else self.filter(condition)

    def owned_by(self, province_id: int | None):
        return self.filter(catalogue_filter_for_owner(province_id))

    def open_on(self, day):
        """Calls open on ``day``: opened by then (or with no opening date) and whose deadline falls on
        ``day`` or later (or have none: "a sportello" until the funds run out). A two-stage call takes new
        applicants only until its first deadline, so ``second_deadline`` does not count here."""
        return self.filter(Q(opens_on__isnull=True) | Q(opens_on__lte=day)).filter(
            Q(deadline__isnull=True) | Q(deadline__date__gte=day)
        )

    def by_relevance(self):
        """Open calls first, then forthcoming, then closed; each by deadline (none last)."""
        rank = models.Case(
            models.When(status=CallStatus.OPEN, then=models.Value(0)),
            models.When(status=CallStatus.FORTHCOMING, then=models.Value(1)),
            default=models.Value(2),
        )
        return self.alias(status_rank=rank).order_by(
            "status_rank", models.F("deadline").asc(nulls_last=True), "pk"
        )

    def search(self, text: str):
        """Calls whose title, summary, programme or funder match ``text`` (``lib.search``), or whose
        identifier at the source is ``text``."""
        return text_search(self, text, CALL_SEARCH_FIELDS, exact=("source_id",))


class Call(models.Model):
    """A call for funding (bando, avviso, topic)."""

    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    source_id = models.CharField(_("identifier at the source"), max_length=200)
    # SHA-256 of the normalised fields: an unchanged record is recognised without comparing field by field.
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    programme = models.CharField(_("programme"), max_length=200, blank=True, db_index=True)
    funder = models.CharField(_("funder"), max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)
    eligible_actions = models.TextField(_("eligible actions"), blank=True)
    funding_form = models.CharField(_("funding form"), max_length=300, blank=True)
    territorial_scope = models.CharField(_("territorial scope"), max_length=300, blank=True)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    second_deadline = models.DateTimeField(_("second-stage deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.OPEN, db_index=True
    )
    budget_total = models.DecimalField(
        _("total budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_text = models.CharField(_("budget as published"), max_length=300, blank=True)
    min_contribution = models.DecimalField(
        _("minimum contribution"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_contribution = models.DecimalField(
        _("maximum contribution"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Percentage of the project the beneficiary must co-finance (0-100).
    cofinancing_share = models.DecimalField(
        _("co-financing share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    # When a re-import last changed something (digests pick calls changed since the last one).
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now)
    raw = models.JSONField(_("original record"), default=dict, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_calls",
        verbose_name=_("province (own call)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("call for funding")
        verbose_name_plural = _("calls for funding")
        # One record per source identifier in each catalogue: the national one and each Province's own.
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(province__isnull=True),
                name="eufunds_call_unique_national_source_id",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id", "province"],
                condition=Q(province__isnull=False),
                name="eufunds_call_unique_provincial_source_id",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_two_stage(self) -> bool:
        return self.second_deadline is not None


class CallChange(models.Model):
    """A field a re-import found changed (for example a deadline moved)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("field"), max_length=50)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now)
    import_run = models.ForeignKey(
        "ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("change of a call")
        verbose_name_plural = _("changes of calls")

    def __str__(self) -> str:
        return f"{self.call_id} {self.field}"


class ImportRunQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Province's office sees the runs it made; UPI every run, the scheduled ones (run by nobody) too."""
        if tenancy.as_upi(user):
            return self
        if office := tenancy.as_eufunds_office(user):
            return self.filter(organization=office)
        return self.none()


class ImportRun(models.Model):
    """The report of one import: counts and the bad records skipped, with their reasons."""

    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    origin = models.CharField(_("file or address"), max_length=500, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_imports",
        verbose_name=_("run by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # A Province's import: records already in the national catalogue, left as they are.
    national = models.PositiveIntegerField(_("already in the national catalogue"), default=0)
    # Records met twice: the same identifier again in the file, or another identifier with the same content.
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    bad = models.PositiveIntegerField(_("bad records"), default=0)
    criteria_rederived = models.PositiveIntegerField(_("calls whose criteria were derived again"), default=0)
    # [{"ref": "record 3" or an identifier, "reason": "..."}]
    bad_records = models.JSONField(_("bad records"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("import of calls")
        verbose_name_plural = _("imports of calls")

    def __str__(self) -> str:
        return (
            f"{self.get_source_display()} {formats.moment(self.started_at)}"  # also the audit trail's label
        )

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.national + self.duplicates + self.bad


class CriterionKind(models.TextChoices):
    ENTITY_TYPE = "entity_type", _("Entity types")
    POPULATION_MIN = "population_min", _("Minimum population")
    POPULATION_MAX = "population_max", _("Maximum population")
    REGIONS = "regions", _("Regions")
    PROVINCES = "provinces", _("Provinces")
    SPECIAL_TERRITORY = "special_territory", _("Special territory (inner areas, mountain comuni)")
    ASSOCIATION_REQUIRED = "association_required", _("Association required")
    NAMED_COMUNI = "named_comuni", _("Named comuni")
    COFINANCING_SHARE = "cofinancing_share", _("Co-financing share")


class CallCriterionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Criteria of the calls the user reads that apply to its Province (national and its own); UPI all."""
        visible = self.filter(call__in=Call.objects.for_user(user))
        reader = tenancy.acting_organization(user)
        if reader is None or tenancy.as_upi(user):
            return visible
        province = reader.province
        return visible.applying_to(province.sigla if province else None)

    def applying_to(self, province_sigla: str | None):
        """The criteria that judge the comuni of the Province ``province_sigla``: national ones and the
        Province's own (None: national ones only)."""
        if province_sigla is None:
            return self.filter(province__isnull=True)
        return self.filter(Q(province__isnull=True) | Q(province__sigla=province_sigla))


class CallCriterion(models.Model):
    """One eligibility condition of a call, with the excerpt of the call it is quoted from.

    ``value`` holds the structured value read by ``rules.eligibility`` (see its docstring for each kind)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=30, choices=CriterionKind.choices)
    value = models.JSONField(_("value"), default=dict, blank=True)
    excerpt = models.TextField(_("excerpt of the call"))
    # NULL: a national criterion; set: the Province whose own annotation it is (see the module docstring).
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province (own criterion)"),
    )
    annotated_by = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Read by the import from the call's own record (who may apply, where): re-derived when the record is
    # imported again; a criterion a person entered or changed is never touched by an import.
    derived = models.BooleanField(_("from the call's record"), default=False)

    objects = CallCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["call", "kind", "pk"]
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class DigestFrequency(models.TextChoices):
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


# Days between two digests of each frequency.
FREQUENCY_DAYS = {DigestFrequency.FORTNIGHTLY: 14, DigestFrequency.MONTHLY: 30}


def new_token() -> str:
    return secrets.token_urlsafe(32)


class DigestPreferenceQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Comune (Unione) its own; a Province's office those of its territory; UPI none (private)."""
        if office := tenancy.as_eufunds_office(user):
            return self.filter(tenancy.in_province_of(office, "organization"))
        if party := tenancy.as_local_party(user):
            return self.filter(organization=party)
        return self.none()


class DigestPreference(models.Model):
    """How often a Comune (Unione) receives the digest of calls, and about what."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="digest_preference", verbose_name=_("Comune")
    )
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=DigestFrequency.choices, default=DigestFrequency.MONTHLY
    )
    # Programmes or keywords, one per line; empty = every call the Comune is eligible for.
    interests = models.TextField(_("interests"), blank=True)
    unsubscribed = models.BooleanField(_("unsubscribed"), default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    last_sent_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = DigestPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def interest_list(self) -> list[str]:
        return [line.strip() for line in self.interests.replace(",", "\n").splitlines() if line.strip()]

    @property
    def active(self) -> bool:
        return not self.unsubscribed and self.frequency != DigestFrequency.OFF


class DigestDelivery(models.Model):
    """One digest sent: which calls, to how many referents."""

    preference = models.ForeignKey(DigestPreference, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    call_ids = models.JSONField(default=list)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")

    def __str__(self) -> str:
        return f"{self.preference} {formats.day(self.sent_at)}"
