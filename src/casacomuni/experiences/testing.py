"""Experiences for the tests and the cross-tenant matrix: an experience in any state, written directly (the
services are tested on their own), with results and, when asked, a PDF document."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from casacomuni.experiences.models import Document, Experience, ExperienceState, Replication, Result
from casacomuni.lib.pdf import act_pdf


def make_experience(
    province,
    title="Centrale unica di committenza per i piccoli Comuni",
    state=ExperienceState.PUBLISHED,
    **fields,
) -> Experience:
    experience = Experience.objects.create(
        province=province,
        title=title,
        area=fields.pop("area", "procurement"),
        problem=fields.pop("problem", "I piccoli Comuni non riuscivano a bandire gare sopra soglia da soli."),
        solution=fields.pop(
            "solution", "La SUA provinciale bandisce le gare aggregate per conto dei Comuni."
        ),
        organisation=fields.pop("organisation", "Un ufficio di 4 persone e un referente in ogni Comune."),
        contact_name=fields.pop("contact_name", "Maria Bianchi"),
        contact_role=fields.pop("contact_role", "Dirigente della SUA"),
        contact_email=fields.pop("contact_email", "sua@provincia.example.it"),
        start_year=fields.pop("start_year", 2021),
        comuni_count=fields.pop("comuni_count", 12),
        state=state,
        published_at=timezone.now() if state == ExperienceState.PUBLISHED else None,
        **fields,
    )
    Result.objects.create(experience=experience, indicator="Gare aggregate", value=Decimal(42), position=1)
    return experience


def pdf_upload_bytes() -> bytes:
    return act_pdf(["Delibera di approvazione del progetto."])


def make_document(experience, title="Delibera di avvio") -> Document:
    document = Document(experience=experience, title=title, original_name="delibera.pdf", size=1)
    content = pdf_upload_bytes()
    document.file.save("delibera.pdf", ContentFile(content), save=False)
    document.size = len(content)
    document.save()
    return document


def add_experiences(side, world) -> dict:
    """On ``side`` (the cross-tenant matrix): a published experience and a draft, each with a document, and
    one submitted for review."""
    name = side.province.name
    published = make_experience(side.province_org, f"Esperienza pubblicata di {name}")
    draft = make_experience(side.province_org, f"Bozza riservata di {name}", state=ExperienceState.DRAFT)
    submitted = make_experience(
        side.province_org, f"Esperienza in revisione di {name}", state=ExperienceState.SUBMITTED
    )
    return {
        "published": published,
        "draft": draft,
        "submitted": submitted,
        "published_document": make_document(published),
        "draft_document": make_document(draft),
    }


def add_replication(experience, province, user=None) -> Replication:
    return Replication.objects.create(
        experience=experience, province=province, message="Vorremmo replicarla.", requested_by=user
    )
