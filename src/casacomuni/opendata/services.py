"""Write operations of the open-data catalogue: the catalogue's settings, datasets, publication and the
regeneration of their files.

The Province's administrator and data officers act on their own Province's catalogue only (others get
PermissionDenied); the scheduled regeneration acts as the system. Each write runs in one transaction and
records an audit event in the Province's chain. Bad input raises ValidationError with a message per field
and writes nothing. A file holding personal data (rules/privacy.py) is refused: nothing is written, the
dataset keeps its previous files and the reason is kept in ``last_error``.
"""

import hashlib
import logging
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import DATA_OFFICE_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.opendata import files
from casacomuni.opendata.generators import get_generator
from casacomuni.opendata.models import Catalog, Dataset, Distribution, FileFormat, Frequency, Licence, Theme
from casacomuni.opendata.rules import dcatapit, privacy

logger = logging.getLogger(__name__)
_SYSTEM = Actor.system("regenerate_opendata")
_MAX_KEYWORDS = 20
_MAX_KEYWORD_LENGTH = 50
_FIELD_LENGTHS = {"title": 200, "slug": 80}


# --- Validation --------------------------------------------------------------------------------------------


def _clean_keywords(value) -> list[str]:
    """Keywords from a list or from text separated by commas; blanks dropped, duplicates once."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    seen, keywords = set(), []
    for item in items:
        keyword = " ".join(str(item).split())
        if keyword and keyword.lower() not in seen:
            seen.add(keyword.lower())
            keywords.append(keyword)
    return keywords


def generator_defaults(code: str) -> dict:
    """The metadata a dataset of generator ``code`` starts from (empty for an unknown code)."""
    generator = get_generator(code)
    if generator is None:
        return {}
    return {
        "title": generator.title,
        "description": generator.description,
        "theme": generator.theme,
        "accrual_periodicity": generator.accrual_periodicity,
        "keywords": list(generator.keywords),
        "license": dcatapit.DEFAULT_LICENCE,
    }


def _clean_dataset_data(data: dict, creating: bool) -> dict:
    """The dataset's metadata checked; on creation also its generator and identifier, and the metadata not
    given (None or absent) taken from the generator. Raises ValidationError with a message per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str | list[str]] = {}
    if creating:
        given = {name: value for name, value in data.items() if value is not None}
        data = generator_defaults(str(data.get("generator") or "").strip()) | given
    for name in ("title", "description"):
        value = str(data.get(name) or "").strip()
        if not value:
            errors[name] = _("This field is required.")
        elif name in _FIELD_LENGTHS and len(value) > _FIELD_LENGTHS[name]:
            errors[name] = _("Enter at most %(max_length)s characters.") % {
                "max_length": _FIELD_LENGTHS[name]
            }
        cleaned[name] = value
    for name, choices in (("theme", Theme), ("accrual_periodicity", Frequency), ("license", Licence)):
        value = str(data.get(name) or "").strip()
        if value not in choices.values:
            errors[name] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(choices.values)}
        cleaned[name] = value
    keywords = _clean_keywords(data.get("keywords"))
    if len(keywords) > _MAX_KEYWORDS:
        errors["keywords"] = _("Enter at most %(count)s keywords.") % {"count": _MAX_KEYWORDS}
    elif any(len(keyword) > _MAX_KEYWORD_LENGTH for keyword in keywords):
        errors["keywords"] = _("Each keyword may have at most %(max_length)s characters.") % {
            "max_length": _MAX_KEYWORD_LENGTH
        }
    cleaned["keywords"] = keywords
    _refuse_personal_data(errors, cleaned, ("title", "description", "keywords"))
    if creating:
        generator = cleaned["generator"] = str(data.get("generator") or "").strip()
        if get_generator(generator) is None:
            errors["generator"] = _("Choose one of the data sources offered.")
        slug = str(data.get("slug") or generator).strip().lower()
        if not dcatapit.DATASET_ID_PATTERN.match(slug) or len(slug) > _FIELD_LENGTHS["slug"]:
            errors["slug"] = _("Use lower-case letters, digits and single dashes, at most 80 characters.")
        cleaned["slug"] = slug
    if errors:
        raise ValidationError(errors)
    return cleaned


def _refuse_personal_data(errors: dict, cleaned: dict, names) -> None:
    """The metadata are published too (pages, catalogue): no e-mail address or personal fiscal code there."""
    for name in names:
        value = cleaned.get(name)
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        if name not in errors and privacy.find_personal_data(text):
            errors[name] = _("Remove e-mail addresses and personal fiscal codes: this text is published.")


