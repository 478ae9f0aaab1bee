"""Training in the demo (issue 11), in each Province, through the services where they exist: three modules
(public procurement, EU funds, data) and a published path made of them, each module with a past edition whose two sessions have their register and
whose participants got their certificates; staff of the Province and of two of its Comuni at different points
of their 40 hours; an import of hours done on the national Syllabus platform; and the plan of the year,
built from the needs the Comuni gave in the Province's training-needs campaign (made by ``DemoInsights``).

Re-runnable: a Province that has training modules is left as it is. Kept small so that the demo loads fast.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.insights.models import Campaign, TemplateCode
from casacomuni.training import satisfaction, services
from casacomuni.training.models import (
    Competence,
    Completion,
    Edition,
    EditionState,
    Module,
    ModuleCompetence,
    Need,
    SatisfactionResponse,
    Session,
)
from casacomuni.training.testing import FISCAL_CODES

# (area, title, hours, objectives): two sessions of the edition are held, each the module's half.
MODULES = (
    (
        "procurement",
        "Il RUP nel nuovo codice dei contratti pubblici",
        Decimal(16),
        "Gestire le fasi della procedura.",
    ),
    (
        "eu_funds",
        "Rendicontare un progetto finanziato dall'Unione europea",
        Decimal(12),
        "Preparare la rendicontazione.",
    ),
    ("data", "Pubblicare dati aperti di qualità", Decimal(8), "Pubblicare un dataset conforme a DCAT-AP_IT."),
)
PATH_TITLE = "Percorso per i Comuni della Provincia: appalti, fondi UE, dati"
# Per person (by position among the six of each organisation): the modules completed and the hours imported,
# so that the ledger shows people who reached 40 hours, who are on their way and who are far behind.
PLANS = (((0, 1, 2), 6), ((0, 1), 4), ((0,), 0), ((2,), 0), ((), 0), ((0, 1, 2), 0))
COMMENTS = (
    "Più esercitazioni pratiche sui casi dei Comuni.",
    "Materiali chiari, utili anche dopo il corso.",
    "Sessioni un po' lunghe: meglio due mezze giornate.",
)
NAMES = (
    ("Mario", "Rossi"),
    ("Luca", "Bianchi"),
    ("Anna", "Verdi"),
    ("Paola", "Neri"),
    ("Sara", "Galli"),
    ("Giovanni", "Blu"),
)


class DemoTraining:
    def __init__(self, now=None):
        self.now = now or timezone.now()

    def build(self, siglas) -> None:
        for sigla in siglas:
            province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
            if not Module.objects.filter(province=province).exists():
                self.province(province)

    def province(self, province: Organization) -> None:
        office = Membership.objects.filter(organization=province, role=Role.TRAINING_OFFICER).first()
        actor = Actor.for_membership(office, "load_demo")
        comuni = Organization.objects.filter(province=province.province, kind=OrganizationKind.MUNICIPALITY)
        organizations = [province, *comuni.order_by("name")[:2]]
        staff = {org.pk: self.staff(actor, org) for org in organizations}
        editions = [self.edition(province, *module) for module in MODULES]
        for number, edition in enumerate(editions):
            enrolments = [
                services.enrol(actor, edition, people[position])
                for people in staff.values()
                for position, (modules, _hours) in enumerate(PLANS)
                if number in modules
            ]
            for session in edition.sessions.all():
                for enrolment in enrolments:
                    services.record_attendance(actor, session, enrolment, session.minutes)
            services.complete_edition(actor, edition)
            self.satisfaction(edition)
        self.upcoming_edition(actor, editions[0].module, [people[0] for people in staff.values()])
        self.import_hours(actor, organizations[1] if len(organizations) > 1 else province)
        self.plan(actor, province, [edition.module for edition in editions])
        self.path(actor, [edition.module for edition in editions])

    def path(self, actor, modules) -> None:
        """The path of the Province's three modules, in the order a Comune's officer would take them."""
        data = services.PathData(
            title=PATH_TITLE,
            description="Gli strumenti dei tre servizi della Provincia: gare, progetti europei e dati aperti.",
            area="other",
            level="intermediate",
        )
        services.publish_path(actor, services.create_path(actor, data, modules))

    def plan(self, actor, province, modules) -> None:
        """The needs of the training-needs campaign, and the plan of its year with each module against the
        needs of its area (a module whose area nobody asked for stays out)."""
        campaign = (
            Campaign.objects.filter(
                province=province, questionnaire__template_code=TemplateCode.TRAINING_NEEDS
            )
            .order_by("-year")
            .first()
        )
        if campaign is None:
            return
        services.derive_needs(actor, campaign)
        plan = services.create_plan(actor, campaign.year, f"Piano della formazione {campaign.year}")
        needs = Need.objects.filter(province=province, year=campaign.year)
        for module in modules:
            answered = [need for need in needs if need.area == module.area]
            if answered:
                services.plan_module(actor, plan, module, answered, editions=2)

    def satisfaction(self, edition) -> None:
        """Two participants in three answered the questionnaire, with ratings from 3 to 5 (the demo's staff
        has no accounts to answer with, so the answers are written as the service would)."""
        survey = edition.satisfaction_survey
        for number, completion in enumerate(Completion.objects.filter(enrolment__edition=edition)):
            if number % 3 == 2:
                continue
            ratings = {code: str(3 + (number + shift) % 3) for shift, code in enumerate(satisfaction.RATINGS)}
            comment = COMMENTS[number % len(COMMENTS)] if number % 2 == 0 else None
            SatisfactionResponse.objects.create(
                survey=survey,
                enrolment_id=completion.enrolment_id,
                overall=int(ratings["overall"]),
                answers=ratings | {satisfaction.COMMENT: comment},
            )

    def staff(self, actor, organization) -> list:
        return [
            services.add_staff(
                actor,
                organization,
                services.StaffData(
                    fiscal_code=code,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}.{organization.pk}@demo.casacomuni.invalid".lower(),
                ),
            )
            for code, (first, last) in zip(FISCAL_CODES, NAMES, strict=True)
        ]

    def edition(self, province, area, title, hours, objectives) -> Edition:
        module = Module.objects.create(
            province=province,
            title=title,
            area=area,
            level="intermediate",
            mode="blended",
            hours=hours,
            objectives=objectives,
            published=True,
        )
        competence = Competence.objects.filter(area=area).first()
        if competence is not None:
            ModuleCompetence.objects.create(module=module, competence=competence, level=module.level)
        edition = Edition.objects.create(
            module=module,
            code=f"{self.now.year}/01",
            seats=30,
            state=EditionState.OPEN,
            signatory="Dott.ssa Franca Formazione, dirigente del Servizio formazione",
        )
        # Held in the last three weeks, so the edition can be completed now.
        first = self.now.replace(microsecond=0) - timedelta(days=21)
        for number in range(2):
            starts = first + timedelta(days=7 * number)
            Session.objects.create(
                edition=edition,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=int(hours * 30)),
                place="Sala del consiglio provinciale",
            )
        return edition

    def upcoming_edition(self, actor, module, people) -> None:
        """The module's second edition of the year, in the coming weeks: open to enrolment for a week, two
        morning sessions, one person of each organisation already enrolled (the calendars show it)."""
        today = timezone.localdate(self.now)
        edition = Edition.objects.create(
            module=module,
            code=f"{today.year}/02",
            seats=30,
            state=EditionState.OPEN,
            enrolment_deadline=today + timedelta(days=7),
            signatory="Dott.ssa Franca Formazione, dirigente del Servizio formazione",
        )
        for days in (14, 21):
            starts = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(9, 30)))
            Session.objects.create(
                edition=edition,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place="Sala del consiglio provinciale",
            )
        for person in people:
            services.enrol(actor, edition, person)

    def import_hours(self, actor, organization) -> None:
        """The hours a Comune's staff did on the national Syllabus platform, as its CSV export."""
        day = max(
            timezone.localdate(self.now) - timedelta(days=3),
            timezone.localdate(self.now).replace(day=1, month=1),
        )
        lines = ["fiscal_code;course;hours;date;provider"] + [
            f"{code};Competenze digitali per la PA;{hours};{day.isoformat()};Syllabus"
            for code, (_modules, hours) in zip(FISCAL_CODES, PLANS, strict=True)
            if hours
        ]
        upload = SimpleUploadedFile("syllabus.csv", "\n".join(lines).encode(), content_type="text/csv")
        services.import_external_hours(actor, organization, upload)
