"""The competence framework, from data/competences.json (sources in data/SOURCES.md): the Syllabus of digital
skills for the PA and the platform's own competences. Reloading updates names and descriptions in place."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "competences.json"


def load(apps, schema_editor):
    Competence = apps.get_model("training", "Competence")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["competences"]:
        code = row.pop("code")
        Competence.objects.update_or_create(code=code, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
