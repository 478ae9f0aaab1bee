"""Model-library objects for the tests, the cross-tenant matrix and the browser journey: small real DOCX and PDF
files, models written through the services, and the objects of each side of the world."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.library import services
from casacomuni.library.models import LibraryModel, ModelKind, ServiceArea
from casacomuni.procurement.testing import actor_for

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_upload(name: str = "modello.docx", *paragraphs: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(*(paragraphs or ("Schema di atto.",))), content_type=DOCX_TYPE)


def upi_admin(world) -> Actor:
    return Actor.for_membership(world.memberships["dirigente_upi"])


def make_model(
    actor: Actor,
    title: str,
    kind: str = ModelKind.CAPITOLATO,
    area: str = ServiceArea.SUA,
    files=(),
    publish: bool = True,
    **version,
) -> LibraryModel:
    """A model of the actor's library with its version 1 (published when ``publish``)."""
    data = services.VersionData(
        title=title,
        changelog=version.pop("changelog", "Prima versione."),
        legal_basis=version.pop("legal_basis", "D.Lgs. 36/2023"),
        description=version.pop("description", "Modello per i Comuni."),
        uploads=list(files) or [docx_upload()],
        **version,
    )
    model = services.create_model(actor, services.ModelData(kind=kind, area=area), data)
    if publish:
        services.publish_version(actor, model.versions.get())
        model.refresh_from_db()
    return model


def new_version(actor: Actor, model: LibraryModel, changelog: str, publish: bool = True, **changes):
    """The next version of ``model``: the latest's text and files with ``changes`` (``uploads`` new files)."""
    latest = model.versions.order_by("-number").first()
    data = services.VersionData(
        title=changes.pop("title", latest.title),
        changelog=changelog,
        legal_basis=changes.pop("legal_basis", latest.legal_basis),
        description=changes.pop("description", latest.description),
        questionnaire=changes.pop("questionnaire", latest.questionnaire),
        keep=changes.pop("keep", [f.pk for f in latest.files.all()]),
        uploads=changes.pop("uploads", []),
    )
    version = services.add_version(actor, model, data)
    if publish:
        version = services.publish_version(actor, version)
    model.refresh_from_db()
    return version


def national_models(world) -> dict:
    """UPI's published capitolato and its draft, made once per world."""
    if not hasattr(world, "library_national"):
        upi = upi_admin(world)
        world.library_national = {
            "national": make_model(upi, "Capitolato nazionale per la manutenzione del verde"),
            "national_draft": make_model(upi, "Bozza UPI di disciplinare di gara", publish=False),
        }
    return world.library_national


def add_library(side, world) -> dict:
    """For the cross-tenant matrix, on each side: the Province's own published model and its draft, and its
    adopted copy of UPI's capitolato, adapted with a local version (titles name the Province's sigla, so that a
    list showing one is caught): ``world.objects[side]["library"]``; UPI's models are in ``national_models``."""
    sigla = side.province.sigla
    admin = actor_for(side.province_org, Role.PROVINCE_ADMIN, f"admin_{sigla.lower()}")
    national = national_models(world)
    copy = services.adopt_version(admin, national["national"].current_version)
    new_version(
        admin, copy, "Adattato ai Comuni della Provincia.", title=f"Capitolato del verde adattato da {sigla}"
    )
    return {
        **national,
        "own": make_model(admin, f"Schema di convenzione SUA di {sigla}", kind=ModelKind.CONVENTION),
        "draft": make_model(admin, f"Bozza di lettera d'invito di {sigla}", publish=False),
        "copy": copy,
    }
