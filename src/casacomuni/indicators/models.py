"""Indicators and their yearly values: one Observation per comune and year, and the Aggregates of groups
of comuni (a Province, a class of similar size, Italy) computed with them.

Aggregates are stored, not computed per request: the UPI dashboard reads 76 Provinces × years from them
instead of every comune's value, and the Comune dashboard compares with medians it may see without reading
other Comuni's values at all. They are rewritten with the observations, in the same transaction
(``services.compute_indicators``).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.indicators.rules import stats
from casacomuni.territory.models import Municipality, Province


class Source(models.TextChoices):
    CAMPAIGN = "campaign", _("Data collection campaign")
    PLATFORM = "platform", _("Platform data")


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Indicator(models.Model):
    """An indicator whose definition (how it is computed) is in ``definitions.REGISTRY`` under ``code``."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    # An indicator no longer in the registry keeps its series but is not offered any more.
    is_active = models.BooleanField(_("active"), default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def summary_decimals(self) -> int:
        """Decimals of medians and quartiles: at least 2, as the median of whole numbers may be 3.5 and a
        quartile 2.75."""
        return max(self.decimals, 2)


def visible_municipalities_filter(user, prefix: str = "") -> Q | None:
    """Which comuni's values the acting organisation may read (None: none).

    UPI all; a Province (any of its roles) the comuni of its territory; a Comune its own; a Unione its member
    comuni (it acts for them); an operator none.
    """
    if tenancy.as_upi(user) or tenancy.as_province(user):
        # the territory rule, on the territory's Municipality rows (a Province: its comuni)
        return tenancy.organization_filter(user, prefix)
    if comune := tenancy.as_comune(user):
        return Q(**{f"{prefix}pk": comune.municipality_id}) if comune.municipality_id else None
    if union := tenancy.as_local_party(user):
        return Q(**{f"{prefix}pk__in": union.member_municipalities.values("pk")})
    return None


class ObservationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The values of the comuni the acting organisation may read (visible_municipalities_filter)."""
        condition = visible_municipalities_filter(user, prefix="municipality__")
        return self.none() if condition is None else self.filter(condition)

    def of(self, indicator, year: int | None = None):
        queryset = self.filter(indicator=indicator)
        return queryset if year is None else queryset.filter(year=year)


class Observation(models.Model):
    """The value of an indicator for one comune in one year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="observations")
    # The municipality's province, copied so that a Province's values are read on one index.
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "year", "municipality"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "year"], name="one_observation_per_comune_and_year"
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "province", "year"], name="observation_province_idx"),
            models.Index(fields=["municipality", "year"], name="observation_comune_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.municipality_id} {self.year}: {self.value}"


class SizeClass(models.TextChoices):
    """The classes of rules.stats.SIZE_CLASSES, with their labels."""

    LT1000 = "lt1000", _("fewer than 1,000 inhabitants")
    FROM1000 = "1000-4999", _("1,000–4,999 inhabitants")
    FROM5000 = "5000-14999", _("5,000–14,999 inhabitants")
    FROM15000 = "15000-59999", _("15,000–59,999 inhabitants")
    GE60000 = "ge60000", _("60,000 inhabitants or more")


if tuple(SizeClass.values) != stats.SIZE_CLASS_CODES:  # checked on import, also under python -O
    raise ImproperlyConfigured("SizeClass and rules.stats.SIZE_CLASS_CODES list different size classes.")


class AggregateQuerySet(models.QuerySet):
    def national(self):
        return self.filter(province__isnull=True)

    def all_sizes(self):
        return self.filter(size_class="")


class Aggregate(models.Model):
    """Summary of the values of a group of comuni for one indicator and year: a Province (``province`` set)
    or Italy (``province`` empty), all comuni (``size_class`` empty) or those of one class of size.

    Anonymous figures: a Comune sees those of groups of at least ``MIN_GROUP_FOR_MUNICIPALITIES`` comuni.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="aggregates")
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="indicator_aggregates"
    )
    size_class = models.CharField(_("class of size"), max_length=20, choices=SizeClass.choices, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("comuni"))
    minimum = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4)
    q1 = models.DecimalField(_("first quartile"), max_digits=20, decimal_places=4)
    median = models.DecimalField(_("median"), max_digits=20, decimal_places=4)
    q3 = models.DecimalField(_("third quartile"), max_digits=20, decimal_places=4)
    maximum = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4)
    mean = models.DecimalField(_("mean"), max_digits=20, decimal_places=4)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "year", "province", "size_class"]
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "province", "size_class"],
                condition=Q(province__isnull=False),
                name="one_aggregate_per_province_group",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "size_class"],
                condition=Q(province__isnull=True),
                name="one_aggregate_per_national_group",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year", "province"], name="aggregate_lookup_idx")]

    def __str__(self) -> str:
        return (
            f"{self.indicator.code} {self.year} {self.province_id or 'IT'} {self.size_class}: {self.median}"
        )


# Fewer comuni than this and a Comune is not shown the group's figures: with its own value known, the median
# of two comuni would give away the other's.
MIN_GROUP_FOR_MUNICIPALITIES = 5
