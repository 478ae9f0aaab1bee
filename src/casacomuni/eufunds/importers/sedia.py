"""EU Funding & Tenders Portal search API (SEDIA) responses → calls (DOMAIN §5).

Every ``metadata`` value is an array of strings; ``actions`` and ``budgetOverview`` are JSON strings.
``type``: 0 tender, 1 grant topic, 2 call for proposals, 8 cascade funding (tenders are skipped: not calls
for funding). ``status`` (31094501 forthcoming, 31094502 open, 31094503 closed) is kept in the original
record only: the status is derived from the dates. Two-stage topics (``deadlineModel`` two-stage,
submission 31094505) carry two ``deadlineDate`` values. ``budgetOverview`` covers the whole call: only the
entries whose action starts with the topic's identifier are the topic's. Captures may cut that JSON
string short (the shipped sample does, at 600 characters): complete entries are then salvaged from the
text and the incomplete ones ignored.
"""

import json
import re
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from ._common import BadRecord, ParsedCall, clip, first, load_json, parse_date, parse_deadline, text_of

SOURCE = "sedia"
GRANT_TYPES = {"1", "2", "8"}
TENDER = "0"
# Programme of a topic, from its identifier's first segment (the portal's own abbreviations).
PROGRAMMES = {
    "HORIZON": "Horizon Europe",
    "DIGITAL": "Digital Europe",
    "LIFE": "LIFE",
    "CERV": "CERV",
    "ERASMUS": "Erasmus+",
    "EAC": "Erasmus+",
    "CEF": "Connecting Europe Facility",
    "EU4H": "EU4Health",
    "SMP": "Single Market Programme",
    "CREA": "Creative Europe",
    "AMIF": "Asylum, Migration and Integration Fund",
    "ISF": "Internal Security Fund",
    "EMFAF": "European Maritime, Fisheries and Aquaculture Fund",
    "UCPM": "Union Civil Protection Mechanism",
    "ESF": "European Social Fund+",
    "SOCPL": "European Social Fund+",
    "AGRIP": "Promotion of agricultural products",
    "I3": "Interregional Innovation Investments",
    "EUAF": "Union Anti-Fraud Programme",
    "JUST": "Justice Programme",
    "RFCS": "Research Fund for Coal and Steel",
    "EDF": "European Defence Fund",
    "IMREG": "Interregional Innovation Investments",
    "PPPA": "Pilot projects and preparatory actions",
}
FRAMEWORK_PROGRAMMES = {"43108390": "Horizon Europe"}

_ENTRY = re.compile(r'\{"action":"(?P<action>[^"]*)"(?P<body>[^{}]*?)"budgetYearMap":\{(?P<years>[^{}]*)\}')
_NUMBER_FIELD = r'"{name}":\s*(-?\d+(?:\.\d+)?)'


