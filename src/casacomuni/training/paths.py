"""Reads of the training paths: who started a path and how far each person is, in a fixed number of queries
whatever the number of people (the progress itself is the pure rule ``rules.paths.progress``)."""

from collections import defaultdict

from django.db.models import Exists, OuterRef, QuerySet

from casacomuni.training.models import LIVE_STATES, Completion, Enrolment, Path
from casacomuni.training.rules import paths as rules


def module_ids(path: Path) -> list[int]:
    """The path's modules, in order (one query)."""
    return list(path.path_modules.order_by("position", "pk").values_list("module_id", flat=True))


def who_started(path: Path, staff: QuerySet) -> QuerySet:
    """The people of ``staff`` enrolled (or waiting, or asking) in an edition of one of the path's modules,
    completed or not."""
    enrolments = Enrolment.objects.filter(
        person=OuterRef("pk"), state__in=LIVE_STATES, edition__module__path_modules__path=path
    )
    return staff.filter(Exists(enrolments))


def progress_of(path: Path, people, modules: list[int] | None = None) -> dict[int, rules.Progress]:
    """Each person's progress on the path (person id -> Progress), from their completions not revoked: two
    queries (one when the path's ``modules`` are given), whatever the number of ``people`` (a list of staff
    records or of their ids)."""
    modules = module_ids(path) if modules is None else modules
    done = defaultdict(set)
    rows = Completion.objects.filter(
        person__in=people, revoked_at__isnull=True, enrolment__edition__module_id__in=modules
    ).values_list("person_id", "enrolment__edition__module_id")
    for person, module in rows:
        done[person].add(module)
    ids = [person if isinstance(person, int) else person.pk for person in people]
    return {person: rules.progress(modules, done[person]) for person in ids}
