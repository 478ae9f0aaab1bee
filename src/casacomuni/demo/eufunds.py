"""Demo EU-funds office: the shipped real samples imported into the national catalogue, a PNRR call entered by
hand in each demo Province, criteria annotated on a few calls, digest preferences for the capoluoghi.

Everything goes through ``casacomuni.eufunds.services``: the samples are imported as the scheduled import
does and their criteria entered by UPI (the national catalogue's owners); each Province's manual call and
its criteria by the Province's EU-funds officer. So the import runs, the change history and the audit trail
are the real ones. Re-runnable: importing the same
samples again changes nothing, a manual call is found by its Province and title, a criterion by its call
and kind, a preference by its Comune.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.demo.agreements import actor_for
from casacomuni.eufunds import services
from casacomuni.eufunds.importers import SAMPLES
from casacomuni.eufunds.models import Call, CallSource, DigestFrequency, DigestPreference

IMPORTS = (
    ("sedia", "sedia_search_page.json"),
    ("incentivi", "incentivi_sample.json"),
    ("regional", "regional_basilicata.json"),
    ("regional", "regional_calabria.json"),
    ("regional", "regional_emilia_romagna.json"),
    ("regional", "regional_lazio.json"),
    ("regional", "regional_sicilia.json"),
    ("regional", "regional_trentino.json"),
)

# (source, identifier) → criteria (kind, value, excerpt): quoted from each call's published text, where the
# record says nothing of who may apply (the import derives the rest from the records: rules.applicants).
CRITERIA = {
    ("sedia", "HORIZON-CL6-2026-04-GOVERNANCE-01"): [
        (
            "entity_type",
            {"types": ["public_body", "research"]},
            "Legal entities established in a Member State",
        ),
        ("association_required", {"min_members": 3}, "at least three independent legal entities"),
    ],
}

MANUAL_TITLE = "Avviso PNRR — Piccoli comuni: rigenerazione e messa in sicurezza del territorio"
MANUAL_CRITERIA = [
    (
        "entity_type",
        {"types": ["municipality", "union"]},
        "Possono presentare domanda i Comuni, singoli o associati",
    ),
    ("population_max", {"limit": 5000, "inclusive": False}, "con popolazione inferiore a 5.000 abitanti"),
    ("cofinancing_share", {"percent": "10"}, "cofinanziamento minimo del 10% del costo dell'intervento"),
]


class DemoEufunds:
    def build(self, siglas: list[str]) -> None:
        provinces = list(
            Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas).order_by(
                "name"
            )
        )
        if not provinces:
            return
        importer = Actor.system("scheduled import")
        for source, name in IMPORTS:
            services.import_calls(importer, source, (SAMPLES / name).read_bytes(), origin=name)
        upi = actor_for(Organization.objects.get(kind=OrganizationKind.UPI), Role.UPI_ADMIN)
        for (source, source_id), criteria in CRITERIA.items():
            call = Call.objects.owned_by(None).filter(source=source, source_id=source_id).first()
            if call is not None:
                self.annotate(upi, call, criteria)
        for province in provinces:
            officer = actor_for(province, Role.EUFUNDS_OFFICER)
            self.annotate(officer, self.manual_call(officer, province), MANUAL_CRITERIA)
            self.preferences(province)

    def manual_call(self, officer, province: Organization) -> Call:
        existing = Call.objects.filter(
            source=CallSource.MANUAL, province_id=province.province_id, title=MANUAL_TITLE
        )
        if existing.exists():
            return existing.get()
        now = timezone.now()
        data = {
            "title": MANUAL_TITLE,
            "summary": "Contributi a fondo perduto per interventi di rigenerazione urbana e di messa in sicurezza "
            "del territorio dei Comuni con meno di 5.000 abitanti, anche in forma associata.",
            "programme": "PNRR M2C4",
            "funder": "Ministero dell'Interno — Dipartimento per gli Affari Interni e Territoriali",
            "url": "https://dait.interno.gov.it/finanza-locale",
            "beneficiaries": "Comuni con popolazione inferiore a 5.000 abitanti, singoli o associati",
            "eligible_actions": "Messa in sicurezza di edifici e territorio; rigenerazione di spazi pubblici",
            "funding_form": "Contributo a fondo perduto",
            "territorial_scope": "Italia",
            "opens_on": (now - timedelta(days=7)).date(),
            "deadline": (now + timedelta(days=45)).replace(hour=12, minute=0, second=0, microsecond=0),
            "second_deadline": None,
            "budget_total": Decimal("150000000.00"),
            "min_contribution": None,
            "max_contribution": Decimal("500000.00"),
            "cofinancing_share": Decimal("10"),
        }
        return services.save_manual_call(officer, services.CallData(**data))

    def annotate(self, officer, call: Call, criteria) -> None:
        present = set(
            call.criteria.filter(province_id=officer.organization.province_id).values_list("kind", flat=True)
        )
        for kind, value, excerpt in criteria:
            if kind not in present:
                services.save_criterion(officer, call, kind, value, excerpt)

    def preferences(self, province: Organization) -> None:
        capoluoghi = Organization.objects.filter(
            kind=OrganizationKind.MUNICIPALITY,
            province_id=province.province_id,
            municipality__is_capoluogo=True,
        )
        for comune in capoluoghi:
            if DigestPreference.objects.filter(organization=comune).exists():
                continue
            referent = actor_for(comune, Role.MUNICIPALITY_REFERENT)
            services.save_digest_preference(
                referent,
                comune,
                services.DigestPreferenceData(
                    frequency=DigestFrequency.MONTHLY, interests="PNRR\nFESR\nHorizon"
                ),
            )
