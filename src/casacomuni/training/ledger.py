"""Reads of the 40-hour ledger: each person's hours of a year (completions on the platform not revoked, plus
the hours imported from other providers, by the day each was completed), with the standing of
``rules.ledger`` and the forecast, and the summaries of an organisation, of a Province's territory and, for
UPI, of every Province (aggregates only).

Each person's hours of a year are kept in ``YearHours`` (``refresh_hours``, called by every service that
makes, revokes or imports hours; ADR 0013): the ledger joins that one row per person, so that a page of people,
sorted or filtered by hours or standing, costs a fixed number of queries and no sum over the year's rows.
The standing is a CASE on the hours. Its thresholds are computed once per request from the pure rules (hours
have one decimal, so the smallest tenth of an hour that reaches each standing is exact): the SQL and
``rules.ledger.standing`` agree on every value (``tests/test_ledger.py``).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.training.models import Completion, ExternalHours, StaffMember, YearHours
from casacomuni.training.rules import ledger as rules

HOURS_FIELD = DecimalField(max_digits=8, decimal_places=1)
ZERO = Value(Decimal(0), output_field=HOURS_FIELD)
TENTH = Decimal("0.1")
STANDINGS = (rules.REACHED, rules.ON_TRACK, rules.BEHIND, rules.FAR_BEHIND, rules.MISSED)


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


# People per statement when refreshing: under SQLite's limit of variables in one query.
CHUNK = 5000


def refresh_hours(person_ids: Iterable[int], years: Iterable[int]) -> None:
    """Recompute the ``YearHours`` of ``person_ids`` in ``years`` from their completions (not revoked) and
    imported hours; call it in the transaction that changed them."""
    ids, years = sorted(set(person_ids)), sorted(set(years))
    for start in range(0, len(ids) if years else 0, CHUNK):
        rebuild_hours(Q(person_id__in=ids[start : start + CHUNK]), years)


def rebuild_hours(people: Q | None = None, years: list[int] | None = None, models=None) -> None:
    """Recompute the ``YearHours`` of ``people`` (every person by default) in ``years`` (every year by
    default). ``models`` (completion, external hours, year hours) are the migration's historical ones."""
    completion, external, year_hours = models or (Completion, ExternalHours, YearHours)
    people = people or Q()
    sources = [completion.objects.filter(people, revoked_at__isnull=True), external.objects.filter(people)]
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for index, rows in enumerate(sources):
        if years is not None:
            rows = rows.filter(completed_on__year__in=years)
        grouped = rows.order_by().annotate(year=ExtractYear("completed_on")).values("person_id", "year")
        for row in grouped.annotate(total=Sum("hours")):
            totals[row["person_id"], row["year"]][index] = row["total"]
    stale = year_hours.objects.filter(people)
    (stale.filter(year__in=years) if years is not None else stale).delete()
    year_hours.objects.bulk_create(
        (
            year_hours(
                person_id=person, year=year, platform_hours=own, imported_hours=other, hours=own + other
            )
            for (person, year), (own, other) in totals.items()
        ),
        batch_size=CHUNK,
    )


@cache
def thresholds(today: date, year: int) -> tuple[Decimal | None, Decimal]:
    """The least hours (in tenths) that are on track, and the least that are not far behind, on ``today``.
    None for the first when no amount under 40 is on track (a closed or not yet begun year)."""
    tenths = [Decimal(n) * TENTH for n in range(int(rules.TARGET_HOURS / TENTH))]
    on_track = next((h for h in tenths if rules.standing(h, today, year) == rules.ON_TRACK), None)
    not_far = next(
        (h for h in tenths if rules.standing(h, today, year) != rules.FAR_BEHIND), rules.TARGET_HOURS
    )
    return on_track, not_far


def standing_case(today: date, year: int) -> Case:
    """``rules.ledger.standing`` of the annotation ``hours``, as SQL."""
    on_track, not_far = thresholds(today, year)
    whens = [When(hours__gte=rules.TARGET_HOURS, then=Value(rules.REACHED))]
    if today.year > year:
        whens.append(When(hours__lt=rules.TARGET_HOURS, then=Value(rules.MISSED)))
    if on_track is not None:
        whens.append(When(hours__gte=on_track, then=Value(rules.ON_TRACK)))
    whens.append(When(hours__lt=not_far, then=Value(rules.FAR_BEHIND)))
    return Case(*whens, default=Value(rules.BEHIND), output_field=CharField())


def with_hours(people: QuerySet, year: int, today: date | None = None) -> QuerySet:
    """``people`` annotated with ``platform_hours``, ``imported_hours``, ``hours`` (their sum) and ``standing``
    of ``year`` on ``today``."""
    today = today or date.today()
    return people.annotate(
        of_year=FilteredRelation("year_hours", condition=Q(year_hours__year=year)),
        platform_hours=Coalesce(F("of_year__platform_hours"), ZERO),
        imported_hours=Coalesce(F("of_year__imported_hours"), ZERO),
        hours=Coalesce(F("of_year__hours"), ZERO),
    ).annotate(standing=standing_case(today, year))


