"""Who may apply and where, as an imported record says it → eligibility criteria (``rules.eligibility``).

The sources publish the applicants and the territory of a call in their own words (DOMAIN §5):

- incentivi.gov.it: ``Tipologia_Soggetto`` (``zm_field_subject_type_value``), a closed list of subject
  types ("Impresa", "Ente Pubblico", "Università/Ente di Ricerca", "Cooperative/Associazioni Non Profit"…),
  and ``Regioni`` (``zm_field_regions_value``), the regions by their ISTAT names ("Trentino-Alto
  Adige/Südtirol");
- regional portals: the Plone ``destinatari`` list ("Enti pubblici", "Enti del Terzo settore"), the WordPress
  taxonomy slugs ``destinatari-*`` of ``class_list`` ("destinatari-piccole-imprese"), or a sentence
  (``eligibility_text``, ``BENEFICIARI``: "Beneficiari sono i Comuni e le Unioni/Associazioni di Comuni…");
  the territory is the publishing Region's (a call of a regional programme, CPR 2021/1060 art. 49) or the
  record's geographic area ("AREA GEOGRAFICA: Provincia autonoma di Trento").

Labels are read into the engine's applicant types. A label of a list that names no known type is kept as it
is (``other``): the call may be open to it, so a Comune not among the known types is then "unknown", never
"not eligible" (DOMAIN §5: missing data never excludes). A sentence is read for the types it names; nothing
is derived from a sentence that names none. A list of regions is derived only when every name is a region.

Pure: plain values in, ``eligibility.Criterion`` out; the excerpt is the record's own text, prefixed with the
Italian name of what the field says ("Tipologia soggetto: Impresa", "Area geografica: …").
"""

import re
import unicodedata
from collections.abc import Iterable

from casacomuni.eufunds.rules import eligibility as e

EXCERPT_LIMIT = 1000

# ISTAT region codes (the codes of ``territory.Region``) and the names the sources write.
REGIONS = {
    "01": ("piemonte",),
    "02": ("valle d aosta", "vallee d aoste"),
    "03": ("lombardia",),
    "04": ("trentino alto adige", "trentino", "sudtirol"),
    "05": ("veneto",),
    "06": ("friuli venezia giulia", "friuli"),
    "07": ("liguria",),
    "08": ("emilia romagna",),
    "09": ("toscana",),
    "10": ("umbria",),
    "11": ("marche",),
    "12": ("lazio",),
    "13": ("abruzzo",),
    "14": ("molise",),
    "15": ("campania",),
    "16": ("puglia",),
    "17": ("basilicata",),
    "18": ("calabria",),
    "19": ("sicilia", "siciliana"),
    "20": ("sardegna",),
}
# The two autonomous provinces, which are a territory of their own within Trentino-Alto Adige.
AUTONOMOUS_PROVINCES = {"TN": ("provincia autonoma di trento",), "BZ": ("provincia autonoma di bolzano",)}

# Applicant type ← words of a label or sentence (on the normalised text: lower case, no accents, no
# punctuation). Unioni before comuni is not needed: a label may name several types, all are kept.
TYPE_WORDS = (
    (e.UNION, r"\bunion[ei] (?:dei |di |delle )?comuni\b|\bunioni\b"),  # not "Unione europea"
    (e.MUNICIPALITY, r"\bcomun[ei]\b|\bamministrazioni comunali\b"),
    (e.LOCAL_AUTHORITY, r"\bent[ei] local[ei]\b|\bent[ei] territorial[ei]\b"),
    (
        e.PUBLIC_BODY,
        r"\bent[ei] pubblic[oi]\b|\bpubblic[ah]e? amministrazion[ei]\b|\bamministrazion[ei] pubblich?[ae]\b"
        r"|\bsoggetti pubblici\b",
    ),
    (
        e.ENTERPRISE,
        r"\bimpres[ae]\b|\bimprenditor|\bpmi\b|\bstartup\b|\bstart up\b|\bspin ?off\b|\baziend[ae]\b"
        r"|\bagricoltor|\ballevator|\bprofessionist|\bconsorzi?o?\b|\bcooperativ[ae]\b",
    ),
    (
        e.NON_PROFIT,
        r"\bterzo settore\b|\bno ?profit\b|\bnon profit\b|\bassociazion[ei]\b|\bfondazion[ei]\b"
        r"|\bpro loco\b|\bonlus\b|\bvolontariato\b",
    ),
    (e.RESEARCH, r"\buniversita\b|\bricerca\b"),
    (
        e.CITIZEN,
        r"\bcittadin[oi]\b|\bpersone fisiche\b|\bpersona fisica\b|\bstudent[ei]\b|\bdonne\b|\bgiovani\b",
    ),
)


