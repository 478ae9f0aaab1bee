"""The kinds of document a Province can template, and where each kind's vocabulary lives.

Each kind is filled in by a domain app, which declares in one module: ``VOCABULARY`` (a tuple of
``casacomuni.documents.docx.Placeholder``), ``sample_context()`` (the same structure with plausible data,
for checks and previews) and ``DEFAULT_TEMPLATE`` (the packaged DOCX used when a Province has none). The
module is named here, not imported, because domain apps import ``documents`` and not the reverse.
"""

from importlib import import_module
from types import ModuleType

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement (convenzione)")


SOURCES = {TemplateKind.AGREEMENT: "casacomuni.agreements.documents"}


def source(kind: str) -> ModuleType:
    """The module that declares ``kind``'s vocabulary, sample data and default template."""
    return import_module(SOURCES[TemplateKind(kind)])