def forecast(person, year: int, today: date | None = None) -> Decimal:
    """The forecast of an annotated person (``with_hours``) for the end of ``year``."""
    return rules.forecast(person.hours, today or date.today(), year)


def ledger_for(user, year: int, today: date | None = None) -> QuerySet:
    """The people ``user`` reads (``StaffMember.objects.for_user``), in service, with their hours of ``year``:
    a Comune's referent its staff, the Province's training office its own and its territory's, a person its
    own record."""
    people = StaffMember.objects.for_user(user).filter(active=True).select_related("organization")
    return with_hours(people, year, today)


@dataclass(frozen=True)
class Summary:
    """An organisation's (or territory's) year: people, those at 40 hours, those far behind."""

    people: int
    reached: int
    far_behind: int
    hours: Decimal

    @property
    def reached_share(self) -> Decimal:
        """The share of people at 40 hours, in percent with one decimal (0 with nobody)."""
        if not self.people:
            return Decimal(0)
        return (Decimal(self.reached) * 100 / self.people).quantize(TENTH)


def standing_filter(people: QuerySet, standing: str, year: int, today: date | None = None) -> QuerySet:
    """``people`` (annotated by ``with_hours``) of one ``standing``, as ranges of hours: cheaper for the
    database than comparing the CASE of each row."""
    today = today or date.today()
    on_track, not_far = thresholds(today, year)
    closed = today.year > year
    target = rules.TARGET_HOURS
    if standing == rules.REACHED:
        return people.filter(hours__gte=target)
    if standing == rules.MISSED and closed:
        return people.filter(hours__lt=target)
    if standing == rules.ON_TRACK and on_track is not None:
        return people.filter(hours__gte=on_track, hours__lt=target)
    if standing == rules.FAR_BEHIND:
        return people.filter(hours__lt=not_far)
    if standing == rules.BEHIND and not closed:
        return people.filter(hours__gte=not_far, hours__lt=on_track if on_track is not None else target)
    return people.none()


# Each person's hours of the year joined once; the counts read them. The far behind are those under the threshold of thresholds(): 0 for a
# closed year or one not begun, so nobody. The thresholds are cast: SQLite receives decimals as text.
SUMMARY_SQL = """
SELECT {grouped} AS grouped, COUNT(*) AS people,
       COUNT(*) FILTER (WHERE hours >= CAST(%s AS NUMERIC)) AS reached,
       COUNT(*) FILTER (WHERE hours < CAST(%s AS NUMERIC)) AS far_behind,
       COALESCE(SUM(hours), 0) AS total_hours
FROM (
    SELECT people.*, COALESCE(totals.hours, 0) AS hours
    FROM ({people}) AS people
    LEFT JOIN {year_hours} AS totals ON totals.person_id = people.id AND totals.year = %s
) AS person_hours
{group_by}
"""


def _summaries(people: QuerySet, field: str | None, year: int, today: date | None) -> list[tuple]:
    today = today or date.today()
    _on_track, not_far = thresholds(today, year)
    people = people.order_by()
    if field:
        people = people.annotate(grouped=F(field)).values("id", "grouped")
        grouped, group_by = "grouped", "GROUP BY grouped ORDER BY grouped"
    else:
        people = people.values("id")
        grouped, group_by = "NULL", ""
    people_sql, people_params = people.query.sql_with_params()
    sql = SUMMARY_SQL.format(
        grouped=grouped,
        people=people_sql,
        year_hours=connection.ops.quote_name(YearHours._meta.db_table),
        group_by=group_by,
    )
    with connection.cursor() as cursor:
        # The query parameters in the order of the text.
        cursor.execute(sql, (rules.TARGET_HOURS, not_far, *people_params, year))
        return [
            (key, Summary(count, reached, far_behind, Decimal(total).quantize(TENTH)))
            for key, count, reached, far_behind, total in cursor.fetchall()
        ]


def summary(people: QuerySet, year: int, today: date | None = None) -> Summary:
    """The summary of ``people`` (one query)."""
    rows = _summaries(people, None, year, today)
    return rows[0][1] if rows else Summary(0, 0, 0, Decimal(0))


def summary_by(
    people: QuerySet, field: str, year: int, today: date | None = None
) -> list[tuple[int, Summary]]:
    """The summary of ``people`` per value of ``field`` (``organization`` or ``organization__province``),
    one query."""
    return _summaries(people, field, year, today)


def organisation_summaries(user, year: int, today: date | None = None) -> list[tuple[int, Summary]]:
    """Per organisation the user reads (a Comune its own; a Province its own and its territory's)."""
    people = StaffMember.objects.for_user(user).filter(active=True)
    return summary_by(people, "organization", year, today)


def province_summaries(user, year: int, today: date | None = None) -> list[tuple[int, Summary]]:
    """For UPI only: the summary of each Province's territory (no person in sight); nothing for others."""
    if tenancy.as_upi(user) is None:
        return []
    people = StaffMember.objects.filter(active=True).exclude(organization__kind=OrganizationKind.OPERATOR)
    return summary_by(people, "organization__province", year, today)
