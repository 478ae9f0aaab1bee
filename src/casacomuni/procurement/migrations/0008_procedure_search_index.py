"""A GIN index for the procedures' full-text search, on PostgreSQL only (casacomuni.lib.search).

The expression is ``lib.search.search_vector`` of ``procedures.models.PROCEDURE_SEARCH_FIELDS`` as they are today,
so that the search query uses the index; SQLite has no such index and searches word by word. The index is not
in the model's Meta, which both engines share, and so is created here by hand."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("title", "description", config="italian"), name="procurement_procedure_search")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("procurement", "Procedure"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("procurement", "Procedure"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0007_lot_requirements_and_published_question")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
