"""Italy's territory as ISTAT publishes it: regions, supra-municipal units (provinces) and comuni.

Reference data, not tenant-owned: every user may read it. Comuni are never deleted; when ISTAT merges or
renames one, the old row gets a validity end date (``valid_to``) and, where known, its successor.
"""

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from casacomuni.territory.istat import search_key


class RegionQuerySet(models.QuerySet):
    def with_counts(self):
        """Regions with the number of their provinces and of their current comuni, in one query."""
        return self.annotate(
            province_count=Count("provinces", distinct=True),
            municipality_count=Count(
                "provinces__municipalities",
                filter=Q(provinces__municipalities__valid_to__isnull=True),
                distinct=True,
            ),
        )


class Region(models.Model):
    code = models.CharField(_("ISTAT code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_ordinary_statute = models.BooleanField(_("ordinary-statute region"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class UtsType(models.IntegerChoices):
    """ISTAT "Tipologia di Unità territoriale sovracomunale"."""

    PROVINCE = 1, _("Province")
    AUTONOMOUS_PROVINCE = 2, _("Autonomous province")
    METROPOLITAN_CITY = 3, _("Metropolitan city")
    FREE_CONSORTIUM = 4, _("Free municipal consortium")
    NON_ADMINISTRATIVE = 5, _("Non-administrative unit")


class ProvinceQuerySet(models.QuerySet):
    def ordinary_statute(self):
        return self.filter(is_ordinary_statute=True)

    def with_totals(self):
        """Provinces with the number and the total population of their current comuni."""
        current = Q(municipalities__valid_to__isnull=True)
        return self.annotate(
            municipality_count=Count("municipalities", filter=current),
            population_total=Sum("municipalities__population", filter=current),
        )


class Province(models.Model):
    """A supra-municipal territorial unit (UTS): province, metropolitan city, free consortium…"""

    code = models.CharField(_("UTS code"), max_length=3, unique=True)
    historical_code = models.CharField(_("historical province code"), max_length=3)
    name = models.CharField(_("name"), max_length=100)
    sigla = models.CharField(_("abbreviation"), max_length=2, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")
    uts_type = models.PositiveSmallIntegerField(_("UTS type"), choices=UtsType.choices)
    # One of the 76 provinces of the ordinary-statute regions (UTS type 1, Valle d'Aosta excluded).
    is_ordinary_statute = models.BooleanField(_("province of an ordinary-statute region"), default=False)
    nuts3 = models.CharField(_("NUTS 3 code"), max_length=5, blank=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return f"{self.name} ({self.sigla})"


class MunicipalityQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)

    def search(self, text: str):
        """Comuni whose name starts with ``text``, ignoring case and accents ("citta di ca" finds
        "Città di Castello"); also matches the name in the other language."""
        key = search_key(text)
        if not key:
            return self.none()
        return self.filter(Q(search_name__startswith=key) | Q(search_name_other__startswith=key))


class Municipality(models.Model):
    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True)
    istat_numeric_code = models.PositiveIntegerField(_("ISTAT numeric code"))
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_other_language = models.CharField(_("name in the other language"), max_length=200, blank=True)
    # Lower-case name without accents, for accent-insensitive prefix search on both databases.
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    search_name_other = models.CharField(max_length=200, db_index=True, editable=False, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")
    is_capoluogo = models.BooleanField(_("provincial capital"), default=False)
    nuts3 = models.CharField(_("NUTS 3 code"), max_length=5, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population reference year"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors"
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [models.Index(fields=["province", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_search_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "name_other_language"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name", "search_name_other"}
        super().save(*args, **kwargs)

    def set_search_names(self) -> None:
        """Keep the search copies in step with the names (bulk writes call this, as save() does)."""
        self.search_name = search_key(self.name)
        self.search_name_other = search_key(self.name_other_language)
