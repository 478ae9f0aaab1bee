"""DCAT-AP_IT: the controlled vocabularies the catalogue uses and the properties it must carry.

Sources:
- AgID, "Profilo nazionale di metadatazione DCAT-AP_IT" v1.1 (Linee guida per i cataloghi dati, 2017;
  https://docs.italia.it/italia/daf/linee-guida-cataloghi-dati-dcat-ap-it/), ontology namespace
  http://dati.gov.it/onto/dcatapit# — and the project's summary in DOMAIN.md §6.
- EU Publications Office authority tables (EU Vocabularies): data-theme, frequency, file-type, language
  (http://publications.europa.eu/resource/authority/...), which DCAT-AP_IT requires for themes,
  accrual periodicity and formats.
- IndicePA (IPA): the code of a public administration, the prefix of every dataset identifier
  (``codiceIPA:ID``, DCAT-AP_IT §"dct:identifier" of Dataset).

Pure data and checks: no Django.
"""

import re

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"

# EU data-theme vocabulary (the 13 themes of DCAT-AP; DCAT-AP_IT dcat:theme, mandatory).
DATA_THEMES = (
    "AGRI",  # Agriculture, fisheries, forestry and food
    "ECON",  # Economy and finance
    "EDUC",  # Education, culture and sport
    "ENER",  # Energy
    "ENVI",  # Environment
    "GOVE",  # Government and public sector
    "HEAL",  # Health
    "INTR",  # International issues
    "JUST",  # Justice, legal system and public safety
    "REGI",  # Regions and cities
    "SOCI",  # Population and society
    "TECH",  # Science and technology
    "TRAN",  # Transport
)

# EU frequency vocabulary: the values a Province's datasets use (dct:accrualPeriodicity, mandatory).
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL_2", "ANNUAL", "IRREG")

# EU file-type vocabulary, with the IANA media type of each format the platform writes.
FILE_TYPES = {"CSV": "text/csv", "JSON": "application/json"}

# Licences offered, by URI: (short name, EU/ADMS licence type). CC BY 4.0 is the default of the
# AgID guidelines for open data of public administrations (Linee guida open data 2023, §"Licenze").
LICENCE_TYPE_ATTRIBUTION = "http://purl.org/adms/licencetype/Attribution"
LICENCE_TYPE_PUBLIC_DOMAIN = "http://purl.org/adms/licencetype/PublicDomain"
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": ("CC BY 4.0", LICENCE_TYPE_ATTRIBUTION),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("CC0 1.0", LICENCE_TYPE_PUBLIC_DOMAIN),
}
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"

LANGUAGE_ITALIAN = EU_AUTHORITY + "language/ITA"


def theme_uri(code: str) -> str:
    if code not in DATA_THEMES:
        raise ValueError(f"{code!r} is not an EU data theme")
    return f"{EU_AUTHORITY}data-theme/{code}"


def frequency_uri(code: str) -> str:
    if code not in FREQUENCIES:
        raise ValueError(f"{code!r} is not one of the frequencies in use")
    return f"{EU_AUTHORITY}frequency/{code}"


def file_type_uri(code: str) -> str:
    if code not in FILE_TYPES:
        raise ValueError(f"{code!r} is not a file type the platform writes")
    return f"{EU_AUTHORITY}file-type/{code}"


# IPA codes are short codes of letters, digits and underscores (e.g. "p_tv" for the Provincia di
# Treviso, "c_l407" for the Comune di Treviso): IndicePA, "Codice IPA" of an ente.
IPA_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_]{2,20}$")
# The local part of a dataset identifier: the dataset's slug.
DATASET_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_ipa_code(code: str) -> bool:
    return bool(IPA_CODE_PATTERN.match(code or ""))


def dataset_identifier(ipa_code: str, local_id: str) -> str:
    """``codiceIPA:ID``, the dct:identifier DCAT-AP_IT asks of every dataset."""
    if not is_ipa_code(ipa_code):
        raise ValueError(f"{ipa_code!r} is not an IPA code")
    if not DATASET_ID_PATTERN.match(local_id or ""):
        raise ValueError(f"{local_id!r} is not a dataset id (lower-case letters, digits and dashes)")
    return f"{ipa_code}:{local_id}"


# The mandatory properties ("M" in the DCAT-AP_IT profile; DOMAIN.md §6), as compact names that dcat.py
# expands with its namespaces. The catalogue test checks every Catalog, Dataset and Distribution of every
# served graph against these lists; the agent's identifier is checked on publisher and rights holder.
MANDATORY = {
    "Catalog": ("dct:title", "dct:description", "dct:publisher", "dct:modified", "dcat:dataset"),
    "Dataset": (
        "dct:identifier",
        "dct:title",
        "dct:description",
        "dct:modified",
        "dcat:theme",
        "dct:rightsHolder",
        "dct:accrualPeriodicity",
        "dcat:distribution",
    ),
    "Distribution": ("dct:format", "dcat:accessURL", "dct:license"),
    "Agent": ("dct:identifier", "foaf:name"),
}
