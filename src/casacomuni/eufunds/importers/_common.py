"""What every importer shares: the parsed record, the bad record, and tolerant readers of dates, amounts,
text and JSON. Pure: no Django, no database. Parsers never raise: whatever they cannot read becomes a
``BadRecord`` (``fatal`` when the whole file is unreadable)."""

import calendar
import csv
import hashlib
import html
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from casacomuni.eufunds.rules.money import parse_amount
from casacomuni.lib.bounds import MAX_AMOUNT

ROME = ZoneInfo("Europe/Rome")
UTC = ZoneInfo("UTC")
END_OF_DAY = time(23, 59, 59)

# Fields compared on re-import (and hashed): everything but the original record.
CONTENT_FIELDS = (
    "title",
    "summary",
    "programme",
    "funder",
    "url",
    "beneficiaries",
    "eligible_actions",
    "funding_form",
    "territorial_scope",
    "opens_on",
    "deadline",
    "second_deadline",
    "budget_total",
    "budget_text",
    "min_contribution",
    "max_contribution",
    "cofinancing_share",
)

LIMITS = {
    "source_id": 200,
    "title": 500,
    "programme": 200,
    "funder": 300,
    "url": 1000,
    "funding_form": 300,
    "territorial_scope": 300,
    "budget_text": 300,
}


@dataclass
class ParsedCall:
    source: str
    source_id: str
    title: str
    summary: str = ""
    programme: str = ""
    funder: str = ""
    url: str = ""
    beneficiaries: str = ""
    eligible_actions: str = ""
    funding_form: str = ""
    territorial_scope: str = ""
    opens_on: date | None = None
    deadline: datetime | None = None
    second_deadline: datetime | None = None
    budget_total: Decimal | None = None
    budget_text: str = ""
    min_contribution: Decimal | None = None
    max_contribution: Decimal | None = None
    cofinancing_share: Decimal | None = None
    raw: dict = field(default_factory=dict)
    # Eligibility criteria read from the record (``rules.applicants``): who may apply, where. Not hashed:
    # they follow from the record's fields.
    criteria: tuple = ()

    def __post_init__(self):
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > limit:
                setattr(self, name, value[: limit - 1] + "…")
        if self.url and not re.match(r"^https?://", self.url):
            self.url = ""
        for name in ("budget_total", "min_contribution", "max_contribution"):
            value = getattr(self, name)
            if value is not None and (not value.is_finite() or value < 0 or value >= MAX_AMOUNT):
                setattr(self, name, None)
        if self.cofinancing_share is not None and not (0 <= self.cofinancing_share <= 100):
            self.cofinancing_share = None

    def content(self) -> dict:
        """The compared fields as plain JSON-able values."""
        values = asdict(self)
        return {name: _plain(values[name]) for name in CONTENT_FIELDS}

    def content_hash(self) -> str:
        payload = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class BadRecord:
    ref: str
    reason: str
    fatal: bool = False


def load_json(payload):
    """``payload`` as JSON (bytes, str, or already decoded); raises ValueError when unreadable."""
    if isinstance(payload, (bytes, bytearray)):
        payload = bytes(payload).decode("utf-8-sig")
    if isinstance(payload, str):
        return json.loads(payload.lstrip("\ufeff"))
    return payload


def decode_text(payload) -> str:
    if isinstance(payload, (bytes, bytearray)):
        try:
            return bytes(payload).decode("utf-8-sig")
        except UnicodeDecodeError:
            return bytes(payload).decode("latin-1")
    return str(payload).lstrip("\ufeff")


def read_csv(text: str) -> list[dict]:
    """Rows of a CSV (``;`` or ``,``, sniffed from the header line) as dicts; raises ValueError."""
    if "\x00" in text:
        raise ValueError(_("binary content"))
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames or len(reader.fieldnames) < 2:
        raise ValueError(_("not a CSV with a header"))
    return [{(k or "").strip(): v for k, v in row.items()} for row in reader]


