"""The generators of the open datasets: each builds, for one Province, a table from the platform's data.

A generator is registered under a code (stored on each ``Dataset``) with the metadata a new dataset starts
from (title and description in Italian — they are published content, edited by the officer — theme,
frequency, keywords) and the models it reads. A generator whose models are not installed is not offered.

What the generators publish is public-sector information: acts, amounts, codes of bodies, aggregates.
They never read a person's data (users, RUP names, fiscal codes, answers of one respondent); campaign
results are published as counts and averages per question only. The privacy guard (rules/privacy.py)
checks every file anyway, since free text typed by people may carry an address or a codice fiscale.

Each ``build(province)`` takes the Province organisation and returns a ``Table``; rows come in a stable
order so that unchanged data give byte-identical files (and ``modified`` does not move).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.utils import timezone

from casacomuni.opendata.models import Frequency, Theme


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple]

    def __post_init__(self):
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"row of {len(row)} values for {width} columns: {row!r}")


@dataclass(frozen=True)
class Generator:
    code: str
    title: str
    description: str
    theme: str
    accrual_periodicity: str
    keywords: tuple[str, ...]
    build: Callable[[object], Table]
    requires: tuple[str, ...] = field(default=())  # "app_label.ModelName" the generator reads

    @property
    def available(self) -> bool:
        for label in self.requires:
            app_label, model_name = label.split(".")
            try:
                apps.get_model(app_label, model_name)
            except LookupError:
                return False
        return True


REGISTRY: dict[str, Generator] = {}


def register(generator: Generator) -> Generator:
    if generator.code in REGISTRY:
        raise ValueError(f"generator {generator.code!r} registered twice")
    REGISTRY[generator.code] = generator
    return generator


def available_generators() -> list[Generator]:
    return [generator for generator in REGISTRY.values() if generator.available]


def get_generator(code: str) -> Generator | None:
    generator = REGISTRY.get(code)
    return generator if generator is not None and generator.available else None


def istat_of(organization) -> str | None:
    return organization.municipality.istat_code if organization.municipality_id else None


# --- Agreements and adhesions --------------------------------------------------------------------------------

AGREEMENT_COLUMNS = (
    "id_convenzione",
    "ente",
    "tipo_ente",
    "codice_istat",
    "titolo",
    "stato",
    "data_inizio",
    "data_fine",
    "rinnovi",
    "delibera_provincia_numero",
    "delibera_provincia_data",
    "delibera_consiglio_numero",
    "delibera_consiglio_data",
    "data_firma",
    "data_recesso",
    "servizi",
)


def build_agreements(province) -> Table:
    """The Province's convenzioni (art. 30 TUEL) past the draft, with their acts and services."""
    from casacomuni.agreements.models import Agreement, AgreementState

    agreements = (
        Agreement.objects.filter(province=province)
        .exclude(state=AgreementState.DRAFT)
        .select_related("municipality__municipality")
        .prefetch_related("adhesions__service")
        .order_by("pk")
    )
    rows = [
        (
            agreement.pk,
            agreement.municipality.name,
            agreement.municipality.kind,
            istat_of(agreement.municipality),
            agreement.title,
            agreement.state,
            agreement.start_date,
            agreement.end_date,
            agreement.renewals,
            agreement.province_resolution_number,
            agreement.province_resolution_date,
            agreement.municipality_resolution_number,
            agreement.municipality_resolution_date,
            agreement.signed_on,
            agreement.withdrawal_effective_date,
            ";".join(sorted({adhesion.service.kind for adhesion in agreement.adhesions.all()})),
        )
        for agreement in agreements
    ]
    return Table(AGREEMENT_COLUMNS, rows)


ADHESION_COLUMNS = (
    "id_convenzione",
    "ente",
    "codice_istat",
    "servizio",
    "tipo_servizio",
    "modello_costi",
    "data_inizio",
    "data_fine",
    "stato_convenzione",
)


