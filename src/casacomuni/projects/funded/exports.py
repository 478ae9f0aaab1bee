"""Funded projects as CSV with OpenCoesione's column names, so that the file can be read beside OpenCoesione's
own ``progetti`` export (DOMAIN.md §5: "mirror OpenCoesione's columns (FINANZ_*, IMPEGNI, TOT_PAGAMENTI,
OC_STATO_PROGETTO)").

The mapping, column by column:

========================================  =====================================================================
OpenCoesione column                       Casa dei Comuni
========================================  =====================================================================
COD_LOCALE_PROGETTO                       "CDC-" + the project's id (a local code of this platform)
CUP                                       FundedProject.cup
OC_TITOLO_PROGETTO                        FundedProject.title
OC_SINTESI_PROGETTO                       FundedProject.summary
OC_DESCRIZIONE_PROGRAMMA                  FundedProject.programme
OC_STATO_PROGETTO                         status: not_started "Non avviato", ongoing "In corso",
                                          settled "Liquidato", completed "Concluso"
FINANZ_UE                                 Financing with source "eu"
FINANZ_STATO_ALTRI_PROVVEDIMENTI          Financing with source "state" (FSC, Fondo di rotazione and PAC are
                                          not told apart here: every State source goes to this column)
FINANZ_REGIONE                            Financing with source "region"
FINANZ_PROVINCIA                          Financing with source "province"
FINANZ_COMUNE                             Financing with source "comune"
FINANZ_PRIVATO                            Financing with source "private"
FINANZ_TOTALE_PUBBLICO                    sum of every source but "private"
IMPEGNI                                   sum of the Movements of kind "commitment"
TOT_PAGAMENTI                             sum of the Movements of kind "payment"
OC_DATA_INIZIO_PROGETTO                   FundedProject.start_date (YYYYMMDD, as OpenCoesione writes dates)
OC_DATA_FINE_PROGETTO_PREVISTA            FundedProject.planned_end_date
OC_DATA_FINE_PROGETTO_EFFETTIVA           FundedProject.actual_end_date
OC_DENOM_BENEFICIARIO                     the beneficiary Comune's (Unione's) name
OC_CODFISC_BENEFICIARIO                   its fiscal code
COD_COMUNE / DEN_COMUNE                   ISTAT code and name of the beneficiary comune (empty for a Unione)
DEN_PROVINCIA                             the name of the Province's territory ("Treviso")
========================================  =====================================================================

Like OpenCoesione's files: ``;`` as separator, amounts with a decimal comma and no thousands separator,
UTF-8. Text cells starting with ``=``, ``+``, ``-`` or ``@`` are prefixed with an apostrophe so that a
spreadsheet does not run them as formulas (OWASP "CSV injection").
"""

import csv
import io

from casacomuni.lib.spreadsheets import no_formula
from casacomuni.projects.funded.models import ProjectStatus

OC_STATUS = {
    ProjectStatus.NOT_STARTED: "Non avviato",
    ProjectStatus.ONGOING: "In corso",
    ProjectStatus.SETTLED: "Liquidato",
    ProjectStatus.COMPLETED: "Concluso",
}
AMOUNT_COLUMNS = {
    "FINANZ_UE": "fin_eu",
    "FINANZ_STATO_ALTRI_PROVVEDIMENTI": "fin_state",
    "FINANZ_REGIONE": "fin_region",
    "FINANZ_PROVINCIA": "fin_province",
    "FINANZ_COMUNE": "fin_comune",
    "FINANZ_PRIVATO": "fin_private",
    "FINANZ_TOTALE_PUBBLICO": "fin_public",
    "IMPEGNI": "commitments",
    "TOT_PAGAMENTI": "payments",
}
COLUMNS = [
    "COD_LOCALE_PROGETTO",
    "CUP",
    "OC_TITOLO_PROGETTO",
    "OC_SINTESI_PROGETTO",
    "OC_DESCRIZIONE_PROGRAMMA",
    "OC_STATO_PROGETTO",
    *AMOUNT_COLUMNS,
    "OC_DATA_INIZIO_PROGETTO",
    "OC_DATA_FINE_PROGETTO_PREVISTA",
    "OC_DATA_FINE_PROGETTO_EFFETTIVA",
    "OC_DENOM_BENEFICIARIO",
    "OC_CODFISC_BENEFICIARIO",
    "COD_COMUNE",
    "DEN_COMUNE",
    "DEN_PROVINCIA",
]


def safe(text: str) -> str:
    return no_formula(text or "")


def oc_date(day) -> str:
    return day.strftime("%Y%m%d") if day else ""


def oc_amount(value) -> str:
    return f"{value:.2f}".replace(".", ",")


def project_row(project) -> list[str]:
    """``project`` comes from ``with_totals()`` with beneficiary__municipality and province__province selected."""
    municipality = project.beneficiary.municipality
    row = {
        "COD_LOCALE_PROGETTO": f"CDC-{project.pk}",
        "CUP": project.cup,
        "OC_TITOLO_PROGETTO": safe(project.title),
        "OC_SINTESI_PROGETTO": safe(project.summary),
        "OC_DESCRIZIONE_PROGRAMMA": safe(project.programme),
        "OC_STATO_PROGETTO": OC_STATUS.get(project.status, ""),
        "OC_DATA_INIZIO_PROGETTO": oc_date(project.start_date),
        "OC_DATA_FINE_PROGETTO_PREVISTA": oc_date(project.planned_end_date),
        "OC_DATA_FINE_PROGETTO_EFFETTIVA": oc_date(project.actual_end_date),
        "OC_DENOM_BENEFICIARIO": safe(project.beneficiary.name),
        "OC_CODFISC_BENEFICIARIO": project.beneficiary.fiscal_code,
        "COD_COMUNE": municipality.istat_code if municipality else "",
        "DEN_COMUNE": municipality.name if municipality else "",
        "DEN_PROVINCIA": project.province.province.name if project.province.province_id else "",
    }
    row.update(
        {column: oc_amount(getattr(project, attribute)) for column, attribute in AMOUNT_COLUMNS.items()}
    )
    return [row[column] for column in COLUMNS]


def projects_csv(projects) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for project in projects:
        writer.writerow(project_row(project))
    return buffer.getvalue()
