"""Write operations on the territory: loading ISTAT's list of comuni."""

from dataclasses import dataclass
from datetime import date
from itertools import batched
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.territory import istat
from casacomuni.territory.istat import IstatFileError, IstatList, MunicipalityRow
from casacomuni.territory.models import Municipality, Province, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGED_LIST = DATA_DIR / "istat_comuni.csv"
PACKAGED_POPULATION = DATA_DIR / "population_2023.csv"
BATCH_SIZE = 1000

MUNICIPALITY_FIELDS = [
    "istat_numeric_code",
    "cadastral_code",
    "name",
    "name_other_language",
    "province_id",
    "is_capoluogo",
    "nuts3",
    "population",
    "population_year",
    "valid_to",
    "successor_id",
]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did to the comuni (regions and provinces are counted apart)."""

    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    units_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.units_changed)


def import_istat_file(actor, path: Path | None = None, *, valid_from: date | None = None) -> ImportSummary:
    """Load or update regions, provinces and comuni from an ISTAT list ("Elenco comuni italiani").

    Args:
        actor: who runs the import (``Actor.system("import_territory")`` from the command).
        path: an ISTAT CSV of the usual 26-column layout; the packaged list when None.
        valid_from: the date the list takes effect: comuni missing from it are retired on that date and
            comuni new to the database start on it. Today when None. On a first load, start dates stay
            empty (the list does not say when each comune was established).
    Returns:
        the ImportSummary; an import that changes nothing writes nothing.
    Raises:
        IstatFileError: the file is unreadable, malformed or truncated; nothing was written.
    """
    parsed = istat.parse_file(path or PACKAGED_LIST)
    summary = _write_list(parsed, valid_from)
    if summary.changed:
        with transaction.atomic():
            _record_import(actor, path or PACKAGED_LIST, summary)
    return summary


def _write_list(parsed: IstatList, valid_from: date | None = None) -> ImportSummary:
    """The writes of an import, without its audit event: only import_istat_file and the test fixtures
    (which must leave nothing in the append-only audit trail) call it.

    The file is wholly parsed and checked before the first write, and regions and provinces change in one
    transaction (a sigla clash rolls them back). The comuni are then written in transactions of
    BATCH_SIZE rows, so that on SQLite, which locks the whole database for a writer, the platform's other
    writes go through between them instead of waiting for a ~8,000-row import. A run interrupted half-way
    leaves some comuni updated; running it again finishes the job, since it writes only what differs."""
    population = istat.parse_population(PACKAGED_POPULATION.read_text(encoding="utf-8"))
    effective = valid_from or timezone.localdate()
    with transaction.atomic():
        units_changed = _sync_regions(parsed) + _sync_provinces(parsed)
    return _sync_municipalities(parsed, population, effective, units_changed)


def _in_batches(rows: list, write) -> None:
    """``write(batch)`` for each BATCH_SIZE rows, each batch in its own transaction."""
    for batch in batched(rows, BATCH_SIZE):
        with transaction.atomic():
            write(list(batch))


def _record_import(actor, path: Path, summary: ImportSummary) -> None:
    from casacomuni.audit.services import record_event

    changes = {
        "source": [None, Path(path).name],
        "created": [None, summary.created],
        "updated": [None, summary.updated],
        "retired": [None, summary.retired],
        "units_changed": [None, summary.units_changed],
    }
    record_event(actor, "territory.import", None, changes=changes)


def _apply(obj, values: dict) -> bool:
    """Set the values that differ; True when something changed."""
    changed = False
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    return changed


def _sync_regions(parsed: IstatList) -> int:
    existing = {region.code: region for region in Region.objects.all()}
    created, updated = [], []
    for row in parsed.regions.values():
        values = {"name": row.name, "is_ordinary_statute": row.is_ordinary_statute}
        region = existing.get(row.code)
        if region is None:
            created.append(Region(code=row.code, **values))
        elif _apply(region, values):
            updated.append(region)
    Region.objects.bulk_create(created)
    Region.objects.bulk_update(updated, ["name", "is_ordinary_statute"])
    return len(created) + len(updated)


def _sync_provinces(parsed: IstatList) -> int:
    regions = {region.code: region.pk for region in Region.objects.all()}
    existing = {province.code: province for province in Province.objects.all()}
    _check_siglas(parsed, existing)
    old_siglas = {code: province.sigla for code, province in existing.items()}
    created, updated = [], []
    for row in parsed.provinces.values():
        values = {
            "historical_code": row.historical_code,
            "name": row.name,
            "sigla": row.sigla,
            "region_id": regions[row.region_code],
            "uts_type": row.uts_type,
            "is_ordinary_statute": row.is_ordinary_statute,
            "nuts3": row.nuts3,
        }
        province = existing.get(row.code)
        if province is None:
            created.append(Province(code=row.code, **values))
        elif _apply(province, values):
            updated.append(province)
    # Siglas may be swapped between units: park the changing ones on digits (real siglas are letters)
    # so that the unique constraint holds after every statement.
    moving = [p for p in updated if p.sigla != old_siglas[p.code]]
    for number, province in enumerate(moving):
        Province.objects.filter(pk=province.pk).update(sigla=f"{number:02d}")
    Province.objects.bulk_update(updated, list(values))
    Province.objects.bulk_create(created)
    return len(created) + len(updated)


def _check_siglas(parsed: IstatList, existing: dict[str, Province]) -> None:
    """A sigla still held by a unit no longer listed cannot be given to another one."""
    listed = set(parsed.provinces)
    for row in parsed.provinces.values():
        for code, province in existing.items():
            if province.sigla == row.sigla and code != row.code and code not in listed:
                raise IstatFileError(
                    _(
                        "Abbreviation %(sigla)s belongs to %(name)s, which is no longer listed: "
                        "cannot reuse it."
                    )
                    % {"sigla": row.sigla, "name": province.name}
                )


def _municipality_values(row: MunicipalityRow, provinces: dict, population: dict) -> dict:
    people, year = population.get(row.istat_code, (None, None))
    return {
        "istat_numeric_code": row.istat_numeric_code,
        "cadastral_code": row.cadastral_code,
        "name": row.name,
        "name_other_language": row.name_other_language,
        "province_id": provinces[row.province_code],
        "is_capoluogo": row.is_capoluogo,
        "nuts3": row.nuts3,
        "population": people,
        "population_year": year,
        "valid_to": None,
        "successor_id": None,
    }


def _sync_municipalities(parsed: IstatList, population: dict, effective: date, units: int) -> ImportSummary:
    provinces = {province.code: province.pk for province in Province.objects.all()}
    existing = {m.istat_code: m for m in Municipality.objects.all()}
    start = effective if existing else None
    created, updated, unchanged = [], [], 0
    for code, row in parsed.municipalities.items():
        values = _municipality_values(row, provinces, population)
        municipality = existing.get(code)
        if municipality is None:
            municipality = Municipality(istat_code=code, valid_from=start, **values)
            municipality.set_search_names()
            created.append(municipality)
        elif _apply(municipality, values):
            municipality.set_search_names()
            updated.append(municipality)
        else:
            unchanged += 1
    _in_batches(created, Municipality.objects.bulk_create)
    fields = [*MUNICIPALITY_FIELDS, "search_name", "search_name_other"]
    _in_batches(updated, lambda batch: Municipality.objects.bulk_update(batch, fields))
    gone = [m for code, m in existing.items() if code not in parsed.municipalities and m.valid_to is None]
    with transaction.atomic():
        _retire(gone, parsed, {m.istat_code for m in created}, effective, provinces)
    return ImportSummary(len(created), len(updated), len(gone), unchanged, units)


def _retire(gone: list, parsed: IstatList, new_codes: set[str], effective: date, provinces: dict) -> None:
    if not gone:
        return
    province_codes = {pk: code for code, pk in provinces.items()}
    by_cadastral = {row.cadastral_code: code for code, row in parsed.municipalities.items()}
    listed = {m.istat_code: m for m in Municipality.objects.filter(istat_code__in=parsed.municipalities)}
    for municipality in gone:
        municipality.valid_to = effective
        province_code = province_codes.get(municipality.province_id)
        code = successor_code(municipality, province_code, parsed, by_cadastral, new_codes)
        municipality.successor = listed[code] if code else None
    Municipality.objects.bulk_update(gone, ["valid_to", "successor"], batch_size=BATCH_SIZE)


def successor_code(
    old, province_code, parsed: IstatList, by_cadastral: dict, new_codes: set[str]
) -> str | None:
    """The comune that took over a comune missing from the list, when it is evident.

    The ISTAT list does not record mergers, so: first the comune with the same cadastral code (a comune
    moved to another province keeps it, with a new ISTAT code); else the only comune new to the
    database in the same province (a merger); else, among several new ones there, the only one whose
    name contains the old name. Otherwise none (e.g. a comune absorbed into an existing one).
    """
    if old.cadastral_code in by_cadastral:
        return by_cadastral[old.cadastral_code]
    rows = parsed.municipalities
    candidates = [code for code in new_codes if rows[code].province_code == province_code]
    if len(candidates) > 1:
        candidates = [code for code in candidates if old.search_name in istat.search_key(rows[code].name)]
    return candidates[0] if len(candidates) == 1 else None
