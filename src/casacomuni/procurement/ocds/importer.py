"""Reading ANAC's OCDS files: from JSON text to plain ``ParsedRelease`` values, without the database.

ANAC (OCID prefix ``ocds-hu01ve``) publishes every Italian contract above 40,000 euro as OCDS 1.1 compiled
releases, monthly, as JSON Lines (DOMAIN.md §4.9). This module reads what such files may hold — a release
package (``{"releases": [...]}``), a record package (``{"records": [...]}``), JSON Lines with one release or
package per line, or a single release — and turns each release into a ``ParsedRelease``.

Memory: JSON Lines files (plain or gzip) are read one line at a time. A package written as one JSON document
is loaded whole (no streaming JSON parser is installed): budget about ten times the file's size in memory,
so split very large packages into JSON Lines first (``jq -c '.releases[]'``).

Messages are English source strings marked with ``gettext_noop`` and translated by the Django layer.
"""

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from casacomuni.lib.bounds import MAX_AMOUNT
from casacomuni.lib.i18n import gettext_noop

# ANAC's release dates carry no usable offset (see parse_release_date); [assumption] their leading time is
# Italian local time, as the 17:30 publication batches of the sample suggest.
ANAC_TIMEZONE = ZoneInfo("Europe/Rome")
# The database column limits: longer identifiers are not ANAC's and the release is skipped.
MAX_OCID = 100
MAX_RELEASE_ID = 255
CENT = Decimal("0.01")

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
LEADING_DATE_TIME = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?")
# An Italian codice fiscale: 11 digits (enti, companies) or 16 characters (persons).
FISCAL_CODE = re.compile(r"[0-9]{11}|[A-Z0-9]{16}")
MUNICIPALITY_PREFIX = "comune di "


class OcdsFileError(Exception):
    """A file that is not readable JSON or not OCDS; ``message % params`` says why, in English source text."""

    def __init__(self, message: str, **params):
        super().__init__(message % params)
        self.message = message
        self.params = params


class ReleaseError(ValueError):
    """A release that cannot be stored (no ocid or id): skipped and reported, never fatal."""

    def __init__(self, message: str, **params):
        super().__init__(message % params)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class ParsedDate:
    value: datetime | None
    malformed: bool


@dataclass(frozen=True)
class ParsedRelease:
    """The fields of one OCDS release that the market pages use, plus the release itself (``raw``)."""

    ocid: str
    release_id: str
    date: datetime | None
    date_text: str
    date_malformed: bool
    buyer_name: str
    buyer_fiscal_code: str
    procuring_entity_name: str
    procuring_entity_fiscal_code: str
    title: str
    procurement_method: str
    procurement_method_details: str
    main_procurement_category: str
    value_amount: Decimal | None
    value_currency: str
    cpv: str
    award_amount: Decimal | None
    award_currency: str
    supplier_names: tuple[str, ...]
    bid_count: int | None
    cigs: tuple[str, ...]
    raw: dict
    digest: str

    @property
    def delegated(self) -> bool:
        """Run by another entity (a SUA, a centrale di committenza) for the buyer."""
        return bool(self.procuring_entity_name or self.procuring_entity_fiscal_code)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


# --- Dates ---------------------------------------------------------------------------------------------------


def parse_release_date(text, default_timezone: tzinfo = ANAC_TIMEZONE) -> ParsedDate:
    """An OCDS ``date`` (RFC 3339), or the leading date-time of a malformed one, flagged as malformed.

    ANAC writes ``2025-01-08 17:31:38.793T12:00:00Z``: a local date-time, a space, then a constant
    ``T12:00:00Z``. The leading date-time is kept, read in ``default_timezone``; a value with no leading
    date at all gives None. A missing date is malformed too: OCDS requires it.
    """
    if not isinstance(text, str) or not text.strip():
        return ParsedDate(None, True)
    if RFC3339.fullmatch(text):
        try:
            return ParsedDate(datetime.fromisoformat(text), False)
        except ValueError:
            return ParsedDate(None, True)
    return ParsedDate(_leading_date_time(text, default_timezone), True)


