"""Writes of the market data: importing ANAC's OCDS files into ``MarketRelease``."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.procurement.market.models import MarketRelease
from casacomuni.procurement.ocds import importer as ocds_import
from casacomuni.procurement.ocds.importer import (
    Link,
    Linker,
    ParsedRelease,
    ReleaseError,
    name_key,
    unique_index,
)
from casacomuni.territory.models import Municipality

BATCH_SIZE = 1000
# Every column an import writes (``imported_at`` apart): a changed release rewrites them all.
WRITTEN_FIELDS = [
    "date",
    "date_text",
    "date_malformed",
    "year",
    "buyer_name",
    "buyer_fiscal_code",
    "organization_id",
    "municipality_id",
    "procuring_entity_name",
    "procuring_entity_fiscal_code",
    "delegated",
    "title",
    "procurement_method",
    "procurement_method_details",
    "main_procurement_category",
    "value_amount",
    "value_currency",
    "cpv",
    "award_amount",
    "award_currency",
    "supplier_names",
    "bid_count",
    "lot_count",
    "cigs",
    "release",
    "digest",
    "source_file",
]


@dataclass(frozen=True)
class Skipped:
    file: str
    position: str
    reason: str  # English source text, translated by the caller


@dataclass
class ImportReport:
    """What an import read and did. ``linked`` counts the releases read that belong to a comune."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    malformed_dates: int = 0
    linked: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # Buyers naming a comune or an Unione that no organisation or comune matched: (name, codice fiscale) ->
    # releases. The officer adds a name variant or the organisation's codice fiscale, and imports again.
    unmatched_buyers: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def import_ocds_files(actor, paths: Iterable[Path], *, batch_size: int = BATCH_SIZE) -> ImportReport:
    """Create or update the market releases of ANAC's OCDS files; unchanged releases are not written.

    Every file is read through once before anything is written, so that a file that is not JSON (even at
    its last line) changes nothing; then releases are written in batches of ``batch_size``, one
    transaction each. Releases without ocid or id are skipped and listed in the report.

    Raises:
        OcdsFileError: a file cannot be read (a ZIP archive among them), is not JSON or holds no OCDS release;
            nothing was written.
    """
    paths = [Path(path) for path in paths]
    for path in paths:
        ocds_import.check_file(path)
    linker = load_linker()
    report = ImportReport()
    for path in paths:
        _import_file(path, linker, report, batch_size)
    if report.changed:
        _record_import(actor, paths, report)
    return report


def load_linker() -> Linker:
    """The linker over the organisations (Comuni, Unioni) with a codice fiscale and the current comuni."""
    organizations = Organization.objects.filter(
        kind__in=[OrganizationKind.MUNICIPALITY, OrganizationKind.UNION], is_active=True
    ).exclude(fiscal_code="")
    by_fiscal_code = unique_index(
        (org.fiscal_code.strip().upper(), (org.pk, org.municipality_id))
        for org in organizations.only("pk", "fiscal_code", "municipality_id")
    )
    comuni = Municipality.objects.current().values_list("pk", "name", "name_other_language", "organization")
    by_name = unique_index(
        (name_key(name), (organization_id, pk))
        for pk, main, other, organization_id in comuni
        for name in _names(main, other)
    )
    return Linker(by_fiscal_code, by_name)


def _names(main: str, other: str) -> set[str]:
    # Bilingual comuni appear as "Bolzano/Bozen" or with the other name apart: each form is a name.
    return {part.strip() for name in (main, other) for part in [name, *name.split("/")] if part.strip()}


def _import_file(path: Path, linker: Linker, report: ImportReport, batch_size: int) -> None:
    batch: dict[tuple[str, str], ParsedRelease] = {}
    for position, release in ocds_import.read_releases(path):
        report.read += 1
        try:
            parsed = ocds_import.parse_release(release)
        except ReleaseError as exc:
            report.skipped.append(Skipped(path.name, position, exc.message))
            continue
        report.malformed_dates += parsed.date_malformed
        key = (parsed.ocid, parsed.release_id)
        if key in batch:
            report.duplicates += 1  # the later copy wins, as a later file would
        batch[key] = parsed
        if len(batch) >= batch_size:
            _write_batch(batch, linker, path.name, report)
            batch = {}
    if batch:
        _write_batch(batch, linker, path.name, report)


def _write_batch(batch: dict, linker: Linker, source: str, report: ImportReport) -> None:
    existing = {
        (row.ocid, row.release_id): row
        for row in MarketRelease.objects.filter(ocid__in={ocid for ocid, _ in batch}).only(
            "pk", "ocid", "release_id", "digest", "organization_id", "municipality_id"
        )
    }
    now = timezone.now()
    created, updated = [], []
    for key, parsed in batch.items():
        link = linker.link(parsed)
        report.linked += bool(link)
        if not link and ocds_import.is_local_authority(parsed.buyer_name):
            report.unmatched_buyers[(parsed.buyer_name, parsed.buyer_fiscal_code)] += 1
        row = existing.get(key)
        if row is None:
            created.append(MarketRelease(ocid=parsed.ocid, release_id=parsed.release_id, imported_at=now))
            _fill(created[-1], parsed, link, source)
        elif (row.digest, row.organization_id, row.municipality_id) != (
            parsed.digest,
            link.organization_id,
            link.municipality_id,
        ):
            _fill(row, parsed, link, source)
            row.imported_at = now
            updated.append(row)
    with transaction.atomic():
        MarketRelease.objects.bulk_create(created)
        MarketRelease.objects.bulk_update(updated, [*WRITTEN_FIELDS, "imported_at"], batch_size=200)
    report.created += len(created)
    report.updated += len(updated)
    report.unchanged += len(batch) - len(created) - len(updated)


def _fill(row: MarketRelease, parsed: ParsedRelease, link: Link, source: str) -> None:
    values = {
        "date": parsed.date,
        "date_text": parsed.date_text,
        "date_malformed": parsed.date_malformed,
        "year": parsed.year,
        "buyer_name": parsed.buyer_name,
        "buyer_fiscal_code": parsed.buyer_fiscal_code,
        "organization_id": link.organization_id,
        "municipality_id": link.municipality_id,
        "procuring_entity_name": parsed.procuring_entity_name,
        "procuring_entity_fiscal_code": parsed.procuring_entity_fiscal_code,
        "delegated": parsed.delegated,
        "title": parsed.title,
        "procurement_method": parsed.procurement_method,
        "procurement_method_details": parsed.procurement_method_details,
        "main_procurement_category": parsed.main_procurement_category,
        "value_amount": parsed.value_amount,
        "value_currency": parsed.value_currency,
        "cpv": parsed.cpv,
        "award_amount": parsed.award_amount,
        "award_currency": parsed.award_currency,
        "supplier_names": list(parsed.supplier_names),
        "bid_count": parsed.bid_count,
        "lot_count": len(parsed.cigs),
        "cigs": list(parsed.cigs),
        "release": parsed.raw,
        "digest": parsed.digest,
        "source_file": source[:255],
    }
    for name, value in values.items():
        setattr(row, name, value)


def _record_import(actor, paths: list[Path], report: ImportReport) -> None:
    from casacomuni.audit.services import record_event

    changes = {
        "sources": [None, [path.name for path in paths]],
        "created": [None, report.created],
        "updated": [None, report.updated],
        "skipped": [None, len(report.skipped)],
    }
    with transaction.atomic():
        record_event(actor, "market.import", None, changes=changes)
