"""incentivi.gov.it (MIMIT, IODL 2.0) → calls, in both shapes the site gives (DOMAIN §5):

- the raw Solr documents behind the catalogue (``zs_nid``, ``zs_title``, ``zs_field_open_date``...), as in
  the shipped sample (``{"docs": [...]}``, or Solr's ``{"response": {"docs": [...]}}``);
- the open-data download, JSON or CSV (UTF-8 with BOM, ``;`` or ``,``), whose columns are aliases
  (``ID_Incentivo``, ``Titolo``, ``Data_apertura``...).

Every record is first mapped to the alias names, then read once. There is no status field: it is derived
from the dates. Date-times are UTC in both shapes, with or without an offset (Solr's convention, DOMAIN §5):
"2025-03-31T22:00:00" is 1 April 2025 in Rome. ``Base_normativa_primaria`` (the call's legal basis) is read
as its programme. ``Stanziamento_incentivo`` is free text ("€ 10 milioni", "2.066.866"): read into a Decimal
when possible, kept as published in ``budget_text`` always. Comuni are free text with no ISTAT code: they
go to the territorial scope, for the officers to turn into criteria. ``Tipologia_Soggetto`` and ``Regioni``
become the call's entity-type and regions criteria (``rules.applicants``).
"""

import csv
from collections.abc import Iterator

from django.utils.translation import gettext as _

from casacomuni.eufunds.rules import applicants

from ._common import (
    UTC,
    BadRecord,
    ParsedCall,
    amount,
    clip,
    decode_text,
    labels,
    load_json,
    parse_date,
    parse_deadline,
    read_csv,
    text_of,
)

SOURCE = "incentivi"
SITE = "https://www.incentivi.gov.it"

# Open-data alias ← raw Solr field.
ALIASES = {
    "ID_Incentivo": "zs_nid",
    "Titolo": "zs_title",
    "Descrizione": "zs_body",
    "Obiettivo_Finalita": "zm_field_scopes_value",
    "Data_apertura": "zs_field_open_date",
    "Data_chiusura": "zs_field_close_date",
    "Dimensioni": "zm_field_dimensions_value",
    "Tipologia_Soggetto": "zm_field_subject_type_value",
    "Forma_agevolazione": "zm_field_support_form_value",
    "Costi_Ammessi": "zm_field_granted_costs_value",
    "Spesa_Ammessa_min": "zs_field_cost_min",
    "Spesa_Ammessa_max": "zs_field_cost_max",
    "Agevolazione_Concedibile_min": "zs_field_support_grant_type_min",
    "Agevolazione_Concedibile_max": "zs_field_support_grant_type_max",
    "Regioni": "zm_field_regions_value",
    "Comuni": "zs_field_comuni",
    "Ambito_territoriale": "zs_field_territorial_scope",
    "Soggetto_Concedente": "zs_field_subject_grant",
    "Stanziamento_incentivo": "zs_field_budget_allocation",
    "Link_istituzionale": "zs_field_link",
    "Data_ultimo_aggiornamento": "ds_last_update",
    "Base_normativa_primaria": "zs_field_primary_ruleset",
}
_LOWER_ALIASES = {alias.lower(): alias for alias in ALIASES}


def parse(payload) -> Iterator[ParsedCall | BadRecord]:
    records, error = _records(payload)
    if error:
        yield BadRecord("file", error, fatal=True)
        return
    for index, record in enumerate(records, start=1):
        try:
            yield parse_record(record, index)
        except Exception as exc:  # noqa: BLE001 — one broken record must never stop the file
            yield BadRecord(
                _("record %(index)s") % {"index": index},
                _("unreadable record (%(error)s)") % {"error": f"{type(exc).__name__}: {exc}"},
            )


def _records(payload) -> tuple[list, str]:
    try:
        data = load_json(payload)
    except (ValueError, UnicodeDecodeError):
        try:
            return read_csv(decode_text(payload)), ""
        except (ValueError, csv.Error) as exc:
            return [], _("neither JSON nor CSV: %(error)s") % {"error": exc}
    if isinstance(data, dict):
        if isinstance(data.get("response"), dict):
            data = data["response"]
        for key in ("docs", "data", "items", "records", "incentivi"):
            if isinstance(data.get(key), list):
                return data[key], ""
        return [], _("no list of records (expected 'docs' or a list)")
    if isinstance(data, list):
        return data, ""
    return [], _("no list of records")


def normalise(record: dict) -> dict:
    """The record with alias names: raw Solr fields are renamed, aliases kept (matched ignoring case)."""
    out = {}
    for key, value in record.items():
        alias = _LOWER_ALIASES.get(str(key).strip().lower())
        if alias:
            out[alias] = value
    for alias, solr in ALIASES.items():
        if alias not in out and solr in record:
            out[alias] = record[solr]
    return out


def parse_record(record, index: int) -> ParsedCall | BadRecord:
    if not isinstance(record, dict):
        return BadRecord(_("record %(index)s") % {"index": index}, _("not an object"))
    r = normalise(record)
    source_id = _plain(r.get("ID_Incentivo"))
    ref = source_id or _("record %(index)s") % {"index": index}
    title = text_of(r.get("Titolo"))
    if not source_id:
        return BadRecord(ref, _("no ID_Incentivo"))
    if not title:
        return BadRecord(ref, _("no title"))
    # Solr's convention, in both shapes: date-times are UTC even without an offset (DOMAIN §5).
    opens_on = parse_date(_plain(r.get("Data_apertura")), naive_zone=UTC)
    deadline = parse_deadline(_plain(r.get("Data_chiusura")), naive_zone=UTC)
    if opens_on is None and deadline is None:
        return BadRecord(ref, _("no opening date and no closing date"))
    budget_text = _plain(r.get("Stanziamento_incentivo"))
    link = _plain(r.get("Link_istituzionale"))
    if not link and isinstance(record.get("zs_url"), str) and record["zs_url"].startswith("/"):
        link = SITE + record["zs_url"]
    beneficiaries = "; ".join(
        t for t in (text_of(r.get("Tipologia_Soggetto")), text_of(r.get("Dimensioni"))) if t
    )
    scope = "; ".join(
        t
        for t in (text_of(r.get("Ambito_territoriale")), text_of(r.get("Regioni")), text_of(r.get("Comuni")))
        if t
    )
    min_c = amount(_plain(r.get("Agevolazione_Concedibile_min")))
    criteria = (
        *applicants.from_labels("Tipologia soggetto", labels(r.get("Tipologia_Soggetto"))),
        *applicants.from_region_names("Regioni", labels(r.get("Regioni"))),
    )
    return ParsedCall(
        source=SOURCE,
        source_id=source_id,
        title=title,
        summary=clip(text_of(r.get("Descrizione"))),
        # The call's legal basis ("Base_normativa_primaria"), else its aim.
        programme=text_of(r.get("Base_normativa_primaria")) or text_of(r.get("Obiettivo_Finalita")),
        funder=text_of(r.get("Soggetto_Concedente")),
        url=link,
        beneficiaries=clip(beneficiaries, 2000),
        eligible_actions=clip(text_of(r.get("Costi_Ammessi")), 2000),
        funding_form=text_of(r.get("Forma_agevolazione")),
        territorial_scope=scope,
        opens_on=opens_on,
        deadline=deadline,
        budget_total=amount(budget_text),
        budget_text=budget_text,
        min_contribution=min_c or None,
        max_contribution=amount(_plain(r.get("Agevolazione_Concedibile_max"))) or None,
        raw=record,
        criteria=criteria,
    )


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return "" if value is None or isinstance(value, dict) else str(value).strip()