def normalise(text: str) -> str:
    """Lower case, accents dropped, every non-letter a space: "Valle d'Aosta/Vallée d'Aoste" → "valle d
    aosta vallee d aoste"."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def types_in(text: str) -> set[str]:
    """The applicant types a label or sentence names."""
    words = normalise(text)
    return {kind for kind, pattern in TYPE_WORDS if re.search(pattern, words)}


def excerpt(field: str, text: str) -> str:
    full = f"{field}: {text}".strip()
    return full if len(full) <= EXCERPT_LIMIT else full[: EXCERPT_LIMIT - 1] + "…"


def from_labels(field: str, labels: Iterable[str]) -> list[e.Criterion]:
    """The entity-type criterion of a closed list of subject types (``Tipologia_Soggetto``,
    ``destinatari``): the known types, and the labels naming none kept as ``other``. Nothing when no label
    names a known type (the record then says nothing the platform can read)."""
    labels = [str(label).strip() for label in labels if str(label or "").strip()]
    types: set[str] = set()
    other: list[str] = []
    for label in labels:
        found = types_in(label)
        types |= found
        if not found:
            other.append(label)
    if not types:
        return []
    value = {"types": sorted(types)} | ({"other": other} if other else {})
    return [e.Criterion(e.ENTITY_TYPE, value, excerpt(field, ", ".join(labels)))]


def from_sentence(field: str, text: str) -> list[e.Criterion]:
    """The entity-type criterion of a text about who may apply, read in its first sentence (the applicants;
    what follows are their requirements, which name other bodies: "…autorizzazione della competente
    amministrazione comunale"): the types it names (none: nothing)."""
    text = first_sentence(" ".join(str(text or "").split()))
    types = types_in(text)
    if not types:
        return []
    return [e.Criterion(e.ENTITY_TYPE, {"types": sorted(types)}, excerpt(field, text))]


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence ("n. 108", "Reg. 651/2014" do not)."""
    return re.split(r"(?:(?<=[^\W\d_])|(?<=\)))\.\s+(?=[A-ZÀ-Ý])", text, maxsplit=1)[0]


def region_code(name: str) -> str | None:
    """The ISTAT code of the region ``name`` names (one only), else None."""
    words = f" {normalise(name)} "
    found = {code for code, names in REGIONS.items() if any(f" {n} " in words for n in names)}
    return found.pop() if len(found) == 1 else None


def from_region_names(field: str, names: Iterable[str]) -> list[e.Criterion]:
    """The regions criterion of a list of region names (``Regioni``): only when every name is a region."""
    names = [str(name).strip() for name in names if str(name or "").strip()]
    codes = [region_code(name) for name in names]
    if not codes or None in codes:
        return []
    return [e.Criterion(e.REGIONS, {"codes": sorted(set(codes))}, excerpt(field, ", ".join(names)))]


def from_area(field: str, text: str) -> list[e.Criterion]:
    """The territory of a call published by a Region or an autonomous Province ("Regione Calabria",
    "Provincia autonoma di Trento"): a provinces criterion for an autonomous Province, else a regions one
    when the text names exactly one region; nothing otherwise."""
    words = f" {normalise(text)} "
    for sigla, names in AUTONOMOUS_PROVINCES.items():
        if any(f" {n} " in words for n in names):
            return [e.Criterion(e.PROVINCES, {"siglas": [sigla]}, excerpt(field, text))]
    code = region_code(text)
    return [e.Criterion(e.REGIONS, {"codes": [code]}, excerpt(field, text))] if code else []
