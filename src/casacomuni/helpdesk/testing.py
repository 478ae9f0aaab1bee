"""Help desk objects for the tests, the cross-tenant matrix and the demo: a Province's categories with their
service levels, and requests opened and carried through the workflow by the services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.helpdesk import services
from casacomuni.helpdesk.models import Category, HelpService
from casacomuni.helpdesk.rules import workflow
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.testing import actor_for

# service -> [(name, first answer, resolution)] in working hours
DEFAULT_CATEGORIES = {
    HelpService.SUA: [
        ("Documenti di gara e procedure", 8, 40),
        ("Richieste di gara e programmazione", 14, 70),
    ],
    HelpService.EU_FUNDS: [("Ammissibilità ai bandi", 8, 40), ("Rendicontazione dei progetti", 14, 70)],
    HelpService.DATA: [("Campagne di rilevazione", 4, 21)],
    HelpService.TRAINING: [("Iscrizioni e attestati", 7, 21)],
    HelpService.OTHER: [("Altre richieste", 14, 70)],
}


def make_categories(province) -> dict[str, Category]:
    """The default categories of ``province``: the first of each service, by service."""
    first = {}
    for service, rows in DEFAULT_CATEGORIES.items():
        for name, first_answer, resolution in rows:
            category, _created = Category.objects.get_or_create(
                province=province,
                service=service,
                name=name,
                defaults={"first_answer_hours": first_answer, "resolution_hours": resolution},
            )
            first.setdefault(service, category)
    return first


def pdf_upload(name: str = "documento.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, act_pdf(["Documento allegato alla richiesta"]), "application/pdf")


def open_sua_request(actor: Actor, category: Category, subject: str, uploads=(), **links):
    data = services.RequestData(
        service=HelpService.SUA,
        category=category,
        subject=subject,
        description="Quali documenti servono per avviare la procedura negoziata dei lavori alla scuola?",
        links=links,
    )
    return services.open_request(actor, data, uploads)


def office_actor(side, world, persona: str, role: str) -> Actor:
    """The world's persona at home, an officer with the same role elsewhere."""
    if side is world.home:
        return Actor.for_membership(world.memberships[persona])
    return actor_for(side.province_org, role, f"{role}_{side.province.sigla.lower()}")


def add_helpdesk(side, world) -> dict:
    """For the cross-tenant matrix, on each side: the Province's categories; a SUA request of the Comune with a
    PDF, assigned, answered, with an internal note, resolved, and one left unanswered; an FAQ entry published
    from the first and a draft one: ``world.objects[side]["helpdesk"]``. The subjects and questions name the
    side's Province (sigla)."""
    sigla = side.province.sigla
    categories = make_categories(side.province_org)
    if side is world.home:
        requester = Actor.for_membership(world.memberships["referente_comune"])
    else:
        requester = actor_for(side.comune, Role.MUNICIPALITY_REFERENT, f"referente_sportello_{sigla.lower()}")
    request = open_sua_request(
        requester, categories[HelpService.SUA], f"Documenti per la gara della scuola {sigla}", [pdf_upload()]
    )
    officer = office_actor(side, world, "funzionario_sua", Role.SUA_OFFICER)
    services.take_step(officer, request, workflow.ASSIGN, assignee=officer.user)
    services.take_step(officer, request, workflow.NOTE, body=f"Nota riservata dell'ufficio {sigla}")
    services.take_step(
        officer, request, workflow.RESOLVE, body="Servono il progetto esecutivo e il capitolato."
    )
    request.refresh_from_db()
    # Left new, its first answer due: the calendars and feeds show its due times.
    unanswered = open_sua_request(requester, categories[HelpService.SUA], f"Richiesta senza risposta {sigla}")
    faq = services.save_faq(
        officer,
        None,
        question=f"Quali documenti servono per una gara di lavori ({sigla})?",
        answer="Il progetto esecutivo, il capitolato e la determina a contrarre.",
        published=True,
        source=request,
    )
    draft = services.save_faq(
        officer,
        None,
        question=f"Bozza di risposta sui subappalti ({sigla})",
        answer="Da completare.",
        published=False,
        service=HelpService.SUA,
    )
    return {
        "request": request,
        "unanswered": unanswered,
        "attachment": request.attachments.get(),
        "category": categories[HelpService.SUA],
        "faq": faq,
        "draft_faq": draft,
    }