def _leading_date_time(text: str, default_timezone: tzinfo) -> datetime | None:
    match = LEADING_DATE_TIME.match(text)
    if not match:
        return None
    day, time = match.groups()
    try:
        value = datetime.fromisoformat(f"{day}T{time or '00:00'}")
    except ValueError:
        return None
    return value.replace(tzinfo=default_timezone)


# --- One release ---------------------------------------------------------------------------------------------


def parse_release(release, default_timezone: tzinfo = ANAC_TIMEZONE) -> ParsedRelease:
    """The ParsedRelease of one OCDS release dict.

    Raises:
        ReleaseError: the value is not an object, or lacks ``ocid`` or ``id`` (or they are too long).
    """
    if not isinstance(release, dict):
        raise ReleaseError(gettext_noop("not a JSON object"))
    ocid, release_id = _text(release.get("ocid")), _text(release.get("id"))
    if not ocid or not release_id:
        raise ReleaseError(gettext_noop("no ocid or no id"))
    if len(ocid) > MAX_OCID or len(release_id) > MAX_RELEASE_ID:
        raise ReleaseError(gettext_noop("ocid or id too long"))
    tender = _object(release.get("tender"))
    parties = [party for party in _list(release.get("parties")) if isinstance(party, dict)]
    buyer_name, buyer_code = _buyer(release, parties)
    entity_name, entity_code = _procuring_entity(tender, parties)
    if (entity_code and entity_code == buyer_code) or (
        not entity_code and _same_name(entity_name, buyer_name)
    ):
        entity_name, entity_code = "", ""
    value_amount, value_currency = _amount(tender.get("value"))
    award_amount, award_currency = _awarded(release)
    date = parse_release_date(release.get("date"), default_timezone)
    return ParsedRelease(
        ocid=ocid,
        release_id=release_id,
        date=date.value,
        date_text=_text(release.get("date"))[:100],
        date_malformed=date.malformed,
        buyer_name=buyer_name,
        buyer_fiscal_code=buyer_code,
        procuring_entity_name=entity_name,
        procuring_entity_fiscal_code=entity_code,
        title=_text(tender.get("title")) or _text(tender.get("description")),
        procurement_method=_text(tender.get("procurementMethod"))[:20],
        procurement_method_details=_text(tender.get("procurementMethodDetails")),
        main_procurement_category=_text(tender.get("mainProcurementCategory"))[:20],
        value_amount=value_amount,
        value_currency=value_currency,
        cpv=_first_cpv(tender),
        award_amount=award_amount,
        award_currency=award_currency,
        supplier_names=_suppliers(release),
        bid_count=_bid_count(release),
        cigs=tuple(_text(lot.get("id")) for lot in _list(tender.get("lots")) if isinstance(lot, dict)),
        raw=release,
        digest=release_digest(release),
    )


