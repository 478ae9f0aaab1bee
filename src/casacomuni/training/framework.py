"""The competence framework, shipped as data (``data/competences.json``, sources in ``data/SOURCES.md``): the
Syllabus of digital skills for the PA and the platform's own competences. Migration 0002 loads it; a test
database emptied by a transactional test gets it back from ``testing.make_module``."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "competences.json"


def load(competence_model) -> None:
    """Create or update every competence of the file (``competence_model``: the model, or a migration's
    historical model)."""
    for row in json.loads(DATA.read_text(encoding="utf-8"))["competences"]:
        code = row.pop("code")
        competence_model.objects.update_or_create(code=code, defaults=row)
