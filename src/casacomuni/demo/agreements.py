"""Demo convenzioni: a catalogue for each demo Province and agreements with its Comuni in every state.

Everything is written through the agreements' own services, acting as the Province's administrator and
the Comune's referent, so the audit trail records each act as a person would. The acts carry dates in the
past: ``perform_transition`` takes the day of the act as its ``today``. Dates are computed from the day
the demo is loaded, so the demo stays meaningful as time passes; the choices (which Comune is in which
state, which services it joined, the numbers of the acts) are seeded.

Re-runnable: a service is found by its Province and name, an agreement by its parties and title; what
exists is left as it is. Agreements whose term ended since the last run expire, as the daily task does.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements import services
from casacomuni.agreements.forms import STANDARD_CLAUSES, years_later
from casacomuni.agreements.models import Agreement, JoinRequest, Service, ServiceKind
from casacomuni.agreements.rules import lifecycle
from casacomuni.lib.pdf import act_pdf

TITLE = "Convenzione per la gestione associata di servizi con la Provincia di {province}"

# Scenarios: the state the agreement reaches and how its dates are laid out.
ACTIVE = "active"
EXPIRING = "expiring"  # active, ending within two months: the deadlines show on the dashboards
RENEWED = "renewed"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"  # notice given by the Comune, effective in the future
SIGNED = lifecycle.SIGNED
MUNICIPALITY_APPROVED = lifecycle.MUNICIPALITY_APPROVED
PROVINCE_APPROVED = lifecycle.PROVINCE_APPROVED
DRAFT = lifecycle.DRAFT
NONE = "none"  # a Comune with no agreement yet, to which the Province can send one
# Given to the sampled Comuni in this order; the capoluogo and the others are active (the usual case).
SPECIAL_SCENARIOS = (
    DRAFT,
    DRAFT,
    PROVINCE_APPROVED,
    MUNICIPALITY_APPROVED,
    SIGNED,
    EXPIRING,
    EXPIRED,
    WITHDRAWN,
    RENEWED,
    NONE,
    NONE,
)
JOIN_REQUESTS_PER_PROVINCE = 2


@dataclass(frozen=True)
class CatalogueEntry:
    kind: str
    name: str
    description: str
    cost_model: str
    standard_clauses: str = ""
    published: bool = True


CATALOGUE = (
    CatalogueEntry(
        ServiceKind.SUA,
        "Stazione Unica Appaltante (SUA)",
        "Centrale di committenza qualificata (artt. 62 e 63 D.Lgs. 36/2023): la Provincia programma la gara "
        "con il Comune, redige gli atti, pubblica il bando, nomina la commissione e aggiudica lavori, servizi "
        "e forniture oltre le soglie dell'affidamento diretto.",
        "percentage",
        "Il Comune nomina il RUP (art. 15 D.Lgs. 36/2023) e trasmette la decisione di contrarre; la SUA "
        "nomina il responsabile della fase di affidamento. Il corrispettivo è dovuto all'aggiudicazione ed è "
        "calcolato sull'importo a base di gara, entro il minimo e il massimo indicati.",
    ),
    CatalogueEntry(
        ServiceKind.EU_FUNDS,
        "Servizio Associato Politiche Europee (SAPE)",
        "Monitoraggio dei bandi europei, nazionali e regionali; supporto alla progettazione, alla "
        "presentazione delle candidature e alla rendicontazione dei progetti finanziati (PNRR, FESR, FSE+, "
        "Interreg); formazione degli uffici comunali.",
        "per_inhabitant",
    ),
    CatalogueEntry(
        ServiceKind.INNOVATION,
        "Innovazione e dati per la transizione digitale",
        "Supporto al Responsabile per la transizione al digitale: migrazione al cloud qualificato, pagoPA, "
        "App IO, SPID e CIE, Piattaforma Digitale Nazionale Dati; pubblicazione di dati aperti e cruscotti.",
        "fixed_fee",
    ),
    CatalogueEntry(
        ServiceKind.TECHNICAL_ASSISTANCE,
        "Assistenza tecnico-amministrativa agli enti locali",
        "Pareri e affiancamento agli uffici comunali su atti amministrativi, contabilità armonizzata, "
        "trasparenza, anticorruzione e affidamenti sotto soglia; ogni pratica è una richiesta di assistenza.",
        "per_procedure",
    ),
    CatalogueEntry(
        ServiceKind.STATISTICS,
        "Ufficio di statistica associato",
        "Elaborazioni demografiche e socio-economiche per il DUP, supporto ai censimenti permanenti ISTAT "
        "e alle indagini del Sistema statistico nazionale (D.Lgs. 322/1989).",
        "free",
    ),
    CatalogueEntry(
        ServiceKind.RECRUITMENT,
        "Concorsi unici per i Comuni",
        "Selezioni uniche per profili comuni a più enti, con graduatorie condivise (art. 3-bis D.L. "
        "80/2021): in preparazione.",
        "per_procedure",
        published=False,
    ),
)

# Each Province's amounts: (SUA %, minimum, maximum, ANAC functions), SAPE per inhabitant, innovation fee,
# fee per assistance request, fee per competition.
TARIFFS = {
    "TV": ((Decimal("0.50"), Decimal(500), Decimal(12000), [1, 2, 3]), "0.25", 1200, 150, 2500),
    "PG": ((Decimal("0.80"), Decimal(400), Decimal(10000), [1, 2]), "0.30", 1000, 120, 2000),
    "BS": ((Decimal("0.60"), Decimal(500), Decimal(15000), [1, 2, 3]), "0.20", 1500, 180, 3000),
}
OPTIONAL_SERVICES = (
    (ServiceKind.EU_FUNDS, 0.6),
    (ServiceKind.INNOVATION, 0.5),
    (ServiceKind.TECHNICAL_ASSISTANCE, 0.4),
    (ServiceKind.STATISTICS, 0.5),
)


def service_data(entry: CatalogueEntry, sigla: str) -> services.ServiceData:
    (percentage, minimum, maximum, functions), per_inhabitant, fee, per_request, per_competition = TARIFFS[
        sigla
    ]
    amounts = {
        "percentage": Decimal(percentage),
        "per_inhabitant": Decimal(per_inhabitant),
        "fixed_fee": Decimal(fee),
        "per_procedure": Decimal(per_competition if entry.kind == ServiceKind.RECRUITMENT else per_request),
        "free": Decimal(0),
    }
    is_sua = entry.kind == ServiceKind.SUA
    return services.ServiceData(
        kind=entry.kind,
        name=entry.name,
        description=entry.description,
        delegated_functions=functions if is_sua else [],
        cost_model=entry.cost_model,
        cost_amount=amounts[entry.cost_model],
        cost_minimum=minimum if is_sua else None,
        cost_maximum=maximum if is_sua else None,
        standard_clauses=entry.standard_clauses,
        is_published=entry.published,
    )


@dataclass(frozen=True)
class Plan:
    """One agreement to build: its party, scenario, services and the seeded numbers of its acts."""

    party: Organization
    scenario: str
    kinds: tuple[str, ...]
    start: date
    years: int
    province_number: int
    council_number: int
    offsets: tuple[int, int, int]  # days before the start: Province resolution, council, signature


def plans_for(parties: list[Organization], sigla: str, today: date) -> list[Plan]:
    """The capoluogo is active with every service; a seeded draw gives the others their scenarios."""
    # A seeded generator makes the demo reproducible; nothing secret (bandit B311, ruff S311).
    rng = random.Random(f"demo-agreements-{sigla}")  # nosec B311
    capoluogo = [p for p in parties if p.municipality_id and p.municipality.is_capoluogo]
    others = [p for p in parties if p not in capoluogo]
    rng.shuffle(others)
    scenarios = [ACTIVE] * len(capoluogo) + list(SPECIAL_SCENARIOS)
    scenarios += [ACTIVE] * (len(parties) - len(scenarios))
    plans = []
    for party, scenario in zip(capoluogo + others, scenarios, strict=False):
        every_service = party in capoluogo
        kinds = (ServiceKind.SUA,) + tuple(
            kind for kind, share in OPTIONAL_SERVICES if rng.random() < share or every_service
        )
        start, years = start_of(scenario, rng, today)
        plans.append(
            Plan(
                party=party,
                scenario=scenario,
                kinds=kinds,
                start=start,
                years=years,
                province_number=rng.randint(18, 190),
                council_number=rng.randint(4, 65),
                offsets=(rng.randint(70, 110), rng.randint(25, 55), rng.randint(2, 15)),
            )
        )
    return plans


def start_of(scenario: str, rng: random.Random, today: date) -> tuple[date, int]:
    """The start date and length in years that put an agreement of ``scenario`` where it belongs today."""
    if scenario == EXPIRING:
        end = today + timedelta(days=rng.randint(20, 55))
        return years_later(end + timedelta(days=1), -3), 3
    if scenario in (EXPIRED, RENEWED):
        return years_later(today, -3) - timedelta(days=rng.randint(60, 240)), 3
    if scenario in (ACTIVE, WITHDRAWN):
        return today - timedelta(days=rng.randint(60, 900)), rng.choice((3, 5))
    if scenario in (SIGNED, MUNICIPALITY_APPROVED):
        return today + timedelta(days=rng.randint(10, 40)), 3
    first_of_next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next_month, 3


class DemoAgreements:
    def __init__(self, today: date | None = None):
        self.today = today or timezone.localdate()

    def build(self, siglas: list[str]) -> None:
        provinces = Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas)
        for province in provinces.select_related("province").order_by("province__sigla"):
            self.province(province)
        services.expire_agreements(self.today)

    def province(self, province: Organization) -> None:
        sigla = province.province.sigla
        admin = actor_for(province, Role.PROVINCE_ADMIN)
        catalogue = {}
        for entry in CATALOGUE:
            existing = Service.objects.filter(province=province, name=entry.name).first()
            catalogue[entry.kind] = existing or services.save_service(admin, service_data(entry, sigla))
        # Only the parties with a referent to adopt their acts: an administrator may have registered a
        # Comune or an Unione since the demo was loaded, without anyone to act for it yet.
        has_referent = Membership.objects.filter(
            organization=OuterRef("pk"), role=Role.MUNICIPALITY_REFERENT, is_active=True
        )
        parties = list(
            Organization.objects.filter(
                Exists(has_referent),
                province=province.province,
                kind__in=[OrganizationKind.MUNICIPALITY, OrganizationKind.UNION],
            )
            .select_related("municipality")
            .order_by("kind", "municipality__istat_code", "name")
        )
        title = TITLE.format(province=province.province.name)
        plans = plans_for(parties, sigla, self.today)
        for plan in plans:
            if plan.scenario == NONE:
                continue
            if not Agreement.objects.filter(province=province, municipality=plan.party, title=title).exists():
                self.agreement(admin, plan, title, [catalogue[kind] for kind in plan.kinds])
        self.join_requests(plans, catalogue)

    def agreement(self, admin: Actor, plan: Plan, title: str, chosen: list[Service]) -> None:
        draft = services.AgreementDraft(
            title=title,
            **STANDARD_CLAUSES,
            start_date=plan.start,
            end_date=years_later(plan.start, plan.years) - timedelta(days=1),
            services=chosen,
        )
        (agreement,) = services.create_agreements(admin, draft, [plan.party])
        for transition, act, day, by in self.acts(plan, agreement):
            actor = admin if by == Role.PROVINCE_ADMIN else actor_for(plan.party, Role.MUNICIPALITY_REFERENT)
            agreement = services.perform_transition(actor, agreement, transition, act, today=day)

    def acts(self, plan: Plan, agreement: Agreement):
        """(transition, act, day recorded, who records it) up to the plan's scenario."""
        reached = {
            DRAFT: 0,
            PROVINCE_APPROVED: 1,
            MUNICIPALITY_APPROVED: 2,
            SIGNED: 3,
        }.get(plan.scenario, 4)
        # Acts of agreements starting in the future were adopted in the last weeks.
        anchor = min(plan.start, self.today)
        province_day, council_day, signature_day = (anchor - timedelta(days=d) for d in plan.offsets)
        name = plan.party.name
        steps = [
            (
                lifecycle.APPROVE_PROVINCE,
                services.ActData(number=str(plan.province_number), day=province_day),
                province_day,
                Role.PROVINCE_ADMIN,
            ),
            (
                lifecycle.APPROVE_MUNICIPALITY,
                services.ActData(
                    number=str(plan.council_number),
                    day=council_day,
                    file=resolution_pdf(name, plan.council_number, council_day, agreement.title),
                ),
                council_day,
                Role.MUNICIPALITY_REFERENT,
            ),
            (
                lifecycle.SIGN,
                services.ActData(day=signature_day, file=signed_pdf(agreement, signature_day)),
                signature_day,
                Role.PROVINCE_ADMIN,
            ),
            (lifecycle.ACTIVATE, services.ActData(), max(plan.start, signature_day), Role.PROVINCE_ADMIN),
        ][:reached]
        steps += self.later_acts(plan, agreement)
        return steps

    def later_acts(self, plan: Plan, agreement: Agreement) -> list:
        if plan.scenario == RENEWED:
            day = agreement.end_date - timedelta(days=120)
            act = services.ActData(
                number=str(plan.province_number + 40),
                day=day,
                new_end_date=years_later(agreement.end_date, 3),
            )
            return [(lifecycle.RENEW, act, day, Role.PROVINCE_ADMIN)]
        if plan.scenario == WITHDRAWN:
            notice = self.today - timedelta(days=plan.offsets[2] + 10)
            act = services.ActData(
                day=notice, effective_date=lifecycle.earliest_withdrawal(notice, agreement.notice_days)
            )
            return [(lifecycle.WITHDRAW, act, self.today, Role.MUNICIPALITY_REFERENT)]
        return []

    def join_requests(self, plans: list[Plan], catalogue: dict[str, Service]) -> None:
        """A couple of active Comuni ask to join a published service they do not use yet."""
        wanted = [kind for kind, _share in OPTIONAL_SERVICES]
        asked = 0
        for plan in plans:
            missing = [kind for kind in wanted if kind not in plan.kinds]
            if plan.scenario != ACTIVE or not missing or asked == JOIN_REQUESTS_PER_PROVINCE:
                continue
            asked += 1
            service = catalogue[missing[0]]
            if not JoinRequest.objects.filter(municipality=plan.party, service=service).exists():
                referent = actor_for(plan.party, Role.MUNICIPALITY_REFERENT)
                note = (
                    f"Il {plan.party.name} chiede di aderire al servizio dal prossimo esercizio finanziario."
                )
                services.request_join(referent, service, note)


