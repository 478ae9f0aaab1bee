"""Regional portals' outputs → calls: one tolerant mapper for the shapes they publish.

The shipped captures differ from one another (``data/samples/regional_*.json``):

- WordPress REST posts (Lazio Innova, EuroInfoSicilia): ``title.rendered``, ``content.rendered``,
  ``link``, ``date`` (publication), ``class_list`` (taxonomy slugs such as ``destinatari-piccole-imprese``);
  no deadline field: it is read from the text ("prorogato fino alle ore 12:00 del 28/02/2026");
- a Plone ``@search`` (Emilia-Romagna): ``UID``, ``@id``, ``apertura_bando``, ``scadenza_bando``,
  ``destinatari``, ``materie``;
- records extracted from WordPress detail pages (Basilicata, Calabria): ``title``, ``summary``,
  ``eligibility_text``, ``value_amount``/``value_min``/``value_max``, ``deadline``, ``kind``;
- a CKAN CSV calendar (Trentino FEASR): ``INTERVENTO``, ``DATA APERTURA``, ``DATA CHIUSURA`` ("1/10/2025",
  "02/12/25", "aprile 2024"), ``IMPORTO (Euro)`` ("3.200.000,00"), no unique identifier.

Each record is read by looking its fields up among known names (ignoring case, spaces and underscores), so
a portal with similar names imports as well. The record's status at the source is ignored (derived from
the dates). Records with no usable title or no usable date, and tenders (``kind: tender``: sales,
concessions, services bought by the region — not calls for funding), are reported as bad records.
Identifiers are prefixed with the portal (``basilicata:102357``); rows with none get one from their title
and opening date, so a moved deadline is a change, not a new call. Who may apply and where become the call's
entity-type and territory criteria (``derived_criteria``).
"""

import hashlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from casacomuni.eufunds.rules import applicants

from ._common import (
    BadRecord,
    ParsedCall,
    amount,
    clip,
    deadline_in_text,
    decode_text,
    labels,
    load_json,
    parse_date,
    parse_deadline,
    read_csv,
    text_of,
)

SOURCE = "regional"
LIST_KEYS = ("records", "items", "posts", "rows", "results", "data", "bandi")
# Portal host → (identifier prefix, funder).
PORTALS = {
    "portalebandi.regione.basilicata.it": ("basilicata", "Regione Basilicata"),
    "calabriaeuropa.regione.calabria.it": ("calabria", "Regione Calabria"),
    "politicheterritoriali.regione.emilia-romagna.it": ("emilia-romagna", "Regione Emilia-Romagna"),
    "www.lazioinnova.it": ("lazio", "Lazio Innova – Regione Lazio"),
    "www.euroinfosicilia.it": ("sicilia", "Regione Siciliana"),
    "dati.trentino.it": ("trentino", "Provincia autonoma di Trento"),
}

FIELDS = {
    "id": ("uid", "_post_id", "id", "post_id", "codice", "code", "identifier"),
    "title": ("title", "titolo", "nome", "name", "intervento", "_listing_title"),
    "summary": ("summary", "description", "descrizione", "excerpt", "abstract", "sintesi"),
    "content": ("content", "text", "testo", "body"),
    "opens": (
        "apertura_bando",
        "data_apertura",
        "dataapertura",
        "opens_on",
        "open_date",
        "start_date",
        "startdate",
        "apertura",
    ),
    "deadline": (
        "scadenza_bando",
        "scadenza",
        "deadline",
        "data_chiusura",
        "datachiusura",
        "data_scadenza",
        "close_date",
        "end_date",
        "enddate",
        "chiusura",
    ),
    "published": ("date", "effective", "data_pubblicazione", "published"),
    "url": ("_url", "@id", "link", "url", "informazioni"),
    "amount": (
        "value_amount",
        "importo(euro)",
        "importo",
        "importo_euro",
        "dotazione",
        "budget",
        "stanziamento",
    ),
    "min": ("value_min", "importo_minimo", "contributo_minimo"),
    "max": ("value_max", "importo_massimo", "contributo_massimo"),
    "beneficiaries": ("eligibility_text", "destinatari", "beneficiari", "soggetti_beneficiari"),
    "topics": ("materie", "keywords", "tematiche"),
    "scope": ("areageografica", "area_geografica", "territorio", "ambito_territoriale"),
    "programme": ("programma", "programme", "fondo"),
    "kind": ("kind", "tipologia_bando", "tipologia"),
}
_PROGRAMME = re.compile(
    r"\b((?:PR|PO|POR)?\s?(?:FESR|FSE\+?|FEASR|FSC|FEAMPA)(?:\s+[A-Z][a-z]+)?\s+\d{4}\s?[/-]\s?\d{4}|PNRR|"
    r"Interreg[^–\-,.;]{0,40}\d{4}\s?[/-]\s?\d{4})",
)
_HREF = re.compile(r'href="([^"]+)"')


def parse(payload) -> Iterator[ParsedCall | BadRecord]:
    records, origin, error = _records(payload)
    if error:
        yield BadRecord("file", error, fatal=True)
        return
    for index, record in enumerate(records, start=1):
        try:
            yield parse_record(record, index, origin)
        except Exception as exc:  # noqa: BLE001 — one broken record must never stop the file
            yield BadRecord(
                _("record %(index)s") % {"index": index},
                _("unreadable record (%(error)s)") % {"error": f"{type(exc).__name__}: {exc}"},
            )


