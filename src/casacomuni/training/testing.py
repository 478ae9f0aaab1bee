"""Training objects for the tests, the cross-tenant matrix and the demo: a module with an edition and its
sessions, staff with valid fiscal codes, and actors of the world's personas."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.procurement.testing import actor_for
from casacomuni.training import framework, ledger
from casacomuni.training.models import (
    Competence,
    Completion,
    Edition,
    EditionState,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    Module,
    ModuleCompetence,
    Path,
    PathModule,
    Session,
    StaffMember,
    TestQuestion,
)

# Valid fiscal codes of made-up people (surname, name, birth date and place, check character computed as
# D.M. 23 December 1976 says): lib.identifiers accepts them.
FISCAL_CODES = (
    "RSSMRA80A01H501U",
    "BNCLCU75C12L736D",
    "VRDNNA90E55F205I",
    "NREPLA82M20G224Z",
    "GLLSRA88T41A944F",
    "BLUGNN70B10L219T",
)


def persona_actor(world, persona: str) -> Actor:
    """The world's persona acting through its membership, as a request would."""
    return Actor.for_membership(world.memberships[persona])


def make_module(
    province, title="Il nuovo codice dei contratti pubblici", hours="12", published=True, **fields
):
    module = Module.objects.create(
        province=province,
        title=title,
        area=fields.pop("area", "procurement"),
        level=fields.pop("level", "intermediate"),
        mode=fields.pop("mode", "blended"),
        hours=Decimal(hours),
        objectives=fields.pop("objectives", "Applicare il D.Lgs. 36/2023 nelle procedure della SUA."),
        published=published,
        **fields,
    )
    if not Competence.objects.exists():  # a transactional test emptied the tables migration 0002 filled
        framework.load(Competence)
    competence = Competence.objects.get(code="SUA-2")
    ModuleCompetence.objects.create(module=module, competence=competence, level=module.level)
    return module


def make_edition(module, seats=3, sessions=2, past=False, state=EditionState.OPEN, **fields) -> Edition:
    """An edition with ``sessions`` sessions of two hours, a week apart: held already when ``past``, else
    from next week."""
    edition = Edition.objects.create(
        module=module,
        code=fields.pop("code", f"2026/{Edition.objects.filter(module=module).count() + 1:02d}"),
        seats=seats,
        state=state,
        signatory=fields.pop("signatory", "Dott.ssa Anna Verdi, dirigente del Servizio formazione"),
        **fields,
    )
    first = timezone.now().replace(microsecond=0) + timedelta(days=-30 if past else 7)
    for number in range(sessions):
        starts = first + timedelta(days=7 * number)
        Session.objects.create(
            edition=edition, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Sala consiliare"
        )
    return edition


def make_staff(organization, count=3, users=()) -> list[StaffMember]:
    """``count`` people of ``organization``; the i-th linked to ``users[i]`` when given."""
    people = []
    for number in range(count):
        people.append(
            StaffMember.objects.create(
                organization=organization,
                fiscal_code=FISCAL_CODES[number],
                first_name=f"Nome{number}",
                last_name=f"Cognome{number}",
                email=f"persona{number}@{organization.pk}.comune.example.it",
                user=users[number] if number < len(users) else None,
            )
        )
    return people


