"""Test helpers: DOCX files written on the fly, and stored templates for the cross-tenant tests."""

import io

from django.core.files.base import ContentFile
from docx import Document

from casacomuni.documents.kinds import TemplateKind
from casacomuni.documents.models import DocumentTemplate


def docx_bytes(*paragraphs: str) -> bytes:
    """A DOCX whose body is ``paragraphs``, one paragraph each (Jinja tags included as typed)."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def make_template(owner, uploaded_by, data: bytes | None = None, kind: str = TemplateKind.AGREEMENT):
    """A stored template version of ``owner`` without the upload service's checks (for scoping tests)."""
    data = data or docx_bytes("Convenzione tra {{ provincia.nome }} e {{ ente.nome }}")
    version = DocumentTemplate.objects.filter(owner=owner, kind=kind).count() + 1
    template = DocumentTemplate(
        owner=owner,
        kind=kind,
        version=version,
        original_name=f"modello-v{version}.docx",
        placeholders=["ente", "provincia"],
        uploaded_by=uploaded_by,
    )
    template.file.save(template.original_name, ContentFile(data), save=False)
    template.save()
    return template
