"""A GIN index for the experiences' full-text search, on PostgreSQL only (casacomuni.lib.search).

The expression is ``lib.search.search_vector`` of ``models.EXPERIENCE_SEARCH_FIELDS`` as they are today, so
that the search query uses the index; SQLite has no such index and searches word by word. The index is not in
the model's Meta, which both engines share, and so is created here by hand."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(
    SearchVector("title", "problem", "solution", "organisation", config="italian"),
    name="experiences_search",
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("experiences", "Experience"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("experiences", "Experience"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("experiences", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
