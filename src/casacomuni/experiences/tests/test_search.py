"""The experiences' text search (docs/adr/0008): every word in some field on both engines; on PostgreSQL the
Italian stemming, through the GIN index of migration 0002."""

import pytest
from django.db import connection

from casacomuni.experiences.models import Experience
from casacomuni.experiences.testing import make_experience

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and the GIN index are PostgreSQL's full-text search"
)


@pytest.fixture
def experiences(world):
    make_experience(
        world.home.province_org,
        "Stazione unica appaltante",
        solution="Gare aggregate per le scuole dei Comuni montani.",
    )
    make_experience(
        world.elsewhere.province_org,
        "Ufficio europa",
        organisation="Tre funzionari seguono le candidature ai bandi.",
    )


def found(text: str) -> set[str]:
    return set(Experience.objects.search(text).values_list("title", flat=True))


def test_every_word_must_occur_in_the_title_problem_solution_or_organisation(experiences):
    assert found("montani appaltante") == {"Stazione unica appaltante"}
    assert found("funzionari candidature") == {"Ufficio europa"}
    assert found("montani funzionari") == set()
    assert found("-scuole") == {"Ufficio europa"}


@on_postgresql
def test_italian_stemming_finds_the_other_forms_of_a_word(experiences):
    assert found("scuola") == {"Stazione unica appaltante"}
    assert found("candidatura") == {"Ufficio europa"}


@on_postgresql
def test_the_search_uses_the_gin_index(experiences):
    """The query's expression is the index's; with a table this small the planner would rather scan it, so the
    scan is priced out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "experiences_search" in Experience.objects.search("scuola").explain()
