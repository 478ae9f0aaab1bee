"""Free-text search of the calls (lib.search): every word counts, in any of the searched fields; on PostgreSQL
with Italian stemming and the GIN index."""

import pytest
from django.db import connection

from casacomuni.eufunds.models import Call

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and the GIN index are PostgreSQL's full-text search"
)


@pytest.fixture
def calls():
    def call(source_id, title, summary="", programme="", funder=""):
        return Call.objects.create(
            source="manual",
            source_id=source_id,
            title=title,
            summary=summary,
            programme=programme,
            funder=funder,
        )

    return {
        "schools": call(
            "A-1",
            "Avviso per la riqualificazione energetica degli edifici scolastici",
            summary="Contributi ai Comuni per le scuole dell'infanzia e primarie.",
            programme="PNRR M4C1",
        ),
        "bridges": call(
            "B-2", "Messa in sicurezza di ponti e viadotti", funder="Ministero delle Infrastrutture"
        ),
        "libraries": call(
            "C-3", "Biblioteche e archivi digitali", summary="Digitalizzazione del patrimonio."
        ),
    }


def found(text) -> set[str]:
    return set(Call.objects.search(text).values_list("source_id", flat=True))


def test_every_word_must_occur_in_some_field(calls):
    # "scuole" is in the summary, "M4C1" in the programme: both words, two fields.
    assert found("scuole M4C1") == {"A-1"}
    assert found("scuole ponti") == set()
    assert found("Ministero infrastrutture") == {"B-2"}  # the funder, any case


def test_words_are_found_in_any_order_unlike_the_old_phrase_search(calls):
    assert found("viadotti sicurezza") == {"B-2"}


def test_an_identifier_at_the_source_is_found_exactly(calls):
    assert found("c-3") == {"C-3"}


def test_a_blank_text_keeps_every_call_and_a_minus_word_excludes(calls):
    assert found("   ") == {"A-1", "B-2", "C-3"}
    assert found("Avviso -scuole") == set()
    assert found("-scuole") == {"B-2", "C-3"}


@on_postgresql
def test_italian_stemming_finds_the_other_forms_of_a_word(calls):
    # "scuola" (singular) finds "scuole"; "energetico" finds "energetica"; "per" and "della" are stop words.
    assert found("scuola") == {"A-1"}
    assert found("intervento energetico per della scuola") == set()  # "intervento" occurs nowhere
    assert found("riqualificazione energetico") == {"A-1"}
    assert found('"edifici scolastici"') == {"A-1"}


@on_postgresql
def test_the_search_uses_the_gin_index(calls):
    """The query's expression is the index's (migration 0005); with a table this small the planner would
    rather scan it, so the scan is priced out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "eufunds_call_search" in Call.objects.search("scuola").explain()
