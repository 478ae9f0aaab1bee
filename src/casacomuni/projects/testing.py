"""Test data for applications and funded projects, shared with the cross-tenant matrix.

``eu_funds_adhesion(side, party)`` gives ``party`` an agreement in force with the EU-funds office of
``side``'s Province; ``make_call`` a call of the catalogue; ``add_projects(side, world)`` one of each object
of this app for a side, written directly (no gate, no audit), returning a dict name -> object.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from casacomuni.agreements.models import Adhesion, Agreement, Service, ServiceKind
from casacomuni.lib.pdf import act_pdf
from casacomuni.projects.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationStatus,
    ApplicationTask,
    ProposedBy,
)
from casacomuni.projects.funded.models import (
    BudgetLine,
    CheckKind,
    ComplianceCheck,
    Expense,
    Financing,
    FundedProject,
    Milestone,
    Movement,
    Phase,
    ProjectIndicator,
    ReportingPeriod,
)

PDF = act_pdf(["Documento di prova"])
# CUPs of the right shape (letter, 2 digits, letter, 11 digits), one per side and number.
CUP_PREFIX = "E84D22000"
# CIGs with valid check characters (computed with lib.identifiers.new_cig_check).
VALID_CIG = "B00012EADB"


def eu_funds_adhesion(side, party, start: date | None = None) -> Adhesion:
    """An agreement in force between ``side``'s Province and ``party`` with an adhesion to its EU-funds
    service (created if the Province has none), written directly."""
    today = timezone.localdate()
    start = start or today - timedelta(days=60)
    service = Service.objects.filter(province=side.province_org, kind=ServiceKind.EU_FUNDS).first()
    if service is None:
        service = Service.objects.create(
            province=side.province_org,
            kind=ServiceKind.EU_FUNDS,
            name=f"Ufficio europeo associato — {side.province.sigla}",
            description="Progettazione europea per i Comuni",
            cost_model="free",
            is_published=True,
        )
    agreement = Agreement(
        province=side.province_org,
        municipality=party,
        title=f"Convenzione SAPE n. {party.pk}/{side.province.sigla}",
        legal_basis="Art. 30 TUEL",
        object="Ufficio europeo associato",
        governance="Conferenza dei sindaci",
        data_protection="Art. 28 GDPR",
        disputes="Foro competente",
        start_date=start,
        end_date=start + timedelta(days=1000),
        state="active",
    )
    agreement.municipality_resolution_file.save("delibera.pdf", ContentFile(PDF), save=False)
    agreement.signed_file.save("firmata.pdf", ContentFile(PDF), save=False)
    agreement.save()
    return Adhesion.objects.create(agreement=agreement, service=service, start_date=start)


def make_call(**fields):
    """A manual call, open, with a deadline in 60 days (``fields`` override any column)."""
    from casacomuni.eufunds.models import Call

    number = Call.objects.count() + 1
    now = timezone.now()
    values = {
        "source": "manual",
        "source_id": f"test-{number}",
        "title": f"Bando di prova n. {number} per l'efficienza energetica degli edifici pubblici",
        "programme": "PR FESR Veneto 2021-2027",
        "funder": "Regione del Veneto",
        "opens_on": timezone.localdate() - timedelta(days=10),
        "deadline": now + timedelta(days=60),
        "status": "open",
        "max_contribution": Decimal("500000.00"),
    }
    return Call.objects.create(**(values | fields))


def make_application(party, province_org, call=None, **fields) -> Application:
    values = {
        "call": call or make_call(),
        "lead": party,
        "province": province_org,
        "title": f"Candidatura di {party.name}",
        "proposed_by": ProposedBy.COMUNE,
    }
    return Application.objects.create(**(values | fields))


def make_project(party, province_org, number: int = 1, **fields) -> FundedProject:
    values = {
        "cup": f"{CUP_PREFIX}{party.pk % 100:02d}{number:04d}"[:15],
        "title": f"Progetto finanziato di {party.name} n. {number}",
        "programme": "PNRR",
        "measure": "M2C4I2.2",
        "beneficiary": party,
        "province": province_org,
        "status": "ongoing",
    }
    return FundedProject.objects.create(**(values | fields))


def add_projects(side, world=None) -> dict:
    """One of each object of this app for ``side``: an application of its Comune with the sibling Comune as
    partner, a task and a document; a funded PNRR project of the Comune with financing, budget line,
    movement, phase, indicator, milestone, check, reporting period and an expense with its document."""
    today = timezone.localdate()
    application = make_application(
        side.comune,
        side.province_org,
        title=f"Candidatura per la scuola di {side.comune.name}",
        status=ApplicationStatus.DESIGNING,
        requested_amount=Decimal("250000.00"),
    )
    partner = ApplicationPartner.objects.create(application=application, organization=side.sibling_comune)
    task = ApplicationTask.objects.create(
        application=application, title="Raccogliere le lettere di intenti", due_on=today
    )
    document = ApplicationDocument(
        application=application, original_name=f"scheda-{side.province.sigla}.pdf", size=len(PDF)
    )
    document.file.save("scheda.pdf", ContentFile(PDF), save=False)
    document.save()
    project = make_project(
        side.comune,
        side.province_org,
        number=side.province_org.pk,
        title=f"Efficientamento del municipio di {side.comune.name}",
        is_pnrr=True,
    )
    financing = Financing.objects.create(project=project, source="eu", amount=Decimal("200000.00"))
    budget_line = BudgetLine.objects.create(
        project=project, description="Lavori", amount=Decimal("180000.00")
    )
    movement = Movement.objects.create(
        project=project, kind="commitment", amount=Decimal("150000.00"), date=today, document="Determina n. 1"
    )
    phase = Phase.objects.create(project=project, name="Progettazione esecutiva", planned_start=today)
    indicator = ProjectIndicator.objects.create(
        project=project, name="Superficie riqualificata", unit="m²", planned=Decimal("800")
    )
    milestone = Milestone.objects.create(
        project=project, kind="target", description="Aggiudicazione lavori", due_on=today
    )
    check = ComplianceCheck.objects.create(
        project=project, kind=CheckKind.DNSH, passed=True, checked_on=today, checked_by="Ing. Rossi"
    )
    period = ReportingPeriod.objects.create(project=project, starts_on=today.replace(day=1), ends_on=today)
    expense = Expense(
        period=period,
        description="Fattura della progettazione",
        amount=Decimal("12000.00"),
        date=today,
        cig=VALID_CIG,
        original_name=f"fattura-{side.province.sigla}.pdf",
        size=len(PDF),
    )
    expense.file.save("fattura.pdf", ContentFile(PDF), save=False)
    expense.save()
    return {
        "application": application,
        "partner": partner,
        "task": task,
        "document": document,
        "project": project,
        "financing": financing,
        "budget_line": budget_line,
        "movement": movement,
        "phase": phase,
        "indicator": indicator,
        "milestone": milestone,
        "check": check,
        "period": period,
        "expense": expense,
    }