def actor_for(organization: Organization, role: str) -> Actor:
    """The organisation's demo user with ``role``, acting through that membership."""
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, role=role, is_active=True)
        .order_by("pk")
        .first()
    )
    return Actor.for_membership(membership, label="load_demo")


# --- The acts' PDF files -----------------------------------------------------------------------------------


def resolution_pdf(party: str, number: int, day: date, title: str) -> ContentFile:
    lines = [
        party,
        f"Deliberazione del Consiglio comunale n. {number} del {day:%d/%m/%Y}",
        "",
        f"Oggetto: approvazione dello schema di {title[0].lower()}{title[1:]}",
        "(art. 30 D.Lgs. 267/2000; art. 1, comma 88, L. 56/2014).",
        "",
        "Il Consiglio comunale delibera di approvare lo schema di convenzione allegato",
        "e autorizza il Sindaco alla sottoscrizione.",
        "",
        "Documento dimostrativo generato da Casa dei Comuni.",
    ]
    return ContentFile(act_pdf(lines), name=f"delibera-cc-{number}-{day:%Y}.pdf")


def signed_pdf(agreement: Agreement, day: date) -> ContentFile:
    lines = [
        agreement.title,
        f"tra la {agreement.province.name} e il {agreement.municipality.name}",
        "",
        f"Sottoscritta digitalmente dalle parti il {day:%d/%m/%Y}.",
        f"Durata: dal {agreement.start_date:%d/%m/%Y} al {agreement.end_date:%d/%m/%Y}.",
        "",
        "Documento dimostrativo generato da Casa dei Comuni.",
    ]
    return ContentFile(act_pdf(lines), name=f"convenzione-firmata-{day:%Y%m%d}.pdf")
