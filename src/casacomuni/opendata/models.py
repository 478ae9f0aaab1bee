"""A Province's open-data catalogue: its datasets, built by generators from the platform's data, and their
CSV and JSON distributions.

The catalogue (one per Province) carries the publisher's IPA code, which prefixes every dataset identifier
(``codiceIPA:ID``, DCAT-AP_IT). A dataset names the generator that builds its rows; its distributions are
regenerated on schedule and ``modified`` moves only when the content changed. Published datasets and their
files are public (no login); the Province's data officers and administrators manage them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.opendata.rules import dcatapit


def validate_ipa_code(value: str) -> None:
    if not dcatapit.is_ipa_code(value):
        raise ValidationError(
            _(
                "Enter the IPA code of the Province as IndicePA shows it (e.g. p_tv): letters, digits, underscores."
            ),
            code="ipa_code",
        )


class Theme(models.TextChoices):
    """EU data-theme vocabulary (codes of rules.dcatapit.DATA_THEMES)."""

    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECON = "ECON", _("Economy and finance")
    EDUC = "EDUC", _("Education, culture and sport")
    ENER = "ENER", _("Energy")
    ENVI = "ENVI", _("Environment")
    GOVE = "GOVE", _("Government and public sector")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")
    REGI = "REGI", _("Regions and cities")
    SOCI = "SOCI", _("Population and society")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")


class Frequency(models.TextChoices):
    """EU frequency vocabulary (codes of rules.dcatapit.FREQUENCIES)."""

    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL_2 = "ANNUAL_2", _("Semiannual")
    ANNUAL = "ANNUAL", _("Annual")
    IRREG = "IRREG", _("Irregular")


class Licence(models.TextChoices):
    CC_BY_4 = (
        "https://creativecommons.org/licenses/by/4.0/",
        _("Creative Commons Attribution 4.0 (CC BY 4.0)"),
    )
    CC0 = "https://creativecommons.org/publicdomain/zero/1.0/", _("Creative Commons Zero 1.0 (CC0)")


class FileFormat(models.TextChoices):
    """EU file-type vocabulary codes of the formats written."""

    CSV = "CSV", "CSV"
    JSON = "JSON", "JSON"

    @property
    def extension(self) -> str:
        return self.value.lower()


class CatalogQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(province__in=manageable_provinces(user))

    def public(self):
        """Catalogues with at least one published dataset, with their count (``published_count``): the
        Provinces whose catalogue the public pages and the harvesters see."""
        published = models.Q(province__opendata_datasets__published=True)
        return (
            self.annotate(published_count=models.Count("province__opendata_datasets", filter=published))
            .filter(published_count__gt=0)
            .select_related("province__province__region")
        )

    def of_sigla(self, sigla: str):
        return self.filter(province__province__sigla=(sigla or "").upper())


def manageable_provinces(user):
    """The Province organisation whose catalogue the user manages: its own, for its administrator and data
    officers; none for anybody else (UPI, Comuni and operators read the public pages)."""
    office = tenancy.as_data_office(user)
    return Organization.objects.filter(pk=office.pk) if office else Organization.objects.none()


class Catalog(models.Model):
    """The Province's catalogue: what dati.gov.it harvests at ``/opendata/<sigla>/catalog.ttl``."""

    province = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="opendata_catalog",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("province"),
    )
    # The publisher's code in IndicePA. Organisation.ipa_code is often still empty: the officer enters it
    # here (it starts from the organisation's when that is known).
    ipa_code = models.CharField(_("IPA code of the publisher"), max_length=20, validators=[validate_ipa_code])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    homepage = models.URLField(_("home page of the Province"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("open-data catalogue")
        verbose_name_plural = _("open-data catalogues")

    def __str__(self) -> str:
        return self.title


class DatasetQuerySet(models.QuerySet):
    def for_user(self, user):
        """The datasets of the Province the user manages (administrator or data officer); none otherwise."""
        return self.filter(province__in=manageable_provinces(user))

    def published(self):
        return self.filter(published=True)

    def of_sigla(self, sigla: str):
        return self.filter(province__province__sigla=(sigla or "").upper())


class Dataset(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="opendata_datasets",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("province"),
    )
    slug = models.SlugField(
        _("identifier"), max_length=80, help_text=_("Lower-case letters, digits and dashes")
    )
    generator = models.CharField(_("generated from"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    theme = models.CharField(_("theme"), max_length=4, choices=Theme.choices)
    accrual_periodicity = models.CharField(
        _("update frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    license = models.CharField(_("licence"), max_length=100, choices=Licence.choices, default=Licence.CC_BY_4)
    published = models.BooleanField(_("published"), default=False, db_index=True)
    issued = models.DateTimeField(_("first published"), null=True, blank=True)
    # The last change of the content (a regeneration whose files differ), not of the metadata.
    modified = models.DateTimeField(_("content last changed"), null=True, blank=True)
    last_generated_at = models.DateTimeField(_("last generated"), null=True, blank=True)
    # Why the last generation was refused (personal data found, a source error); empty when it succeeded.
    last_error = models.TextField(_("last generation error"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(fields=["province", "slug"], name="unique_dataset_slug_per_province"),
        ]

    def __str__(self) -> str:
        return self.title

    def identifier(self, ipa_code: str) -> str:
        return dcatapit.dataset_identifier(ipa_code, self.slug)


class DistributionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(dataset__in=Dataset.objects.for_user(user))


class Distribution(models.Model):
    """One file of a dataset. Files are named by their content (``opendata/<sigla>/<slug>-<sha>.csv``): a
    regeneration writes the new file, switches the row to it in the transaction and deletes the old file
    once committed, so a reader never meets half a file or a row pointing to none."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    file = models.FileField(_("file"), max_length=300)
    byte_size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)

    objects = DistributionQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "format"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format"], name="one_distribution_per_format"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.format})"

    @property
    def extension(self) -> str:
        return self.format.lower()

    @property
    def media_type(self) -> str:
        return dcatapit.FILE_TYPES[self.format]
