"""Market data: the contracts that ANAC publishes as OCDS, imported read-only by ``casacomuni import_ocds``.

Reference data, like the territory: nobody edits a release here, the import replaces it when ANAC changes
it. Each release is linked, where the import can tell, to the Comune (or Unione) that bought: its
organisation on the platform by codice fiscale, or the comune by name. Reads go through ``for_user``: a
Comune sees its own releases, a Province those of the comuni of its territory.
"""

from django.db import models
from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy

# What a release spent: the awarded amount, else the tender's estimated value.
SPENT = Coalesce("award_amount", "value_amount", output_field=DecimalField(max_digits=18, decimal_places=2))
ZERO = models.Value(0, output_field=DecimalField(max_digits=18, decimal_places=2))


class MarketReleaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """The releases the acting organisation may read: its own (a Comune, a Unione), those of the comuni
        of its territory (a Province); none for anybody else."""
        if province := tenancy.as_province(user):
            return self.filter(
                tenancy.in_province_of(province, "municipality")
                | tenancy.in_province_of(province, "organization")
            )
        if party := tenancy.as_local_party(user):
            own = Q(organization=party)
            if party.municipality_id:
                own |= Q(municipality_id=party.municipality_id)
            return self.filter(own)
        return self.none()

    def linked(self):
        return self.filter(Q(organization__isnull=False) | Q(municipality__isnull=False))

    def totals_by_year(self):
        """Per year of the release date (None last): how much was bought alone and through another entity
        (a SUA, a centrale di committenza), with the number of releases of each kind."""
        return (
            self.values("year").annotate(**_split_totals()).order_by(models.F("year").desc(nulls_last=True))
        )

    def totals_by_buyer(self, limit: int = 20):
        """The ``limit`` buyers that spent most, with their alone / through another entity split."""
        return (
            self.values("municipality_id", "municipality__name", "organization_id", "organization__name")
            .annotate(**_split_totals(), total=Coalesce(Sum(SPENT), ZERO))
            .order_by("-total", "municipality__name", "organization__name")[:limit]
        )


def _split_totals() -> dict:
    alone, through = Q(delegated=False), Q(delegated=True)
    return {
        "alone_amount": Coalesce(Sum(SPENT, filter=alone), ZERO),
        "alone_count": Count("pk", filter=alone),
        "through_amount": Coalesce(Sum(SPENT, filter=through), ZERO),
        "through_count": Count("pk", filter=through),
    }


class MarketRelease(models.Model):
    """One OCDS release as ANAC published it, with the fields the market pages read pulled out of it."""

    ocid = models.CharField("ocid", max_length=100)
    release_id = models.CharField(_("release id"), max_length=255)
    date = models.DateTimeField(_("release date"), null=True, blank=True)
    # The date as published: ANAC's is often malformed ("2025-01-08 17:31:38.793T12:00:00Z").
    date_text = models.CharField(_("release date as published"), max_length=100, blank=True)
    date_malformed = models.BooleanField(_("malformed date"), default=False)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    buyer_name = models.TextField(_("buyer"))
    buyer_fiscal_code = models.CharField(_("buyer's fiscal code"), max_length=16, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_releases",
        verbose_name=_("organisation"),
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_releases",
        verbose_name=_("municipality"),
    )
    # Filled only when another entity (a SUA, a centrale di committenza) ran the procedure for the buyer.
    procuring_entity_name = models.TextField(_("procuring entity"), blank=True)
    procuring_entity_fiscal_code = models.CharField(
        _("procuring entity's fiscal code"), max_length=16, blank=True
    )
    delegated = models.BooleanField(_("run by another entity"), default=False)
    title = models.TextField(_("object"), blank=True)
    procurement_method = models.CharField(_("procurement method"), max_length=20, blank=True)
    procurement_method_details = models.TextField(_("procurement method details"), blank=True)
    main_procurement_category = models.CharField(_("main procurement category"), max_length=20, blank=True)
    value_amount = models.DecimalField(
        _("estimated value"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    value_currency = models.CharField(_("currency"), max_length=3, blank=True)
    cpv = models.CharField("CPV", max_length=20, blank=True)
    award_amount = models.DecimalField(
        _("awarded amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    award_currency = models.CharField(_("award currency"), max_length=3, blank=True)
    supplier_names = models.JSONField(_("suppliers"), default=list, blank=True)
    bid_count = models.PositiveIntegerField(_("number of bids"), null=True, blank=True)
    lot_count = models.PositiveIntegerField(_("number of lots"), default=0)
    cigs = models.JSONField("CIG", default=list, blank=True)
    release = models.JSONField(_("OCDS release"))
    digest = models.CharField(max_length=64, editable=False)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = MarketReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "ocid"]
        verbose_name = _("market release")
        verbose_name_plural = _("market releases")
        constraints = [
            models.UniqueConstraint(fields=["ocid", "release_id"], name="unique_market_release"),
        ]
        indexes = [
            models.Index(fields=["buyer_fiscal_code"], name="market_buyer_code_idx"),
            models.Index(fields=["date"], name="market_date_idx"),
            models.Index(fields=["municipality", "year"], name="market_municipality_year_idx"),
            models.Index(fields=["organization", "year"], name="market_organization_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ocid} — {self.buyer_name}"

    @property
    def spent(self):
        return self.award_amount if self.award_amount is not None else self.value_amount