def add_training(side, world) -> dict:
    """For the cross-tenant matrix, on each side: a published module and a draft (with an edition the Comuni do
    not see); an open edition of the published one with two sessions already held, the Comune's staff and an
    enrolment with its completion (at home the person is the ``personale_comune`` persona, who signs in and
    holds the certificate); a question of the module's final test; a published path of the module and a second
    published one, and a draft path of the draft module; a training-needs campaign answered by the Comune, its
    needs and the Province's plan; for the 40-hour ledger, one person of each of the side's organisations
    (surnames unique in the world, so that a list page showing one is caught) with hours imported this year:
    ``world.objects[side]["training"]``."""
    from casacomuni.insights.services.responses import save_response
    from casacomuni.insights.testing import make_campaign, referent
    from casacomuni.training import services
    from casacomuni.training.models import Plan

    sigla = side.province.sigla
    module = make_module(side.province_org, title=f"Appalti pubblici per i Comuni di {sigla}")
    draft = make_module(side.province_org, title=f"Bozza sui dati aperti di {sigla}", published=False)
    edition = make_edition(module, seats=2, past=True)
    users = [world.personas["personale_comune"]] if side is world.home else []
    people = make_staff(side.comune, count=2, users=users)
    enrolment = Enrolment.objects.create(
        edition=edition, person=people[0], state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    completion = Completion.objects.create(
        enrolment=enrolment, person=people[0], completed_on=timezone.localdate(), hours=module.hours
    )
    ledger.refresh_hours([people[0].pk], [completion.completed_on.year])
    campaign = make_campaign(side, template="fabbisogni_formativi", title=f"Fabbisogni formativi di {sigla}")
    answers = {"staff_total": 30, "staff_to_train": 4, "areas": ["procurement"], "level": "base"}
    answers |= {"format": "blended", "budget_available": False}
    save_response(referent(side.comune), campaign, answers, submit=True)
    office = actor_for(side.province_org, Role.TRAINING_OFFICER, f"formazione_{sigla.lower()}")
    services.derive_needs(office, campaign)
    plan = Plan.objects.create(
        province=side.province_org,
        year=campaign.year,
        title=f"Piano della formazione di {side.province.name}",
    )
    services.plan_module(office, plan, module, plan.province.training_needs_received.all())
    run, staff = add_ledger_staff(side)
    second = make_module(side.province_org, title=f"Fondi europei per i Comuni di {sigla}", area="eu_funds")
    return {
        "path": make_path(side.province_org, f"Percorso dei Comuni di {sigla}", [module, second]),
        "draft_path": make_path(side.province_org, f"Bozza di percorso di {sigla}", [draft], published=False),
        "staff": staff,
        "import_run": run,
        "module": module,
        "draft_module": draft,
        "edition": edition,
        "draft_edition": make_edition(draft, sessions=1, state=EditionState.PLANNED),
        "session": edition.sessions.first(),
        "person": people[0],
        "enrolment": enrolment,
        "completion": completion,
        "campaign": campaign,
        "plan": plan,
        "test_question": TestQuestion.objects.create(
            module=module,
            text="Chi nomina il RUP?",
            options=["Il sindaco", "La stazione appaltante"],
            correct=1,
        ),
    }


def add_ledger_staff(side) -> tuple[ImportRun, list[StaffMember]]:
    run = ImportRun.objects.create(organization=side.province_org, file_name="syllabus.csv")
    staff = []
    for organization in (side.province_org, side.comune, side.sibling_comune, side.union):
        person = StaffMember.objects.create(
            organization=organization,
            fiscal_code=FISCAL_CODES[5],
            first_name="Persona",
            last_name=f"Dipendente{organization.pk:04d}X",
        )
        ExternalHours.objects.create(
            person=person,
            provider="Syllabus",
            course="Competenze digitali",
            hours=Decimal(6),
            completed_on=timezone.localdate().replace(month=1, day=1),
            import_run=run,
        )
        staff.append(person)
    ledger.refresh_hours([person.pk for person in staff], [timezone.localdate().year])
    return run, staff


def make_path(province, title: str, modules, published=True) -> Path:
    """A path of ``modules`` in this order (written directly: the matrix records no audit event for it)."""
    path = Path.objects.create(
        province=province,
        title=title,
        description="Le competenze dei servizi della Provincia.",
        area="other",
        level="base",
        published=published,
    )
    PathModule.objects.bulk_create(
        PathModule(path=path, module=module, position=number) for number, module in enumerate(modules, 1)
    )
    return path
