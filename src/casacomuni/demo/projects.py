"""Demo applications and funded projects of the EU-funds offices (SAPE).

For each demo Province: the Comuni with an adhesion in force to its EU-funds service (the capoluogo first)
flag interest in calls, or the office proposes calls to them, and the applications are moved through the
pipeline by the real services (the adhesion gate, the preconditions and the audit trail included): two end
funded and become funded projects — one PNRR project with milestones, targets and the DNSH, double-funding
and conflict-of-interest checks — with financing, budget lines, commitments, payments, phases, indicators and
an expense statement with its invoices; the others stay flagged, in design, submitted or not funded.

The calls are three manual calls of each Province, so that the demo never depends on the catalogue, and,
when the eufunds demo ran, the first open call of the catalogue, which the office proposes to the capoluogo. Re-runnable: an application is found by its call and
lead, a project by its CUP, and left as it is.

Call it after DemoAgreements: ``DemoProjects().build(["TV", "PG", "BS"])``.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements.models import Adhesion, ServiceKind
from casacomuni.demo.agreements import actor_for
from casacomuni.lib.pdf import act_pdf
from casacomuni.projects.applications import services as application_services
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.models import Application, FundedProject
from casacomuni.projects.rules import pipeline

# Manual calls of each Province: (source id suffix, title, programme, funder, days to the deadline, max).
MANUAL_CALLS = (
    (
        "efficienza",
        "Avviso per l'efficientamento energetico degli edifici pubblici comunali",
        "PR FESR 2021-2027 — Priorità 2",
        "Regione",
        75,
        Decimal("500000.00"),
    ),
    (
        "ciclabili",
        "Bando per la mobilità ciclistica urbana e i percorsi casa-scuola",
        "PR FESR 2021-2027 — Priorità 2.8",
        "Regione",
        110,
        Decimal("350000.00"),
    ),
    (
        "digitale",
        "Avviso per la digitalizzazione dei servizi comunali al cittadino",
        "PNRR M1C1 — Investimento 1.4",
        "Dipartimento per la trasformazione digitale",
        45,
        Decimal("155000.00"),
    ),
)


@dataclass(frozen=True)
class DemoApplication:
    party: int  # index among the Province's adhering Comuni
    call: int  # index among the Province's demo calls
    title: str
    proposed_by: str
    status: str
    requested: Decimal | None = None
    granted: Decimal | None = None
    partners: int = 0  # the next adhering Comuni join as partners
    project: str = ""  # "pnrr" or "fesr": the funded project it becomes


APPLICATIONS = (
    DemoApplication(
        0,
        0,
        "Riqualificazione energetica della scuola secondaria di primo grado",
        pipeline.COMUNE,
        pipeline.FUNDED,
        Decimal("480000.00"),
        Decimal("450000.00"),
        project="pnrr",
    ),
    DemoApplication(
        1,
        1,
        "Percorso ciclopedonale lungo il fiume e collegamento con le scuole",
        pipeline.OFFICE,
        pipeline.FUNDED,
        Decimal("300000.00"),
        Decimal("240000.00"),
        partners=1,
        project="fesr",
    ),
    DemoApplication(
        0, 2, "Sportello digitale unico del Comune", pipeline.COMUNE, pipeline.SUBMITTED, Decimal("150000.00")
    ),
    DemoApplication(
        2,
        0,
        "Cappotto termico e fotovoltaico sulla palestra comunale",
        pipeline.OFFICE,
        pipeline.DESIGNING,
        Decimal("320000.00"),
        partners=1,
    ),
    DemoApplication(
        2,
        2,
        "Servizi comunali online per le imprese",
        pipeline.COMUNE,
        pipeline.NOT_FUNDED,
        Decimal("90000.00"),
    ),
    DemoApplication(3, 1, "Bicipolitana dei borghi", pipeline.OFFICE, pipeline.FLAGGED),
)
# The actions that bring a flagged application to each status.
PATHS = {
    pipeline.FLAGGED: (),
    pipeline.DESIGNING: (pipeline.CONFIRM, pipeline.ASSESS, pipeline.DESIGN),
    pipeline.SUBMITTED: (pipeline.CONFIRM, pipeline.ASSESS, pipeline.DESIGN, pipeline.SUBMIT),
    pipeline.FUNDED: (pipeline.CONFIRM, pipeline.ASSESS, pipeline.DESIGN, pipeline.SUBMIT, pipeline.FUND),
    pipeline.NOT_FUNDED: (
        pipeline.CONFIRM,
        pipeline.ASSESS,
        pipeline.DESIGN,
        pipeline.SUBMIT,
        pipeline.REJECT,
    ),
}


class DemoProjects:
    def __init__(self, today=None):
        self.today = today or timezone.localdate()

    def build(self, siglas: list[str]) -> None:
        for index, sigla in enumerate(siglas):
            province = Organization.objects.filter(
                kind=OrganizationKind.PROVINCE, province__sigla=sigla
            ).first()
            if province is None:
                continue
            parties = self.parties(province)
            if not parties:
                continue
            calls = self.calls(province)
            office = actor_for(province, Role.EUFUNDS_OFFICER)
            for demo in APPLICATIONS:
                party = parties[demo.party % len(parties)]
                call = calls[demo.call % len(calls)]
                application = Application.objects.filter(call=call, lead=party).first()
                if application is None:
                    application = self.application(office, province, party, call, demo, parties)
                if demo.project and application.status == pipeline.FUNDED:
                    self.project(office, application, demo, index)
            catalogue = self.catalogue_call(province)
            if (
                catalogue is not None
                and not Application.objects.filter(call=catalogue, lead=parties[0]).exists()
            ):
                # A call of the catalogue (the eufunds demo's): proposed by the office, interest confirmed.
                application = application_services.propose_call(
                    office, catalogue.pk, parties[0].pk, today=self.today
                )
                referent = actor_for(parties[0], Role.MUNICIPALITY_REFERENT)
                application_services.perform_action(referent, application, pipeline.CONFIRM)

    def parties(self, province: Organization) -> list[Organization]:
        """The Comuni (Unioni) with an adhesion in force to the Province's EU-funds service, capoluogo first."""
        adhering = Adhesion.objects.active_on(self.today).filter(
            service__kind=ServiceKind.EU_FUNDS, agreement__province=province
        )
        return list(
            Organization.objects.filter(pk__in=adhering.values("agreement__municipality_id"))
            .filter(
                pk__in=Membership.objects.filter(role=Role.MUNICIPALITY_REFERENT).values("organization_id")
            )
            .order_by(F("municipality__is_capoluogo").desc(nulls_last=True), "name")
        )

    def calls(self, province: Organization) -> list:
        from casacomuni.eufunds.models import Call

        own = []
        for suffix, title, programme, funder, days, maximum in MANUAL_CALLS:
            region = province.province.region.name
            call, _created = Call.objects.get_or_create(
                source="manual",
                source_id=f"demo-{province.province.sigla.lower()}-{suffix}",
                defaults={
                    "title": title,
                    "programme": programme,
                    "funder": f"Regione {region}" if funder == "Regione" else funder,
                    "opens_on": self.today - timedelta(days=30),
                    # Noon, Rome time: how calls state their deadlines.
                    "deadline": timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
                    + timedelta(days=days),
                    "status": "open",
                    "max_contribution": maximum,
                    "province": province.province,
                    "beneficiaries": "Comuni e Unioni di Comuni",
                },
            )
            own.append(call)
        return own

    def catalogue_call(self, province: Organization):
        """The first open call of the catalogue the office reads, other than this module's own; None if none."""
        from django.db.models import Q

        from casacomuni.eufunds.models import Call

        return (
            Call.objects.open_on(self.today)
            .filter(Q(province__isnull=True) | Q(province=province.province))
            .exclude(source_id__startswith="demo-")
            .order_by("deadline", "pk")
            .first()
        )

    def application(self, office, province, party, call, demo: DemoApplication, parties) -> Application:
        referent = actor_for(party, Role.MUNICIPALITY_REFERENT)
        data = application_services.ApplicationData(title=demo.title, requested_amount=demo.requested)
        if demo.proposed_by == pipeline.OFFICE:
            application = application_services.propose_call(office, call.pk, party.pk, data, today=self.today)
        else:
            application = application_services.flag_interest(referent, call.pk, data, today=self.today)
        others = [p for p in parties if p.pk != party.pk][: demo.partners]
        for partner in others:
            application_services.add_partner(
                office, application, application_services.PartnerData(organization=partner.pk, role="partner")
            )
        for action in PATHS[demo.status]:
            actor = referent if action == pipeline.CONFIRM else office
            extra = application_services.ActionData(
                granted_amount=demo.granted if action == pipeline.FUND else None
            )
            if action == pipeline.DESIGN:
                application_services.add_task(
                    office,
                    application,
                    application_services.TaskData(title="Raccogliere le lettere di intenti dei partner"),
                )
                application_services.add_task(
                    office, application, application_services.TaskData(title="Redigere la scheda progetto")
                )
            application = application_services.perform_action(actor, application, action, extra)
        return application

    def project(self, office, application, demo: DemoApplication, index: int) -> FundedProject:
        cup = f"{'E' if demo.project == 'pnrr' else 'J'}{index:02d}D26{application.pk:09d}"
        existing = FundedProject.objects.filter(cup=cup).first()
        if existing is not None:
            return existing
        start = self.today - timedelta(days=120)
        project = project_services.create_project(
            office,
            project_services.ProjectData(
                cup=cup,
                summary=f"{demo.title}: progetto finanziato con il supporto dell'ufficio europeo della Provincia.",
                measure="M2C4I2.2" if demo.project == "pnrr" else "Azione 2.8.1",
                status="ongoing",
                is_pnrr=demo.project == "pnrr",
                pnrr_measure="M2C4I2.2" if demo.project == "pnrr" else "",
                start_date=start,
                planned_end_date=start + timedelta(days=720),
                financing_source="eu",
            ),
            application,
        )
        comune = actor_for(application.lead, Role.MUNICIPALITY_REFERENT)
        add = project_services.add_item
        add(
            office,
            project,
            "financing",
            {"source": "comune", "amount": "30000.00", "note": "Bilancio comunale 2026"},
        )
        if demo.project == "fesr":
            add(
                office,
                project,
                "financing",
                {"source": "region", "amount": "40000.00", "note": "Cofinanziamento regionale"},
            )
        add(
            office,
            project,
            "budget_line",
            {
                "description": "Lavori a base d'asta",
                "amount": str((demo.granted * Decimal("0.8")).quantize(Decimal("0.01"))),
            },
        )
        add(
            office,
            project,
            "budget_line",
            {
                "description": "Spese tecniche e imprevisti",
                "amount": str((demo.granted * Decimal("0.2") + Decimal("30000")).quantize(Decimal("0.01"))),
            },
        )
        add(
            comune,
            project,
            "phase",
            {
                "name": "Progettazione esecutiva",
                "planned_start": start,
                "planned_end": start + timedelta(days=90),
                "actual_start": start,
                "actual_end": start + timedelta(days=100),
            },
        )
        add(
            comune,
            project,
            "phase",
            {
                "name": "Esecuzione dei lavori",
                "planned_start": start + timedelta(days=150),
                "planned_end": start + timedelta(days=600),
            },
        )
        add(
            comune,
            project,
            "movement",
            {
                "kind": "commitment",
                "amount": "48000.00",
                "date": start + timedelta(days=10),
                "document": "Determina n. 112 — incarico di progettazione",
            },
        )
        add(
            comune,
            project,
            "movement",
            {
                "kind": "payment",
                "amount": "24500.00",
                "date": start + timedelta(days=105),
                "document": "Mandato n. 2231",
            },
        )
        add(
            comune,
            project,
            "indicator",
            {"name": "Superficie oggetto di intervento", "unit": "m²", "planned": "1800", "achieved": ""},
        )
        if demo.project == "pnrr":
            add(
                comune,
                project,
                "milestone",
                {
                    "kind": "milestone",
                    "description": "Aggiudicazione dei lavori",
                    "due_on": start + timedelta(days=180),
                },
            )
            add(
                comune,
                project,
                "milestone",
                {
                    "kind": "target",
                    "description": "Riduzione dei consumi di energia primaria del 30%",
                    "due_on": start + timedelta(days=720),
                },
            )
            for kind in ("dnsh", "double_funding", "conflict_of_interest"):
                add(
                    comune,
                    project,
                    "check",
                    {
                        "kind": kind,
                        "passed": True,
                        "checked_on": start + timedelta(days=20),
                        "checked_by": "Ing. Paolo Ferrari (RUP)",
                    },
                )
        period = add(
            comune,
            project,
            "period",
            {"starts_on": start, "ends_on": start + timedelta(days=110)},
        )
        invoice = SimpleUploadedFile(
            "fattura-progettazione.pdf",
            act_pdf([application.lead.name, f"CUP {cup}", "Fattura n. 18/2026 - progettazione esecutiva"]),
        )
        project_services.add_expense(
            comune,
            project,
            period.pk,
            project_services.ExpenseData(
                description="Progettazione esecutiva (fattura n. 18/2026)",
                amount="24500.00",
                date=start + timedelta(days=100),
                cig="B00012EADB",
            ),
            invoice,
        )
        # Submitted once its expenses are in: from then on the period takes no more.
        project_services.submit_statement(comune, project, period.pk, start + timedelta(days=115))
        return project