def release_digest(release: dict) -> str:
    """A fingerprint of the release's content: equal digests mean an unchanged release."""
    canonical = json.dumps(release, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def method_title(details: str) -> str:
    """The readable part of ANAC's ``procurementMethodDetails`` ("COD:34 ; TITLE:PROCEDURA NEGOZIATA…")."""
    _, found, title = details.partition("TITLE:")
    return title.strip() if found else details.strip()


def _buyer(release: dict, parties: list[dict]) -> tuple[str, str]:
    buyer = _object(release.get("buyer"))
    party = _party(parties, _text(buyer.get("id")), "buyer")
    name = _text(buyer.get("name")) or _text(party.get("name"))
    return name, _fiscal_code(party, buyer)


def _procuring_entity(tender: dict, parties: list[dict]) -> tuple[str, str]:
    reference = _object(tender.get("procuringEntity"))
    party = _party(parties, _text(reference.get("id")), "procuringEntity")
    if not reference and not party:
        return "", ""
    return _text(reference.get("name")) or _text(party.get("name")), _fiscal_code(party, reference)


def _party(parties: list[dict], party_id: str, role: str) -> dict:
    """The party that ``party_id`` references, else the first party with ``role``."""
    if party_id:
        for party in parties:
            if _text(party.get("id")) == party_id:
                return party
    for party in parties:
        if role in _list(party.get("roles")):
            return party
    return {}


def _fiscal_code(party: dict, reference: dict) -> str:
    """The codice fiscale: the party's IT-CF identifier, else its id or the reference's id when it has the
    shape of one (ANAC uses the codice fiscale of the contracting authority as the party id)."""
    identifier = _object(party.get("identifier"))
    candidates = [_text(party.get("id")), _text(reference.get("id"))]
    if _text(identifier.get("scheme")).upper() == "IT-CF":
        candidates.insert(0, _text(identifier.get("id")))
    for candidate in candidates:
        code = candidate.replace(" ", "").upper()
        if FISCAL_CODE.fullmatch(code):
            return code
    return ""


def _amount(value) -> tuple[Decimal | None, str]:
    value = _object(value)
    currency = _text(value.get("currency")).upper()[:3]
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        return None, currency
    try:
        # str() of a float is its shortest round-trip form: 196721.31 stays 196721.31.
        number = Decimal(str(amount))
    except InvalidOperation:
        return None, currency
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        return None, currency
    return number.quantize(CENT, rounding=ROUND_HALF_EVEN), currency


def _awarded(release: dict) -> tuple[Decimal | None, str]:
    """The sum of the awards' values, when they share one currency; cancelled or unsuccessful ones left out."""
    total, currencies = None, set()
    for award in _list(release.get("awards")):
        if not isinstance(award, dict) or award.get("status") in ("cancelled", "unsuccessful"):
            continue
        amount, currency = _amount(award.get("value"))
        if amount is None:
            continue
        total = amount if total is None else total + amount
        currencies.add(currency)
    if total is None or len(currencies) > 1 or abs(total) > MAX_AMOUNT:
        return None, ""
    return total, currencies.pop()


def _suppliers(release: dict) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for award in _list(release.get("awards")):
        for supplier in _list(_object(award).get("suppliers")):
            name = _text(_object(supplier).get("name"))
            if name:
                names[name] = None
    return tuple(names)


def _bid_count(release: dict) -> int | None:
    """The number of bids from ``bids.statistics`` (measure ``bids``: the whole-tender figure, else the sum
    over lots), else the number of ``bids.details``; None when the release says nothing."""
    bids = _object(release.get("bids"))
    statistics = [s for s in _list(bids.get("statistics")) if _object(s).get("measure") == "bids"]
    values = [(s.get("relatedLot"), s.get("value")) for s in statistics]
    values = [(lot, v) for lot, v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    whole = [v for lot, v in values if not lot]
    if whole:
        return int(whole[0])
    if values:
        return int(sum(v for _, v in values))
    details = bids.get("details")
    return len(details) if isinstance(details, list) else None


def _first_cpv(tender: dict) -> str:
    for item in _list(tender.get("items")):
        classification = _object(_object(item).get("classification"))
        if _text(classification.get("scheme")).upper() == "CPV":
            return _text(classification.get("id"))[:20]
    return ""


def _same_name(one: str, other: str) -> bool:
    return bool(one) and name_key(one) == name_key(other)


def _text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


# --- Names of comuni -----------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """Lower case, no accents, punctuation as spaces: "COMUNE DI FIORENZUOLA D ARDA" and "Fiorenzuola
    d'Arda" compare equal once the prefix is removed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


# The short forms under which buyers publish some comuni whose ISTAT name is longer or different, each with the
# ISTAT name ("Denominazione in italiano" of the Elenco comuni italiani). ANAC's "COMUNE DI REGGIO EMILIA" is
# the comune ISTAT calls "Reggio nell'Emilia". Only forms that name one comune alone belong here: "Castel San
# Pietro" (Terme, in Emilia, or Romano, near Rome) and "Canosa" (di Puglia, or Sannita) do not. Add a form when
# an import lists a comune among the buyers it could not link.
NAME_VARIANTS = {
    "Reggio Emilia": "Reggio nell'Emilia",
    "Reggio Calabria": "Reggio di Calabria",
    "Spezia": "La Spezia",
    "Aquila": "L'Aquila",
    "Calatafimi": "Calatafimi-Segesta",
    "Lamezia": "Lamezia Terme",
    "San Dorligo della Valle - Dolina": "San Dorligo della Valle",
}
_VARIANT_KEYS = {name_key(variant): name_key(istat) for variant, istat in NAME_VARIANTS.items()}
LOCAL_AUTHORITY_PREFIXES = (MUNICIPALITY_PREFIX, "unione ")


def municipality_name_key(buyer_name: str) -> str:
    """The key of the comune that a buyer named "COMUNE DI X" stands for (X's ISTAT name when X is one of the
    ``NAME_VARIANTS``), or "" for any other buyer."""
    key = name_key(buyer_name)
    if not key.startswith(MUNICIPALITY_PREFIX):
        return ""
    key = key.removeprefix(MUNICIPALITY_PREFIX)
    return _VARIANT_KEYS.get(key, key)


def is_local_authority(buyer_name: str) -> bool:
    """Whether the buyer names itself a comune or an Unione di comuni: one the platform should link."""
    return name_key(buyer_name).startswith(LOCAL_AUTHORITY_PREFIXES)


@dataclass(frozen=True)
class Link:
    """Where a release belongs on the platform: an organisation (a Comune or Unione) and/or a comune."""

    organization_id: int | None = None
    municipality_id: int | None = None

    def __bool__(self) -> bool:
        return self.organization_id is not None or self.municipality_id is not None


def unique_index(pairs) -> dict:
    """A dict from ``(key, value)`` pairs in which a key given two different values maps to None (ambiguous)."""
    index: dict = {}
    for key, value in pairs:
        if key:
            index[key] = value if index.get(key, value) == value else None
    return index


class Linker:
    """Links releases to comuni: by the buyer's codice fiscale when an organisation has it, else by the
    name "COMUNE DI X" when exactly one current comune is called X (accents, case and punctuation aside, the
    short forms of ``NAME_VARIANTS`` read as the ISTAT name).

    Args:
        by_fiscal_code: codice fiscale -> (organisation id, its comune id or None); None if ambiguous.
        by_name: ``name_key`` of a comune's name -> (its organisation id or None, comune id); None if
            ambiguous. Build both with ``unique_index``.
    """

    def __init__(self, by_fiscal_code: dict, by_name: dict):
        self.by_fiscal_code = by_fiscal_code
        self.by_name = by_name

    def link(self, release: ParsedRelease) -> Link:
        found = self.by_fiscal_code.get(release.buyer_fiscal_code) if release.buyer_fiscal_code else None
        if found is None:
            key = municipality_name_key(release.buyer_name)
            found = self.by_name.get(key) if key else None
        return Link(*found) if found else Link()


# --- Files ---------------------------------------------------------------------------------------------------


def check_file(path: Path) -> int:
    """Read the whole file and return how many of its items are releases (objects with an ``ocid``).

    Raises:
        OcdsFileError: as ``read_releases``, and when the file holds no OCDS release at all (another format
            written as JSON, such as a TED notice): importing it would change nothing and say nothing.
    """
    path = Path(path)
    found = sum(isinstance(release, dict) and "ocid" in release for _position, release in read_releases(path))
    if not found:
        raise OcdsFileError(
            gettext_noop(
                'no OCDS release was found in %(file)s: OCDS releases have an "ocid" (is it a TED notice or '
                "another format?)."
            ),
            file=path.name,
        )
    return found


def read_releases(path: Path) -> Iterator[tuple[str, object]]:
    """Every release in the file, with its position ("line 3", "release 2", "line 3, release 2") for reports.

    Raises:
        OcdsFileError: the file cannot be read, is not JSON, or is JSON of another shape; raised when the
            reader reaches the fault, so callers that must write nothing read the file to its end first.
    """
    for position, document in _read_documents(Path(path)):
        yield from _releases_of(document, position)


def _read_documents(path: Path) -> Iterator[tuple[str, object]]:
    """The JSON documents of the file: one per line for JSON Lines, else the whole file."""
    try:
        with _open_text(path) as stream:
            first, number = _first_line(stream)
            if first is None:
                raise OcdsFileError(gettext_noop("the file %(file)s is empty."), file=path.name)
            single = _loads(first)
            if single is None:
                # Not a complete value on one line: one (pretty-printed) JSON document.
                stream.seek(0)
                yield "", _load_whole(stream, path)
                return
            yield f"line {number}", single
            yield from _json_lines(stream, number, path)
    except UnicodeDecodeError as exc:
        raise OcdsFileError(gettext_noop("the file %(file)s is not UTF-8 text."), file=path.name) from exc
    except (OSError, EOFError) as exc:
        raise OcdsFileError(
            gettext_noop("the file %(file)s cannot be read (%(error)s)."), file=path.name, error=exc
        ) from exc


ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP archive's first bytes (an empty one's too)


def _open_text(path: Path):
    with open(path, "rb") as raw:
        start = raw.read(4)
    if start in ZIP_SIGNATURES:
        raise OcdsFileError(
            gettext_noop(
                "%(file)s is a ZIP archive: unpack it and import the JSON or JSON Lines files it holds (gzip files "
                "are read as they are)."
            ),
            file=path.name,
        )
    compressed = start[:2] == b"\x1f\x8b"
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed by the caller's with)


def _first_line(stream) -> tuple[str | None, int]:
    number = 0
    for line in stream:
        number += 1
        if line.strip():
            return line, number
    return None, number


def _json_lines(stream, number: int, path: Path) -> Iterator[tuple[str, object]]:
    for line in stream:
        number += 1
        if not line.strip():
            continue
        document = _loads(line)
        if document is None:
            raise OcdsFileError(
                gettext_noop("line %(line)d of %(file)s is not valid JSON."), line=number, file=path.name
            )
        yield f"line {number}", document


def _loads(text: str):
    """The JSON value of ``text``, or None when it is not a complete JSON object or array."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def _load_whole(stream, path: Path):
    try:
        value = json.load(stream)
    except json.JSONDecodeError as exc:
        raise OcdsFileError(
            gettext_noop("%(file)s is not valid JSON (line %(line)d, column %(column)d: %(error)s)."),
            file=path.name,
            line=exc.lineno,
            column=exc.colno,
            error=exc.msg,
        ) from exc
    if not isinstance(value, dict | list):
        raise OcdsFileError(gettext_noop("%(file)s holds no OCDS release or package."), file=path.name)
    return value


def _releases_of(document, position: str) -> Iterator[tuple[str, object]]:
    """The releases of a release package, a record package, a record, a list of releases or a release."""
    prefix = f"{position}, " if position else ""
    if isinstance(document, list):
        for index, release in enumerate(document, 1):
            yield f"{prefix}release {index}", release
    elif isinstance(document.get("records"), list):
        for index, record in enumerate(document["records"], 1):
            yield from _record_releases(record, f"{prefix}record {index}")
    elif "records" in document or ("releases" in document and not isinstance(document["releases"], list)):
        raise OcdsFileError(
            gettext_noop("%(position)s: a package whose releases or records are not a list."),
            position=position or "file",
        )
    elif isinstance(document.get("releases"), list) and "id" not in document:
        if "ocid" in document:  # a record without a compiled release
            yield from _record_releases(document, position or "record")
            return
        for index, release in enumerate(document["releases"], 1):
            yield f"{prefix}release {index}", release
    elif "compiledRelease" in document and "id" not in document:
        yield from _record_releases(document, position or "record")
    else:
        yield position or "release 1", document


def _record_releases(record, position: str) -> Iterator[tuple[str, object]]:
    """A record's compiled release; without one, its embedded releases (linked releases, which carry only a
    URL, are not releases and are skipped by parse_release for lack of an id)."""
    record = _object(record)
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        yield position, compiled
        return
    for index, release in enumerate(_list(record.get("releases")), 1):
        yield f"{position}, release {index}", release