def _clean_catalog_data(data: dict) -> dict:
    errors, cleaned = {}, {}
    ipa_code = str(data.get("ipa_code") or "").strip()
    if not dcatapit.is_ipa_code(ipa_code):
        errors["ipa_code"] = _(
            "Enter the IPA code of the Province as IndicePA shows it (e.g. p_tv): letters, digits, underscores."
        )
    cleaned["ipa_code"] = ipa_code
    for name in ("title", "description"):
        cleaned[name] = str(data.get(name) or "").strip()
        if not cleaned[name]:
            errors[name] = _("This field is required.")
    _refuse_personal_data(errors, cleaned, ("title", "description"))
    if len(cleaned["title"]) > 200:
        errors["title"] = _("Enter at most %(max_length)s characters.") % {"max_length": 200}
    cleaned["homepage"] = str(data.get("homepage") or "").strip()
    if cleaned["homepage"]:
        try:
            URLValidator(schemes=["http", "https"])(cleaned["homepage"])
        except ValidationError:
            errors["homepage"] = _("Enter a valid web address (https://…).")
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Scope -------------------------------------------------------------------------------------------------


def _officer_province(actor: Actor) -> Organization:
    """The Province the actor manages the catalogue of; PermissionDenied for any other role."""
    tenancy.require_role(actor.user, *DATA_OFFICE_ROLES)
    organization = actor.organization
    if organization is None or organization.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied
    return organization