def _records(payload) -> tuple[list, str, str]:
    try:
        data = load_json(payload)
    except (ValueError, UnicodeDecodeError):
        try:
            return read_csv(decode_text(payload)), "", ""
        except Exception as exc:  # noqa: BLE001
            return [], "", _("neither JSON nor CSV: %(error)s") % {"error": exc}
    if isinstance(data, list):
        return data, "", ""
    if isinstance(data, dict):
        origin = str(data.get("_source") or data.get("@id") or "")
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return data[key], origin, ""
        return [], origin, _("no list of records")
    return [], "", _("no list of records")


def _key(name) -> str:
    return re.sub(r"[\s_\-]", "", str(name).lower())


def field(record: dict, name: str):
    """The first non-empty value among the known names of ``name``."""
    keys = {_key(k): k for k in record}
    for candidate in FIELDS[name]:
        actual = keys.get(_key(candidate))
        if actual is not None and record[actual] not in (None, "", [], {}):
            return record[actual]
    return None


def host_of(text: str) -> str:
    """The host of the first address in ``text`` ("GET https://www.lazioinnova.it/..." → www.lazioinnova.it)."""
    found = re.search(r"https?://[^\s\"'<>]+", text or "")
    return (urlsplit(found[0]).hostname or "") if found else ""


def portal(url: str) -> tuple[str, str]:
    host = host_of(url)
    if host in PORTALS:
        return PORTALS[host]
    match = re.search(r"regione\.([a-z\-]+)\.it$", host)
    if match:
        return match[1], f"Regione {match[1].replace('-', ' ').title()}"
    return (host or "regional"), ""


def parse_record(record, index: int, origin: str) -> ParsedCall | BadRecord:
    if not isinstance(record, dict):
        return BadRecord(_("record %(index)s") % {"index": index}, _("not an object"))
    url = _url(field(record, "url"))
    prefix, funder = portal(origin or url)
    title = text_of(field(record, "title"))
    raw_id = field(record, "id")
    ref = (
        f"{prefix}:{raw_id}"
        if raw_id not in (None, "")
        else (title[:80] or _("record %(index)s") % {"index": index})
    )
    if not title:
        return BadRecord(ref, _("no title"))
    if str(field(record, "kind") or "").strip().lower() == "tender":
        return BadRecord(ref, _("a tender, not a call for funding"))
    content = text_of(field(record, "content"))
    summary = text_of(field(record, "summary")) or content
    opens_value = field(record, "opens")
    opens_on = parse_date(opens_value)
    deadline = parse_deadline(field(record, "deadline"))
    published = parse_date(field(record, "published"))
    if deadline is None and field(record, "deadline") is None:
        deadline = deadline_in_text(f"{title}\n{content or summary}")
    if opens_on is None and deadline is None:
        # A publication date alone says nothing of when applications close (rankings, amendments...).
        return BadRecord(ref, _("no usable opening date or deadline"))
    if opens_on is None and opens_value is None and published and published <= deadline.date():
        opens_on = published
    if raw_id in (None, ""):
        basis = f"{title}|{opens_on.isoformat() if opens_on else ''}"
        raw_id = hashlib.sha256(basis.encode()).hexdigest()[:16]
    scope = text_of(field(record, "scope")) or funder.replace("Regione ", "")
    topics = text_of(field(record, "topics"))
    return ParsedCall(
        source=SOURCE,
        source_id=f"{prefix}:{raw_id}",
        title=title,
        summary=clip(summary),
        programme=text_of(field(record, "programme")) or _programme(f"{title} {content}"),
        funder=funder,
        url=url,
        beneficiaries=clip(
            text_of(field(record, "beneficiaries")) or _wp_terms(record, "destinatari-"), 2000
        ),
        eligible_actions=clip(topics, 2000),
        funding_form=text_of(field(record, "kind")) or _wp_terms(record, "tipologie-"),
        territorial_scope=scope,
        opens_on=opens_on,
        deadline=deadline,
        budget_total=amount(field(record, "amount")),
        budget_text=text_of(field(record, "amount")),
        min_contribution=amount(field(record, "min")),
        max_contribution=amount(field(record, "max")),
        raw=record,
        criteria=derived_criteria(record, funder, host_of(origin or url)),
    )


def derived_criteria(record: dict, funder: str, host: str) -> tuple:
    """Who may apply (the record's list or sentence of beneficiaries, else its ``destinatari-*`` terms) and
    where (its geographic area, else the Region whose portal publishes it), see ``rules.applicants``."""
    beneficiaries = field(record, "beneficiaries")
    if isinstance(beneficiaries, list):
        who = applicants.from_labels("Destinatari", labels(beneficiaries))
    elif beneficiaries is not None:
        who = applicants.from_sentence("Destinatari", text_of(beneficiaries))
    else:
        who = applicants.from_labels("Destinatari", labels(_wp_terms(record, "destinatari-")))
    area = field(record, "scope")
    if area is not None:
        where = applicants.from_area("Area geografica", text_of(area))
    else:
        where = applicants.from_area("Portale", f"{funder} ({host})" if host else funder) if funder else []
    return (*who, *where)


def _url(value) -> str:
    text = str(value or "")
    match = _HREF.search(text)
    return (match[1] if match else text).strip()


def _programme(text: str) -> str:
    match = _PROGRAMME.search(text or "")
    return re.sub(r"\s+", " ", match[1]).strip() if match else ""


def _wp_terms(record: dict, prefix: str) -> str:
    """WordPress taxonomy slugs in ``class_list`` ("destinatari-piccole-imprese" → "piccole imprese")."""
    classes = record.get("class_list")
    if not isinstance(classes, list):
        return ""
    return "; ".join(
        c[len(prefix) :].replace("-", " ") for c in classes if isinstance(c, str) and c.startswith(prefix)
    )
