"""The training figures of a year, per organisation or per Province: hours delivered, people trained,
completion rate, satisfaction, needs covered and the share of staff at 40 hours (``ledger``'s summaries).

Each figure is one aggregate query grouped by the rows' key, whatever the number of people, editions or
rows: a dashboard costs a fixed number of queries. The totals add up the rows (counts and sums of hours
already computed in SQL): each person, need and enrolment belongs to exactly one row.

Which rows and people a reader gets is ``Scope``'s business (``scope_for``): a Comune's (Unione's) referent
its own organisation, a Province's training office the Province and each organisation of its territory, UPI
one row per Province. UPI reads counts only, never a person.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, When
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES, OrganizationKind, Role
from casacomuni.training import ledger
from casacomuni.training.models import (
    Completion,
    Edition,
    EditionState,
    Enrolment,
    EnrolmentState,
    Need,
    PlanItem,
    SatisfactionResponse,
    StaffMember,
)
from casacomuni.training.satisfaction import two_places

COMUNE, PROVINCE, NATIONAL = "comune", "province", "national"


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; None when there is no whole to speak of."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(ledger.TENTH)


@dataclass(frozen=True)
class Satisfaction:
    """The average of the satisfaction answers of a row (on the questionnaire's scale) and how many."""

    average: Decimal
    answers: int


def satisfaction_by(enrolments: QuerySet, key: str) -> dict[int, Satisfaction]:
    """The overall rating the ``enrolments`` gave in the satisfaction questionnaire of their edition
    (``training.satisfaction``), averaged per value of ``key`` (a path from Enrolment, for example
    ``person__organization``): one aggregate query, rows without answers left out."""
    group = f"enrolment__{key}"
    rows = (
        SatisfactionResponse.objects.filter(enrolment__in=enrolments)
        .values(group)
        .annotate(average=Avg("overall"), answers=Count("pk"))
        .order_by()
    )
    return {row[group]: Satisfaction(two_places(row["average"]), row["answers"]) for row in rows}


NO_STAFF = ledger.Summary(0, 0, 0, Decimal(0))


@dataclass(frozen=True)
class Row:
    """The figures of one organisation (or Province) for a year."""

    key: int | None
    name: str
    hours: Decimal = Decimal(0)
    trained: int = 0
    enrolled: int = 0
    completed: int = 0
    needs: int = 0
    needs_covered: int = 0
    staff: ledger.Summary = NO_STAFF
    satisfaction: Satisfaction | None = None

    @property
    def completion_rate(self) -> Decimal | None:
        return percent(self.completed, self.enrolled)

    @property
    def needs_covered_share(self) -> Decimal | None:
        return percent(self.needs_covered, self.needs)

    @property
    def reached_share(self) -> Decimal | None:
        return percent(self.staff.reached, self.staff.people)


@dataclass(frozen=True)
class Scope:
    """What a dashboard counts: ``people`` (staff) grouped by ``key`` (a path from StaffMember), ``needs``
    grouped by ``need_key`` (a path from Need) to the same values, and the rows' keys and names."""

    level: str
    people: QuerySet
    key: str
    needs: QuerySet
    need_key: str
    rows: QuerySet  # values_list of (key, name)


def territory_organizations(office) -> QuerySet:
    """The Province's own organisation first, then the Comuni and Unioni of its territory by name."""
    return (
        Organization.objects.filter(province_id=office.province_id)
        .exclude(kind__in=(OrganizationKind.OPERATOR, OrganizationKind.UPI))
        .order_by(Case(When(kind=OrganizationKind.PROVINCE, then=0), default=1), "name")
    )


def comune_scope(user) -> Scope:
    """A Comune's (Unione's) referent: its own organisation."""
    party = tenancy.as_local_party(user)
    if party is None or not tenancy.has_role(user, Role.MUNICIPALITY_REFERENT):
        raise PermissionDenied
    rows = Organization.objects.filter(pk=party.pk).values_list("pk", "name")
    people = StaffMember.objects.filter(organization=party)
    needs = Need.objects.filter(organization=party)
    return Scope(COMUNE, people, "organization", needs, "organization", rows)


def province_scope(user) -> Scope:
    """A Province's training office: the Province and each organisation of its territory."""
    office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
    if office is None:
        raise PermissionDenied
    rows = territory_organizations(office).values_list("pk", "name")
    people = StaffMember.objects.for_user(user)
    return Scope(PROVINCE, people, "organization", Need.objects.filter(province=office), "organization", rows)


def national_scope(user) -> Scope:
    """UPI: one row per Province on the platform, keyed by its territory."""
    if tenancy.as_upi(user) is None:
        raise PermissionDenied
    rows = Organization.objects.filter(kind=OrganizationKind.PROVINCE).order_by("name")
    people = StaffMember.objects.exclude(organization__kind=OrganizationKind.OPERATOR)
    return Scope(
        NATIONAL,
        people,
        "organization__province",
        Need.objects.all(),
        "province__province",
        rows.values_list("province_id", "name"),
    )


def ended_editions(year: int) -> QuerySet:
    """The editions (not cancelled) whose last session ended in ``year``."""
    editions = Edition.objects.exclude(state=EditionState.CANCELLED).annotate(last=Max("sessions__ends_at"))
    return editions.filter(last__year=year).values("pk")


def delivered_by(people: QuerySet, key: str, year: int) -> dict:
    """Per row: the hours of the completions of the year not revoked, and the people who completed one."""
    rows = (
        Completion.objects.filter(
            person__in=people.values("pk"),
            completed_on__range=ledger.year_range(year),
            revoked_at__isnull=True,
        )
        .values(row=F(f"person__{key}"))
        .annotate(hours=Sum("hours"), trained=Count("person", distinct=True))
        .order_by()
    )
    return {row["row"]: row for row in rows}


def completion_by(enrolments: QuerySet, key: str) -> dict:
    """Per row: people enrolled in ``enrolments`` (editions ended in the year), and those who completed."""
    completed = Q(completion__isnull=False, completion__revoked_at__isnull=True)
    rows = (
        enrolments.values(row=F(f"person__{key}"))
        .annotate(enrolled=Count("pk"), completed=Count("pk", filter=completed))
        .order_by()
    )
    return {row["row"]: row for row in rows}


def needs_by(needs: QuerySet, key: str, year: int) -> dict:
    """Per row: the needs of the year, and those a module of a plan answers."""
    answered = Exists(PlanItem.needs.through.objects.filter(need=OuterRef("pk")))
    rows = (
        needs.filter(year=year)
        .values(row=F(key))
        .annotate(needs=Count("pk"), covered=Count("pk", filter=answered))
        .order_by()
    )
    return {row["row"]: row for row in rows}


def figures(scope: Scope, year: int, today: date | None = None) -> tuple[list[Row], Row]:
    """The rows of ``scope`` for ``year`` and their total: six queries."""
    delivered = delivered_by(scope.people, scope.key, year)
    enrolments = Enrolment.objects.filter(
        person__in=scope.people.values("pk"), state=EnrolmentState.ENROLLED, edition__in=ended_editions(year)
    )
    completion = completion_by(enrolments, scope.key)
    needs = needs_by(scope.needs, scope.need_key, year)
    staff = dict(ledger.summary_by(scope.people.filter(active=True), scope.key, year, today))
    satisfaction = satisfaction_by(enrolments, f"person__{scope.key}")
    rows = []
    for key, name in scope.rows:
        done, rate, need = delivered.get(key, {}), completion.get(key, {}), needs.get(key, {})
        rows.append(
            Row(
                key=key,
                name=name,
                hours=Decimal(done.get("hours") or 0).quantize(ledger.TENTH),
                trained=done.get("trained", 0),
                enrolled=rate.get("enrolled", 0),
                completed=rate.get("completed", 0),
                needs=need.get("needs", 0),
                needs_covered=need.get("covered", 0),
                staff=staff.get(key, NO_STAFF),
                satisfaction=satisfaction.get(key),
            )
        )
    return rows, total(rows)


def total(rows: list[Row]) -> Row:
    """The sum of the rows (a person, a need, an enrolment is in one row only)."""
    answered = [row.satisfaction for row in rows if row.satisfaction is not None]
    answers = sum(s.answers for s in answered)
    satisfaction = None
    if answers:
        average = sum(s.average * s.answers for s in answered) / answers
        satisfaction = Satisfaction(average.quantize(Decimal("0.01")), answers)
    return Row(
        key=None,
        name=str(_("Total")),
        hours=sum((row.hours for row in rows), Decimal(0)),
        trained=sum(row.trained for row in rows),
        enrolled=sum(row.enrolled for row in rows),
        completed=sum(row.completed for row in rows),
        needs=sum(row.needs for row in rows),
        needs_covered=sum(row.needs_covered for row in rows),
        staff=ledger.Summary(
            people=sum(row.staff.people for row in rows),
            reached=sum(row.staff.reached for row in rows),
            far_behind=sum(row.staff.far_behind for row in rows),
            hours=sum((row.staff.hours for row in rows), Decimal(0)),
        ),
        satisfaction=satisfaction,
    )