def parse(payload) -> Iterator[ParsedCall | BadRecord]:
    try:
        data = load_json(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        yield BadRecord("file", _("not JSON: %(error)s") % {"error": exc}, fatal=True)
        return
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        yield BadRecord("file", _("no 'results' list: not a SEDIA search response"), fatal=True)
        return
    for index, result in enumerate(results, start=1):
        try:
            yield parse_result(result, index)
        except Exception as exc:  # noqa: BLE001 — one broken record must never stop the file
            yield BadRecord(
                _("result %(index)s") % {"index": index},
                _("unreadable record (%(error)s)") % {"error": f"{type(exc).__name__}: {exc}"},
            )


def parse_result(result, index: int) -> ParsedCall | BadRecord:
    if not isinstance(result, dict) or not isinstance(result.get("metadata"), dict):
        return BadRecord(_("result %(index)s") % {"index": index}, _("no metadata"))
    meta = result["metadata"]
    identifier = _text(meta.get("identifier")) or _text(meta.get("callIdentifier"))
    ref = identifier or _("result %(index)s") % {"index": index}
    kind = _text(meta.get("type"))
    if kind == TENDER:
        return BadRecord(ref, _("a tender (type 0), not a call for funding"))
    if kind and kind not in GRANT_TYPES:
        return BadRecord(ref, _("unknown type %(kind)s") % {"kind": kind})
    title = _text(meta.get("title")) or text_of(result.get("summary"))
    if not identifier:
        return BadRecord(ref, _("no identifier"))
    if not title:
        return BadRecord(ref, _("no title"))
    deadlines = sorted(d for d in (parse_deadline(v) for v in _list(meta.get("deadlineDate"))) if d)
    actions = _json_list(meta.get("actions"))
    opens_on = parse_date(_text(meta.get("startDate")))
    if opens_on is None and actions:
        opens_on = parse_date(actions[0].get("plannedOpeningDate"))
    if not deadlines and opens_on is None:
        return BadRecord(ref, _("no opening date and no deadline"))
    budget, min_c, max_c = topic_budget(identifier, _text(meta.get("budgetOverview")))
    call_title = _text(meta.get("callTitle"))
    summary = text_of(_text(meta.get("descriptionByte"))) or call_title
    return ParsedCall(
        source=SOURCE,
        source_id=identifier,
        title=title,
        summary=clip(summary),
        programme=programme_of(identifier, _text(meta.get("frameworkProgramme"))),
        funder="European Commission",
        url=_text(meta.get("url")) or str(result.get("url") or ""),
        eligible_actions="; ".join(_list(meta.get("typesOfAction"))),
        funding_form=_funding_form(actions),
        territorial_scope="EU",
        opens_on=opens_on,
        deadline=deadlines[0] if deadlines else None,
        second_deadline=deadlines[1] if len(deadlines) > 1 else None,
        budget_total=budget,
        min_contribution=min_c,
        max_contribution=max_c,
        raw=result,
    )


def programme_of(identifier: str, framework_code: str) -> str:
    prefix = identifier.split("-", 1)[0].upper()
    return PROGRAMMES.get(prefix) or FRAMEWORK_PROGRAMMES.get(framework_code, "") or prefix


def topic_budget(identifier: str, overview: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(total budget, min, max contribution) of the topic's own actions in ``budgetOverview``."""
    if not overview:
        return None, None, None
    entries = _budget_entries(overview)
    own = [e for e in entries if _is_topic_action(str(e.get("action", "")), identifier)]
    if not own:
        return None, None, None
    total = Decimal(0)
    mins, maxs = [], []
    for entry in own:
        years = entry.get("budgetYearMap") or {}
        for value in years.values() if isinstance(years, dict) else ():
            try:
                total += Decimal(str(value))
            except ArithmeticError:
                continue
        for key, bucket in (("minContribution", mins), ("maxContribution", maxs)):
            if isinstance(entry.get(key), (int, float)) and not isinstance(entry.get(key), bool):
                bucket.append(Decimal(str(entry[key])))
    return (total or None), (min(mins) if mins else None), (max(maxs) if maxs else None)


def _is_topic_action(action: str, identifier: str) -> bool:
    return action == identifier or action.startswith(identifier + " ")


def _budget_entries(overview: str) -> list[dict]:
    try:
        data = json.loads(overview)
        entries = []
        for items in (data.get("budgetTopicActionMap") or {}).values():
            entries.extend(item for item in items if isinstance(item, dict))
        return entries
    except (ValueError, AttributeError, TypeError):
        pass
    # Cut short: salvage the complete entries.
    salvaged = []
    for match in _ENTRY.finditer(overview):
        entry: dict = {"action": match["action"]}
        for name in ("minContribution", "maxContribution"):
            found = re.search(_NUMBER_FIELD.format(name=name), match["body"])
            if found:
                entry[name] = float(found.group(1)) if "." in found.group(1) else int(found.group(1))
        try:
            entry["budgetYearMap"] = json.loads("{" + match["years"] + "}")
        except ValueError:
            entry["budgetYearMap"] = {}
        salvaged.append(entry)
    return salvaged


def _funding_form(actions: list[dict]) -> str:
    forms = []
    for action in actions:
        for kind in action.get("types") or []:
            for mga in (kind.get("typeOfMGA") or []) if isinstance(kind, dict) else []:
                if isinstance(mga, dict) and mga.get("description") and mga["description"] not in forms:
                    forms.append(str(mga["description"]))
    return "; ".join(forms) or "Grant"


def _json_list(value) -> list[dict]:
    text = _text(value)
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _list(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        value = [value]
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def _text(value) -> str:
    value = first(value)
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()