_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def text_of(value) -> str:
    """Plain text of a value that may be HTML, a list, or a WordPress ``{"rendered": ...}``."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("rendered", "")
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (text_of(v) for v in value) if t)
    if not isinstance(value, str):
        value = str(value)
    value = _TAGS.sub(" ", value)
    value = html.unescape(value).replace("\xa0", " ")
    lines = (_SPACES.sub(" ", line).strip() for line in value.splitlines())
    return "\n".join(line for line in lines if line).strip()


def first(value):
    """The first element of a list (SEDIA wraps every metadata value in one), or the value itself."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            (),
            ("gennaio", "gen", "january", "jan"),
            ("febbraio", "feb", "february"),
            ("marzo", "mar", "march"),
            ("aprile", "apr", "april"),
            ("maggio", "mag", "may"),
            ("giugno", "giu", "june", "jun"),
            ("luglio", "lug", "july", "jul"),
            ("agosto", "ago", "august", "aug"),
            ("settembre", "set", "september", "sep"),
            ("ottobre", "ott", "october", "oct"),
            ("novembre", "nov", "november"),
            ("dicembre", "dic", "december", "dec"),
        )
    )
    for name in names
}
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:°|º)?\s+([a-zà]+)\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-zà]+)\s+(\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_moment(
    value, *, end_of_period: bool = False, naive_zone: ZoneInfo = ROME
) -> tuple[date, datetime | None] | None:
    """A date or date-time as sources write it: ISO 8601 (with or without offset), "9/2/2026",
    "02/12/25", "21 aprile 2026", "aprile 2024" (the month: its first day, or its last with
    ``end_of_period``). Returns (date, aware datetime or None when only a date was given); None if
    unreadable or outside 1990-2100.

    An ISO date-time without offset is read in ``naive_zone`` (Italian time unless the source says otherwise:
    incentivi.gov.it writes UTC). Its date is taken in Italian time. A midnight is a date in date-time
    clothing (incentivi's close dates, SEDIA's deadlines): midnight as written, or midnight in Italy once
    converted ("2025-03-31T22:00:00" in UTC is 1 April 2025 in Rome)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    try:
        if m := _ISO.match(text.upper()):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
            day = date(y, mo, d)
            if m[4] is None:
                return _checked(day, None)
            moment = datetime(y, mo, d, int(m[4]), int(m[5]), int(m[6] or 0))
            offset = m[7]
            if offset:
                offset = "+00:00" if offset == "Z" else offset
                if ":" not in offset:
                    offset = offset[:3] + ":" + offset[3:]
                moment = datetime.fromisoformat(moment.isoformat() + offset)
            else:
                moment = moment.replace(tzinfo=naive_zone)
            local = moment.astimezone(ROME)
            if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
                return _checked(moment.date(), None)
            if (local.hour, local.minute, local.second) == (0, 0, 0):
                return _checked(local.date(), None)
            return _checked(local.date(), moment)
        if m := _DMY.match(text):
            return _checked(date(_year(m[3]), int(m[2]), int(m[1])), None)
        if (m := _DAY_MONTH_YEAR.match(text)) and m[2] in MONTHS:
            return _checked(date(int(m[3]), MONTHS[m[2]], int(m[1])), None)
        if (m := _MONTH_YEAR.match(text)) and m[1] in MONTHS:
            year, month = int(m[2]), MONTHS[m[1]]
            day = calendar.monthrange(year, month)[1] if end_of_period else 1
            return _checked(date(year, month, day), None)
    except (ValueError, OverflowError):
        return None
    return None


def _checked(day: date, moment: datetime | None):
    if not 1990 <= day.year <= 2100:
        return None
    return day, moment


def parse_date(value, *, naive_zone: ZoneInfo = ROME) -> date | None:
    parsed = parse_moment(value, naive_zone=naive_zone)
    return parsed[0] if parsed else None


def parse_deadline(value, *, end_of_period: bool = True, naive_zone: ZoneInfo = ROME) -> datetime | None:
    """A deadline: a bare date means the end of that day in Italy (the call is open through it)."""
    parsed = parse_moment(value, end_of_period=end_of_period, naive_zone=naive_zone)
    if parsed is None:
        return None
    day, moment = parsed
    return moment if moment is not None else datetime.combine(day, END_OF_DAY, tzinfo=ROME)


def labels(value) -> list[str]:
    """The items of a multi-valued field: a list, or a string of items separated by ``;``, ``,`` or ``|``."""
    items = value if isinstance(value, (list, tuple)) else re.split(r"[;,|]", str(value or ""))
    return [text for text in (text_of(item) for item in items) if text]


def amount(value) -> Decimal | None:
    return parse_amount(value)


def clip(text: str, limit: int = 4000) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Italian date phrases around a deadline in free text ("entro le ore 12:00 del 28/02/2026").
_DEADLINE_HINT = re.compile(r"(scadenza|entro|fino al|fino alle|prorogat|termine|chiusura|dalle ore)", re.I)
_DATE_IN_TEXT = re.compile(
    r"(\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}(?:°|º)?\s+(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|"
    r"agosto|settembre|ottobre|novembre|dicembre)\s+\d{4})",
    re.I,
)


# Deadlines of the project rather than of the applications ("il progetto deve essere concluso e rendicontato
# entro il 31/03/2029"): a phrase preceded by one of these words is not the call's deadline.
_PROJECT_DEADLINE = re.compile(
    r"(rendicont|conclu|realizzat|ultimat|completat|liquidat|spese|sostenut)", re.I
)


def deadline_in_text(text: str) -> datetime | None:
    """The latest of the dates written first within 120 characters after a deadline phrase ("entro", "scadenza",
    "prorogato fino al"...), as the end of that day; None when the text names none. The latest, because an
    extension follows the original date; phrases about the project's own end or reporting do not count."""
    found: list[datetime] = []
    for hint in _DEADLINE_HINT.finditer(text or ""):
        if _PROJECT_DEADLINE.search(text[max(0, hint.start() - 60) : hint.start()]):
            continue
        # The first date after the phrase is the one it speaks of; a later one in the window belongs to
        # another sentence (and another phrase, when it is a deadline too).
        match = _DATE_IN_TEXT.search(text[hint.end() : hint.end() + 120])
        moment = parse_deadline(re.sub(r"\s+", " ", match.group(1))) if match else None
        if moment is not None:
            found.append(moment)
    return max(found) if found else None
