"""Training objects for the tests, the cross-tenant matrix and the demo: a module with an edition and its
sessions, staff with valid fiscal codes, and actors of the world's personas."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.training.models import (
    Competence,
    Edition,
    EditionState,
    ExternalHours,
    ImportRun,
    Module,
    ModuleCompetence,
    Session,
    StaffMember,
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


def add_training(world) -> None:
    """Training objects on each side of the cross-tenant world, ``world.objects[side]["training"]``: a module
    with a past edition of the side's Province, and one person of each of the side's organisations (surnames
    unique in the world, so that a list page showing one is caught), with hours imported this year."""
    for name, side in (("home", world.home), ("elsewhere", world.elsewhere)):
        objects = world.objects.setdefault(name, {}).setdefault("training", {})
        objects["module"] = make_module(
            side.province_org, title=f"Formazione della Provincia {side.province_org.pk}"
        )
        objects["edition"] = make_edition(objects["module"], past=True)
        run = ImportRun.objects.create(organization=side.province_org, file_name="syllabus.csv")
        staff = []
        for organization in (side.province_org, side.comune, side.sibling_comune, side.union):
            person = StaffMember.objects.create(
                organization=organization,
                fiscal_code=FISCAL_CODES[0],
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
        objects["staff"] = staff
        objects["import_run"] = run
