"""Free-text search of a list, the one way every list does it.

On PostgreSQL, the production database, it is full-text search with the ``italian`` configuration: words are
reduced to their stem, so that "scuole" finds "scuola" and "energetica" finds "energetico", and common words
("per", "della") are ignored. The user's text is read as a web search
(``websearch_to_tsquery``): every word must occur, "quoted phrases" in order, ``-word`` excluded. A model whose
lists search many rows gets a GIN index on exactly ``search_vector(*fields)`` (see the eufunds and procurement
migrations), which the query then uses.

On SQLite, the embedded demo database, every word of the text must occur in one of the fields, case-insensitively
and without stemming: the same rows for ordinary searches, without the index (docs/adr/0008-full-text-search.md).
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

CONFIG = "italian"
# A search text longer than this says nothing more; the forms and schemas cap it too.
MAX_LENGTH = 200


def search_vector(*fields: str) -> SearchVector:
    """The document searched: the fields, in order, in the Italian configuration (the GIN index's expression)."""
    return SearchVector(*fields, config=CONFIG)


def text_search(
    queryset: QuerySet, text: str, fields: tuple[str, ...], exact: tuple[str, ...] = ()
) -> QuerySet:
    """The rows of ``queryset`` whose ``exact`` fields (identifiers such as a CIG, possibly across a relation:
    ``"lots__cig"``) equal ``text``, if there are any; otherwise those whose ``fields`` match it. ``queryset``
    unchanged when the text is blank.

    An identifier is looked up on its own, first: OR-ed with the text condition it would keep PostgreSQL from
    using the GIN index."""
    text = " ".join((text or "").split())[:MAX_LENGTH]
    if not text:
        return queryset
    if exact:
        by_identifier = queryset.filter(_equal_to(text, exact, queryset.model))
        if by_identifier.exists():
            return by_identifier
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return queryset.alias(search_document=search_vector(*fields)).filter(search_document=query)
    return queryset.filter(_every_word(text, fields))


def _equal_to(text: str, fields: tuple[str, ...], model) -> Q:
    condition = Q()
    for field in fields:
        # Through a subquery, so that a row with two matching related rows is still listed once.
        matching = model._default_manager.filter(**{f"{field}__iexact": text}).values("pk")
        condition |= Q(pk__in=matching)
    return condition


def _every_word(text: str, fields: tuple[str, ...]) -> Q:
    condition = Q()
    for word in text.replace('"', " ").split():
        if word.startswith("-") and len(word) > 1:
            condition &= ~_in_any(word[1:], fields)
        else:
            condition &= _in_any(word, fields)
    return condition


def _in_any(word: str, fields: tuple[str, ...]) -> Q:
    found = Q()
    for field in fields:
        found |= Q(**{f"{field}__icontains": word})
    return found