def build_adhesions(province) -> Table:
    """Each Comune's (Unione's) membership of each service of the Province, with its dates."""
    from casacomuni.agreements.models import Adhesion, AgreementState

    adhesions = (
        Adhesion.objects.filter(agreement__province=province)
        .exclude(agreement__state=AgreementState.DRAFT)
        .select_related("agreement__municipality__municipality", "service")
        .order_by("agreement_id", "service__kind", "pk")
    )
    rows = [
        (
            adhesion.agreement_id,
            adhesion.agreement.municipality.name,
            istat_of(adhesion.agreement.municipality),
            adhesion.service.name,
            adhesion.service.kind,
            adhesion.service.cost_model,
            adhesion.start_date,
            adhesion.last_day,
            adhesion.agreement.state,
        )
        for adhesion in adhesions
    ]
    return Table(ADHESION_COLUMNS, rows)


COVERAGE_COLUMNS = (
    "codice_istat",
    "comune",
    "popolazione",
    "anno_popolazione",
    "servizi_attivi",
    "sua",
    "politiche_europee",
    "innovazione",
)


def build_coverage(province, today: date | None = None) -> Table:
    """Every current comune of the Province's territory with the services it uses today (directly or
    through its Unione)."""
    from casacomuni.agreements.models import Adhesion, ServiceKind
    from casacomuni.territory.models import Municipality

    today = today or timezone.localdate()
    kinds_by_municipality: dict[int, set[str]] = defaultdict(set)
    active = (
        Adhesion.objects.active_on(today)
        .filter(agreement__province=province)
        .select_related("service", "agreement__municipality")
        .prefetch_related("agreement__municipality__member_municipalities")
    )
    for adhesion in active:
        party = adhesion.agreement.municipality
        covered = (
            [party.municipality_id]
            if party.municipality_id
            else [m.pk for m in party.member_municipalities.all()]
        )
        for municipality_id in covered:
            kinds_by_municipality[municipality_id].add(adhesion.service.kind)
    municipalities = (
        Municipality.objects.current().filter(province_id=province.province_id).order_by("istat_code")
    )
    rows = []
    for municipality in municipalities:
        kinds = kinds_by_municipality.get(municipality.pk, set())
        rows.append(
            (
                municipality.istat_code,
                municipality.name,
                municipality.population,
                municipality.population_year,
                len(kinds),
                ServiceKind.SUA in kinds,
                ServiceKind.EU_FUNDS in kinds,
                ServiceKind.INNOVATION in kinds,
            )
        )
    return Table(COVERAGE_COLUMNS, rows)


register(
    Generator(
        code="convenzioni",
        title="Convenzioni tra la Provincia e i Comuni",
        description=(
            "Le convenzioni (art. 30 D.Lgs. 267/2000) con cui i Comuni e le Unioni di Comuni aderiscono ai "
            "servizi della Provincia: stato, durata, delibere di approvazione, firma ed eventuale recesso."
        ),
        theme=Theme.GOVE,
        accrual_periodicity=Frequency.MONTHLY,
        keywords=("convenzioni", "comuni", "servizi associati"),
        build=build_agreements,
        requires=("agreements.Agreement",),
    )
)
register(
    Generator(
        code="adesioni",
        title="Adesioni dei Comuni ai servizi della Provincia",
        description=(
            "Per ogni convenzione, i servizi della Provincia a cui il Comune o l'Unione aderisce (stazione "
            "unica appaltante, ufficio europa, innovazione e altri), con le date di inizio e fine."
        ),
        theme=Theme.GOVE,
        accrual_periodicity=Frequency.MONTHLY,
        keywords=("adesioni", "servizi associati", "stazione unica appaltante"),
        build=build_adhesions,
        requires=("agreements.Adhesion",),
    )
)
register(
    Generator(
        code="copertura-servizi",
        title="Servizi della Provincia in uso nei Comuni",
        description=(
            "Tutti i Comuni del territorio provinciale (codice ISTAT, popolazione) con il numero di servizi "
            "della Provincia in uso oggi e l'indicazione di SUA, politiche europee e innovazione."
        ),
        theme=Theme.REGI,
        accrual_periodicity=Frequency.MONTHLY,
        keywords=("comuni", "servizi associati", "territorio"),
        build=build_coverage,
        requires=("agreements.Adhesion", "territory.Municipality"),
    )
)

# The generators over the other pillars' data register themselves after these.
from casacomuni.opendata import platform_generators  # noqa: E402, F401
