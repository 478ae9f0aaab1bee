"""The competence framework, from data/competences.json (``training.framework``). Reloading updates names and
descriptions in place."""

from django.db import migrations

from casacomuni.training import framework


def load(apps, schema_editor):
    framework.load(apps.get_model("training", "Competence"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