def _locked_dataset(actor: Actor, dataset: Dataset) -> Dataset:
    """The dataset re-read through the actor's scope (the system: any) and locked until the transaction ends."""
    queryset = Dataset.objects.all() if actor.user is None else Dataset.objects.for_user(actor.user)
    # Only the dataset's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the join.
    found = (
        queryset.select_for_update(of=("self",))
        .filter(pk=dataset.pk)
        .select_related("province__province")
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


@dataclass(frozen=True, kw_only=True)
class CatalogData:
    """The settings of a Province's catalogue: its IPA code (the prefix of every dataset identifier), title,
    description and home page."""

    ipa_code: str
    title: str
    description: str
    homepage: str = ""


def default_catalog_data(province: Organization) -> CatalogData:
    return CatalogData(
        ipa_code=province.ipa_code,
        title=f"Dati aperti della {province.name}",
        description=(
            f"Il catalogo dei dati aperti della {province.name}: servizi associati ai Comuni, convenzioni, "
            "gare della stazione unica appaltante, finanziamenti europei e indicatori del territorio."
        ),
    )


@dataclass(frozen=True, kw_only=True)
class DatasetData:
    """A dataset's metadata. ``keywords``: a list, or text separated by commas. On creation a value left
    None is the generator's; on a change every value is required."""

    title: str | None = None
    description: str | None = None
    theme: str | None = None
    accrual_periodicity: str | None = None
    keywords: str | Sequence[str] | None = None
    license: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewDatasetData(DatasetData):
    """A new dataset: the generator that builds its files, its identifier (the generator's code by
    default), its metadata, and whether to publish it at once."""

    generator: str
    slug: str | None = None
    publish: bool = False


# --- Catalogue and datasets --------------------------------------------------------------------------------


def save_catalog(actor: Actor, data: CatalogData) -> Catalog:
    """The Province's administrator or data officer sets its catalogue's IPA code, title and description."""
    province = _officer_province(actor)
    cleaned = _clean_catalog_data(asdict(data))
    with transaction.atomic():
        catalog = Catalog.objects.select_for_update().filter(province=province).first()
        if catalog is None:
            catalog = Catalog.objects.create(province=province, **cleaned)
            changes = {name: [None, value] for name, value in cleaned.items()}
        else:
            changes = {n: [getattr(catalog, n), v] for n, v in cleaned.items() if getattr(catalog, n) != v}
            for name, value in cleaned.items():
                setattr(catalog, name, value)
            catalog.updated_at = timezone.now()
            catalog.save()
        record_event(actor, "opendata_catalog.save", catalog, changes, organization=province)
    return catalog


def create_dataset(actor: Actor, data: NewDatasetData) -> Dataset:
    """A new dataset of the actor's Province, built by a generator; its files are generated at once.

    A generator whose files would hold personal data is refused before anything is written.
    """
    province = _officer_province(actor)
    cleaned = _clean_dataset_data(asdict(data), creating=True)
    if Dataset.objects.filter(province=province, slug=cleaned["slug"]).exists():
        raise ValidationError({"slug": _("The catalogue already has a dataset with this identifier.")})
    contents = _contents_of(cleaned["generator"], province)
    with _new_files() as written, transaction.atomic():
        dataset = Dataset.objects.create(province=province, **cleaned)
        record_event(
            actor,
            "opendata_dataset.create",
            dataset,
            {name: [None, value] for name, value in cleaned.items()},
            organization=province,
        )
        _write_distributions(actor, dataset, contents, written)
        if data.publish:
            _mark_published(actor, dataset)
    dataset.refresh_from_db()
    return dataset


def update_dataset(actor: Actor, dataset: Dataset, data: DatasetData) -> Dataset:
    """Edit a dataset's metadata (its identifier and generator stay)."""
    _officer_province(actor)
    cleaned = _clean_dataset_data(asdict(data), creating=False)
    with transaction.atomic():
        dataset = _locked_dataset(actor, dataset)
        changes = {n: [getattr(dataset, n), v] for n, v in cleaned.items() if getattr(dataset, n) != v}
        for name, value in cleaned.items():
            setattr(dataset, name, value)
        dataset.updated_at = timezone.now()
        dataset.save()
        record_event(actor, "opendata_dataset.update", dataset, changes, organization=dataset.province)
    return dataset


def publish_dataset(actor: Actor, dataset: Dataset) -> Dataset:
    """Publish a dataset: its files are regenerated first and must pass the privacy guard; the Province's
    catalogue needs an IPA code (the identifiers are ``codiceIPA:ID``)."""
    _officer_province(actor)
    dataset = _readable_dataset(actor, dataset)
    contents = _checked_contents(actor, dataset)
    with _new_files() as written, transaction.atomic():
        dataset = _locked_dataset(actor, dataset)
        _write_distributions(actor, dataset, contents, written)
        _mark_published(actor, dataset)
    return dataset


def _mark_published(actor: Actor, dataset: Dataset) -> None:
    if not Catalog.objects.filter(province=dataset.province).exists():
        _create_default_catalog(actor, dataset.province)
    if dataset.published:
        return
    now = timezone.now()
    dataset.published = True
    dataset.issued = dataset.issued or now
    dataset.updated_at = now
    dataset.save(update_fields=["published", "issued", "updated_at"])
    record_event(
        actor,
        "opendata_dataset.publish",
        dataset,
        {"published": [False, True]},
        organization=dataset.province,
    )


def _create_default_catalog(actor: Actor, province: Organization) -> Catalog:
    """The catalogue with the default title and description, when the Province's IPA code is known."""
    if not dcatapit.is_ipa_code(province.ipa_code):
        raise ValidationError(
            _("Enter the IPA code of the Province in the catalogue's settings before publishing."),
            code="no_catalog",
        )
    cleaned = asdict(default_catalog_data(province))
    catalog = Catalog.objects.create(province=province, **cleaned)
    record_event(
        actor,
        "opendata_catalog.save",
        catalog,
        {name: [None, value] for name, value in cleaned.items()},
        organization=province,
    )
    return catalog


def unpublish_dataset(actor: Actor, dataset: Dataset) -> Dataset:
    """Withdraw a dataset from the public pages, the catalogue and the downloads (its files are kept)."""
    _officer_province(actor)
    with transaction.atomic():
        dataset = _locked_dataset(actor, dataset)
        if dataset.published:
            dataset.published = False
            dataset.updated_at = timezone.now()
            dataset.save(update_fields=["published", "updated_at"])
            record_event(
                actor,
                "opendata_dataset.unpublish",
                dataset,
                {"published": [True, False]},
                organization=dataset.province,
            )
    return dataset


# --- Regeneration ------------------------------------------------------------------------------------------


@dataclass
class Regeneration:
    """What a regeneration did: the datasets whose content changed, those unchanged, those refused."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def _readable_dataset(actor: Actor, dataset: Dataset) -> Dataset:
    queryset = Dataset.objects.all() if actor.user is None else Dataset.objects.for_user(actor.user)
    found = queryset.select_related("province__province").filter(pk=dataset.pk).first()
    if found is None:
        raise PermissionDenied
    return found


def regenerate_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Regenerate one dataset's files now (the officer's button). True when the content changed."""
    _officer_province(actor)
    dataset = _readable_dataset(actor, dataset)
    contents = _checked_contents(actor, dataset)
    with _new_files() as written, transaction.atomic():
        return _write_distributions(actor, _locked_dataset(actor, dataset), contents, written)


def regenerate_datasets(province: Organization, actor: Actor = _SYSTEM) -> Regeneration:
    """Regenerate every dataset of ``province`` (the scheduled run, as the system). A refusal (personal data,
    a data source no longer available) is recorded on its dataset; an unexpected error of one generator is
    logged. Neither stops the other datasets."""
    result = Regeneration()
    datasets = Dataset.objects.filter(province=province).select_related("province__province").order_by("pk")
    for dataset in datasets:
        try:
            contents = _checked_contents(actor, dataset)
            with _new_files() as written, transaction.atomic():
                changed = _write_distributions(actor, _locked_dataset(actor, dataset), contents, written)
        except ValidationError as refused:
            result.refused[dataset.slug] = " ".join(refused.messages)
        except Exception:  # a bug in one generator must not keep the others' files stale
            logger.exception("Open data: the generation of %s failed", dataset.slug)
            result.refused[dataset.slug] = "error"
        else:
            (result.changed if changed else result.unchanged).append(dataset.slug)
    return result


def _contents_of(generator_code: str, province: Organization) -> dict[str, tuple[bytes, int]]:
    """The files' bytes and row count by format, built by the generator and checked by the privacy guard.

    Raises ValidationError when the generator is not available or a file holds personal data."""
    generator = get_generator(generator_code)
    if generator is None:
        raise ValidationError(_("The data source of this dataset is not available."), code="generator")
    table = generator.build(province)
    contents = {}
    for file_format in FileFormat.values:
        content = files.RENDERERS[file_format](table)
        findings = privacy.find_personal_data(content.decode("utf-8"))
        if findings:
            kinds = sorted({finding.kind for finding in findings})
            raise ValidationError(
                _(
                    "The %(format)s file would publish personal data (%(kinds)s: %(count)s occurrences) and "
                    "was not written. Remove them from the source records and regenerate."
                )
                % {"format": file_format, "kinds": ", ".join(kinds), "count": len(findings)},
                code="personal_data",
            )
        contents[file_format] = (content, len(table.rows))
    return contents


def _checked_contents(actor: Actor, dataset: Dataset) -> dict[str, tuple[bytes, int]]:
    """``_contents_of`` the dataset; a refusal is kept on the dataset and in the audit trail, then re-raised."""
    try:
        return _contents_of(dataset.generator, dataset.province)
    except ValidationError as refused:
        _remember_refusal(actor, dataset, " ".join(refused.messages))
        raise


def _remember_refusal(actor: Actor, dataset: Dataset, reason: str) -> None:
    with transaction.atomic():
        Dataset.objects.filter(pk=dataset.pk).update(last_error=reason, last_generated_at=timezone.now())
        record_event(
            actor,
            "opendata_dataset.refuse",
            dataset,
            {"last_error": [None, reason]},
            organization=dataset.province,
        )


def _file_name(dataset: Dataset, file_format: str, digest: str) -> str:
    territory = dataset.province.province
    if territory is None:  # a dataset is a Province's (_officer_province), and a Province has its territory
        raise ValueError(f"The dataset {dataset.pk} belongs to no Province.")
    sigla = territory.sigla.lower()
    return f"opendata/{sigla}/{dataset.slug}-{digest[:16]}.{file_format.lower()}"


@contextmanager
def _new_files():
    """Collects the names of the files written inside; deletes them if the block fails (the rows that would
    have pointed to them rolled back). Use outside the ``transaction.atomic()`` it guards."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        _delete_files(written)
        raise


def _write_distributions(actor: Actor, dataset: Dataset, contents: dict, written: list[str]) -> bool:
    """Write the dataset's CSV and JSON files whose content changed; True when one did.

    Call inside a transaction, with the dataset locked. New files get content-derived names and are written
    by the storage (AtomicFileSystemStorage: temporary file, fsync, rename) before the rows switch to them;
    their names go to ``written`` (see ``_new_files``); the replaced files are deleted once the transaction
    commits. ``modified`` moves only when a file's SHA-256 changed.
    """
    now = timezone.now()
    existing = {d.format: d for d in Distribution.objects.filter(dataset=dataset)}
    obsolete, changes = [], {}
    for file_format, (content, row_count) in contents.items():
        digest = hashlib.sha256(content).hexdigest()
        distribution = existing.get(file_format)
        if distribution is not None and distribution.sha256 == digest:
            distribution.generated_at = now
            distribution.save(update_fields=["generated_at"])
            continue
        name = default_storage.save(_file_name(dataset, file_format, digest), ContentFile(content))
        written.append(name)
        changes[file_format] = [distribution.sha256 if distribution else None, digest]
        if distribution is None:
            distribution = Distribution(dataset=dataset, format=file_format)
        else:
            obsolete.append(distribution.file.name)
        distribution.file.name = name
        distribution.byte_size = len(content)
        distribution.sha256 = digest
        distribution.row_count = row_count
        distribution.generated_at = now
        distribution.save()
    dataset.last_generated_at = now
    dataset.last_error = ""
    fields = ["last_generated_at", "last_error"]
    if changes:
        dataset.modified = now
        fields.append("modified")
        record_event(
            actor, "opendata_dataset.regenerate", dataset, {"sha256": changes}, organization=dataset.province
        )
    dataset.save(update_fields=fields)
    transaction.on_commit(partial(_delete_files, obsolete))
    return bool(changes)


def _delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
