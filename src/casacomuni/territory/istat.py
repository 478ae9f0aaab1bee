"""Reading and checking ISTAT's "Elenco comuni italiani" (pure: no database, no Django models).

The file (https://www.istat.it/classificazione/codici-dei-comuni-delle-province-e-delle-regioni/) is
``;``-separated with 26 columns; ISTAT publishes it in Windows-1252 with a header whose quoted cells span
two lines. A UTF-8 copy and a header on a single line are accepted too: the columns are recognised by
position and checked against their expected names.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

# A full list has had ~7,900 comuni since 2019 (7,896 in December 2024): far fewer rows means a
# truncated file, which would otherwise retire thousands of comuni.
MINIMUM_FULL_LIST_ROWS = 7000

# The 15 ordinary-statute regions (Constitution, art. 116 names the other five), by ISTAT region code.
ORDINARY_STATUTE_REGIONS = {
    "01": "Piemonte",
    "03": "Lombardia",
    "05": "Veneto",
    "07": "Liguria",
    "08": "Emilia-Romagna",
    "09": "Toscana",
    "10": "Umbria",
    "11": "Marche",
    "12": "Lazio",
    "13": "Abruzzo",
    "14": "Molise",
    "15": "Campania",
    "16": "Puglia",
    "17": "Basilicata",
    "18": "Calabria",
}
UTS_TYPE_PROVINCE = 1

# Expected header, by position: the start of each column name, compared ignoring case and extra spaces.
HEADER = (
    "Codice Regione",
    "Codice dell'Unità territoriale sovracomunale",
    "Codice Provincia (Storico)",
    "Progressivo del Comune",
    "Codice Comune formato alfanumerico",
    "Denominazione (Italiana e straniera)",
    "Denominazione in italiano",
    "Denominazione altra lingua",
    "Codice Ripartizione Geografica",
    "Ripartizione geografica",
    "Denominazione Regione",
    "Denominazione dell'Unità territoriale sovracomunale",
    "Tipologia di Unità territoriale sovracomunale",
    "Flag Comune capoluogo",
    "Sigla automobilistica",
    "Codice Comune formato numerico",
    "Codice Comune numerico con 110 province",
    "Codice Comune numerico con 107 province",
    "Codice Comune numerico con 103 province",
    "Codice Catastale del comune",
    "Codice NUTS1 2021",
    "Codice NUTS2 2021",
    "Codice NUTS3 2021",
    "Codice NUTS1 2024",
    "Codice NUTS2 2024",
    "Codice NUTS3 2024",
)
COLUMNS = len(HEADER)

PATTERNS = {
    0: re.compile(r"\d{2}"),
    1: re.compile(r"\d{3}"),
    2: re.compile(r"\d{3}"),
    4: re.compile(r"\d{6}"),
    12: re.compile(r"[1-5]"),
    13: re.compile(r"[01]"),
    14: re.compile(r"[A-Z]{2}"),
    15: re.compile(r"\d{1,6}"),
    19: re.compile(r"[A-Z]\d{3}"),
    25: re.compile(r"[A-Z]{2}[A-Z0-9]{1,3}"),
}


class IstatFileError(ValueError):
    """The file is not a usable ISTAT list; the message names the line and is translated."""


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    is_ordinary_statute: bool


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    historical_code: str
    name: str
    sigla: str
    region_code: str
    uts_type: int
    is_ordinary_statute: bool
    nuts3: str


@dataclass(frozen=True)
class MunicipalityRow:
    istat_code: str
    istat_numeric_code: int
    cadastral_code: str
    name: str
    name_other_language: str
    province_code: str
    is_capoluogo: bool
    nuts3: str


@dataclass(frozen=True)
class IstatList:
    regions: dict[str, RegionRow]
    provinces: dict[str, ProvinceRow]
    municipalities: dict[str, MunicipalityRow]


def search_key(name: str) -> str:
    """Lower-case, accent-free form of a name, for prefix search on any database ("Città" -> "citta")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def decode(data: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, else Windows-1252 (ISTAT's own encoding, Latin-1 superset)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters mean a binary or UTF-16 file that a single-byte code page "decoded".
        if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            return text
    raise IstatFileError(_("The file is neither UTF-8 nor Windows-1252/Latin-1 text: it cannot be read."))


def _normal(cell: str) -> str:
    return " ".join(cell.split()).casefold()


def check_header(header: list[str]) -> None:
    if len(header) != COLUMNS:
        raise IstatFileError(
            _("Line 1: the header has %(found)d columns, the ISTAT list has %(expected)d.")
            % {"found": len(header), "expected": COLUMNS}
        )
    for position, expected in enumerate(HEADER):
        if not _normal(header[position]).startswith(expected.casefold()):
            raise IstatFileError(
                _('Line 1: column %(position)d is "%(found)s", expected "%(expected)s".')
                % {
                    "position": position + 1,
                    "found": " ".join(header[position].split()),
                    "expected": expected,
                }
            )


def parse_row(line: int, row: list[str]) -> list[str]:
    if len(row) != COLUMNS:
        raise IstatFileError(
            _("Line %(line)d has %(found)d columns instead of %(expected)d.")
            % {"line": line, "found": len(row), "expected": COLUMNS}
        )
    cells = [cell.strip() for cell in row]
    for position, pattern in PATTERNS.items():
        if not pattern.fullmatch(cells[position]):
            raise IstatFileError(
                _('Line %(line)d: "%(value)s" is not a valid value for "%(column)s".')
                % {"line": line, "value": cells[position], "column": HEADER[position]}
            )
    if int(cells[15]) != int(cells[4]) or not cells[6]:
        raise IstatFileError(
            _("Line %(line)d: the numeric code or the name of comune %(code)s is wrong.")
            % {"line": line, "code": cells[4]}
        )
    return cells


def _add_unit(result: IstatList, line: int, cells: list[str]) -> None:
    region = RegionRow(cells[0], cells[10], cells[0] in ORDINARY_STATUTE_REGIONS)
    uts_type = int(cells[12])
    province = ProvinceRow(
        code=cells[1],
        historical_code=cells[2],
        name=cells[11],
        sigla=cells[14],
        region_code=cells[0],
        uts_type=uts_type,
        is_ordinary_statute=region.is_ordinary_statute and uts_type == UTS_TYPE_PROVINCE,
        nuts3=cells[25],
    )
    for table, key, row in (
        (result.regions, region.code, region),
        (result.provinces, province.code, province),
    ):
        if table.setdefault(key, row) != row:
            raise IstatFileError(
                _("Line %(line)d: the data of unit %(code)s differ from its earlier lines.")
                % {"line": line, "code": key}
            )


def _add_municipality(result: IstatList, line: int, cells: list[str]) -> None:
    municipality = MunicipalityRow(
        istat_code=cells[4],
        istat_numeric_code=int(cells[15]),
        cadastral_code=cells[19],
        name=cells[6],
        name_other_language=cells[7],
        province_code=cells[1],
        is_capoluogo=cells[13] == "1",
        nuts3=cells[25],
    )
    if result.municipalities.setdefault(municipality.istat_code, municipality) is not municipality:
        raise IstatFileError(
            _("Line %(line)d: comune %(code)s appears twice.")
            % {"line": line, "code": municipality.istat_code}
        )


def parse_text(text: str, minimum_rows: int = MINIMUM_FULL_LIST_ROWS) -> IstatList:
    """Parse and check a whole list; raise IstatFileError at the first problem."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    result = IstatList({}, {}, {})
    try:
        header = next(reader, None)
        if header is None:
            raise IstatFileError(_("The file is empty."))
        check_header(header)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cells = parse_row(reader.line_num, row)
            _add_unit(result, reader.line_num, cells)
            _add_municipality(result, reader.line_num, cells)
    except csv.Error as exc:
        raise IstatFileError(
            _("Line %(line)d is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    if len(result.municipalities) < minimum_rows:
        raise IstatFileError(
            _("The file lists %(found)d comuni: a full ISTAT list has at least %(minimum)d. Is it truncated?")
            % {"found": len(result.municipalities), "minimum": minimum_rows}
        )
    return result


def parse_file(path: Path, minimum_rows: int = MINIMUM_FULL_LIST_ROWS) -> IstatList:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IstatFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    return parse_text(decode(data), minimum_rows)


def parse_population(text: str) -> dict[str, tuple[int, int]]:
    """The packaged ``istat_code;population;year`` file, as {istat_code: (population, year)}."""
    rows = csv.reader(io.StringIO(text), delimiter=";")
    next(rows)
    return {code: (int(population), int(year)) for code, population, year in rows}
