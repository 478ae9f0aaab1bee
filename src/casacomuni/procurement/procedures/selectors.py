"""Aggregates of the SUA procedures for the dashboards, the card and the statistics API.

Every function is one aggregate query (GROUP BY in the database) whatever the number of procedures, and
portable: durations are date differences computed by Django's expressions on SQLite and PostgreSQL alike.
The callers pass querysets already scoped by the tenancy policy (``scope``).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, TruncDate

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES, OrganizationKind, Role
from casacomuni.lib import identifiers
from casacomuni.procurement.procedures.models import Lot, LotState, Procedure, ProcedureState
from casacomuni.procurement.requests.models import ProcurementRequest, RequestState

DASHBOARD_ROLES = (*SUA_ROLES, *LOCAL_ROLES)
NATIONAL_ROLES = (Role.UPI_ADMIN,)
IN_PROGRESS_STATES = (
    ProcedureState.PUBLISHED,
    ProcedureState.BIDS_OPEN,
    ProcedureState.BIDS_CLOSED,
    ProcedureState.EVALUATION,
    ProcedureState.PROPOSED_AWARD,
)
CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Scope:
    """What a dashboard reads: the procedures, lots and requests of a Province's SUA, or of a Comune."""

    organization: Organization
    is_province: bool
    procedures: QuerySet
    lots: QuerySet
    requests: QuerySet


def scope(user) -> Scope:
    """The user's rows, through the tenancy policy: a Province's SUA its own; a Comune its lots only."""
    membership = tenancy.acting_membership(user)
    org = membership.organization
    requests = ProcurementRequest.objects.for_user(user)
    procedures = Procedure.objects.for_user(user)
    lots = Lot.objects.for_user(user)
    return Scope(org, org.kind == OrganizationKind.PROVINCE, procedures, lots, requests)


def province_scope(org: Organization) -> Scope:
    """A Province's SUA rows, for UPI or the API (the caller has checked the right to read them)."""
    return Scope(
        org,
        True,
        Procedure.objects.filter(province=org),
        Lot.objects.filter(procedure__province=org),
        ProcurementRequest.objects.filter(province=org),
    )


def filtered(scope_: Scope, municipality: Organization | None = None, procedure_type: str = "") -> Scope:
    """The scope narrowed to one Comune's (Unione's) lots and to one kind of procedure.

    A procedure counts for a Comune when one of its lots is the Comune's. Requests have no kind of procedure
    until the SUA takes them up, so the kind does not narrow them."""
    procedures, lots, requests = scope_.procedures, scope_.lots, scope_.requests
    if municipality is not None:
        lots = lots.filter(municipality=municipality)
        procedures = procedures.filter(
            pk__in=Lot.objects.filter(municipality=municipality).values("procedure")
        )
        requests = requests.filter(municipality=municipality)
    if procedure_type:
        procedures = procedures.filter(procedure_type=procedure_type)
        lots = lots.filter(procedure__procedure_type=procedure_type)
    return replace(scope_, procedures=procedures, lots=lots, requests=requests)


def counts_by(queryset: QuerySet, field: str, choices) -> list[dict]:
    """Rows per value of ``field`` in the order of ``choices`` (zeros left out), and their labels."""
    counts = dict(queryset.order_by().values_list(field).annotate(count=Count("pk")))
    return [
        {"code": value, "label": label, "count": counts[value]}
        for value, label in choices
        if counts.get(value)
    ]


def procedures_by_state(procedures: QuerySet) -> list[dict]:
    return counts_by(procedures, "state", ProcedureState.choices)


def requests_by_state(requests: QuerySet) -> list[dict]:
    return counts_by(requests, "state", RequestState.choices)


def award_totals(lots: QuerySet, year: int | None = None) -> dict:
    """Lots awarded (in ``year`` when given): how many, base and awarded totals, savings € and %."""
    awarded = lots.filter(state=LotState.AWARDED, awarded_amount__isnull=False)
    if year is not None:
        awarded = awarded.filter(award_date__year=year)
    totals = awarded.aggregate(
        lots=Count("pk"),
        base=Sum("base_amount"),
        awarded=Sum("awarded_amount"),
        contracts=Count("pk", filter=Q(contract_date__isnull=False)),
    )
    return with_savings(totals)


def awards_by_month(lots: QuerySet, year: int) -> list[dict]:
    """The twelve months of ``year``: lots awarded (by award date), base and awarded totals, savings. One
    query, grouped by month in the database."""
    grouped = {
        row["month"]: row
        for row in lots.filter(state=LotState.AWARDED, awarded_amount__isnull=False, award_date__year=year)
        .order_by()
        .annotate(month=ExtractMonth("award_date"))
        .values("month")
        .annotate(lots=Count("pk"), base=Sum("base_amount"), awarded=Sum("awarded_amount"))
    }
    months = []
    for month in range(1, 13):
        row = grouped.get(month, {})
        months.append(
            with_savings(
                {
                    "month": month,
                    "lots": row.get("lots", 0),
                    "base": row.get("base"),
                    "awarded": row.get("awarded"),
                }
            )
        )
    return months


def with_savings(totals: dict) -> dict:
    base, awarded = totals.get("base") or ZERO, totals.get("awarded") or ZERO
    totals["base"], totals["awarded"] = base, awarded
    totals["savings"] = base - awarded
    totals["savings_percent"] = (totals["savings"] * 100 / base).quantize(CENT) if base else None
    return totals


def day_span(later: str, earlier: str) -> ExpressionWrapper:
    """For DateField operands (no truncation needed)."""
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def as_days(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))
    # Some backends give the average as microseconds.
    return (Decimal(value) / Decimal(86_400_000_000)).quantize(Decimal("0.1"))


def duration_expressions() -> dict:
    """Per lot, in days: request → publication, publication → award, award → contract, request → award."""
    published = TruncDate("procedure__published_at")
    requested = TruncDate("request__submitted_at")
    return {
        "request_to_publication": (
            ExpressionWrapper(published - requested, output_field=DurationField()),
            Q(request__isnull=False, procedure__published_at__isnull=False),
        ),
        "publication_to_award": (
            ExpressionWrapper(F("award_date") - published, output_field=DurationField()),
            Q(award_date__isnull=False, procedure__published_at__isnull=False),
        ),
        "award_to_contract": (
            day_span("contract_date", "award_date"),
            Q(award_date__isnull=False, contract_date__isnull=False),
        ),
        "request_to_award": (
            ExpressionWrapper(F("award_date") - requested, output_field=DurationField()),
            Q(award_date__isnull=False, request__isnull=False),
        ),
    }


def median_days(lots: QuerySet, name: str = "request_to_award") -> Decimal | None:
    """The median days per lot of a step (see ``duration_expressions``), the figure the issue asks of the SUA:
    two queries (how many, then the one or two in the middle), whatever the number of lots."""
    expression, condition = duration_expressions()[name]
    ordered = lots.filter(condition).annotate(days=expression).order_by("days").values_list("days", flat=True)
    count = ordered.count()
    if not count:
        return None
    middle = [as_days(value) for value in ordered[(count - 1) // 2 : count // 2 + 1]]
    return (sum(middle) / len(middle)).quantize(Decimal("0.1"))


def lot_figures(lots: QuerySet, year: int, with_comuni: bool = True) -> dict:
    """In one scan of the lots: the awards of ``year`` and of all time (``award_totals``), the average
    durations of each step and, when asked, the Comuni served."""
    awarded = Q(state=LotState.AWARDED, awarded_amount__isnull=False)
    in_year = awarded & Q(award_date__year=year)
    signed = Q(contract_date__isnull=False)
    aggregates = {}
    for prefix, condition in (("year", in_year), ("all", awarded)):
        aggregates[f"{prefix}_lots"] = Count("pk", filter=condition)
        aggregates[f"{prefix}_base"] = Sum("base_amount", filter=condition)
        aggregates[f"{prefix}_awarded"] = Sum("awarded_amount", filter=condition)
        aggregates[f"{prefix}_contracts"] = Count("pk", filter=condition & signed)
    for name, (expression, condition) in duration_expressions().items():
        aggregates[f"days_{name}"] = Avg(expression, filter=condition)
    if with_comuni:
        aggregates["comuni"] = Count("municipality", distinct=True)
    row = lots.aggregate(**aggregates)

    def totals(prefix):
        keys = ("lots", "base", "awarded", "contracts")
        return with_savings({key: row[f"{prefix}_{key}"] for key in keys})

    return {
        "awarded_in_year": totals("year"),
        "awarded_all_time": totals("all"),
        "durations": {name: as_days(row[f"days_{name}"]) for name in duration_expressions()},
        "comuni_served": row["comuni"] if with_comuni else None,
    }


def top_cpv(lots: QuerySet, limit: int = 5) -> list[dict]:
    rows = (
        lots.order_by()
        .values("cpv")
        .annotate(lots=Count("pk"), base=Sum("base_amount"))
        .order_by("-lots", "-base", "cpv")[:limit]
    )
    vocabulary = identifiers.cpv_vocabulary()
    return [{**row, "description": vocabulary.get(row["cpv"], "")} for row in rows]


def deadlines_between(procedures: QuerySet, start: date, end: date) -> list:
    """Procedures taking offers whose deadline falls between ``start`` and ``end`` (at most 20)."""
    return list(
        procedures.filter(
            state__in=(ProcedureState.PUBLISHED, ProcedureState.BIDS_OPEN),
            bid_deadline__date__gte=start,
            bid_deadline__date__lte=end,
        )
        .only("pk", "title", "bid_deadline", "state")
        .order_by("bid_deadline", "pk")[:20]
    )


def in_progress(procedures: QuerySet) -> int:
    return procedures.filter(state__in=IN_PROGRESS_STATES).count()


def national_rows(year: int | None) -> tuple[list[dict], dict]:
    """One row per Province with a SUA organisation (procedures, lots awarded, awarded value, savings, average
    days publication → award), and the national totals: three queries whatever the data."""
    provinces = list(
        Organization.objects.filter(kind=OrganizationKind.PROVINCE, is_active=True)
        .select_related("province")
        .order_by("province__name", "name")
    )
    procedures = Procedure.objects.exclude(state=ProcedureState.DRAFT)
    if year is not None:
        procedures = procedures.filter(published_at__year=year)
    procedure_counts = dict(procedures.order_by().values_list("province").annotate(count=Count("pk")))
    lots = Lot.objects.filter(state=LotState.AWARDED, awarded_amount__isnull=False)
    if year is not None:
        lots = lots.filter(award_date__year=year)
    published = TruncDate("procedure__published_at")
    lot_rows = {
        row["procedure__province"]: row
        for row in lots.order_by()
        .values("procedure__province")
        .annotate(
            lots=Count("pk"),
            base=Sum("base_amount"),
            awarded=Sum("awarded_amount"),
            days=Avg(
                ExpressionWrapper(F("award_date") - published, output_field=DurationField()),
                filter=Q(procedure__published_at__isnull=False),
            ),
        )
    }
    rows = []
    for org in provinces:
        lot_row = lot_rows.get(org.pk, {})
        row = with_savings(
            {
                "organization": org,
                "procedures": procedure_counts.get(org.pk, 0),
                "lots": lot_row.get("lots", 0),
                "base": lot_row.get("base"),
                "awarded": lot_row.get("awarded"),
            }
        )
        row["average_days"] = as_days(lot_row.get("days"))
        rows.append(row)
    totals = with_savings(
        {
            "procedures": sum(row["procedures"] for row in rows),
            "lots": sum(row["lots"] for row in rows),
            "base": sum((row["base"] for row in rows), ZERO),
            "awarded": sum((row["awarded"] for row in rows), ZERO),
        }
    )
    weighted = [(row["average_days"], row["lots"]) for row in rows if row["average_days"] is not None]
    total_lots = sum(count for _days, count in weighted)
    totals["average_days"] = (
        (sum(days * count for days, count in weighted) / total_lots).quantize(Decimal("0.1"))
        if total_lots
        else None
    )
    return rows, totals


def summary(scope_: Scope, today: date, year: int | None = None) -> dict:
    """The dashboard's figures for a scope, the awards of ``year`` (default: this year) among them: eight
    queries whatever the number of procedures."""
    year = year or today.year
    figures = lot_figures(scope_.lots, year, with_comuni=scope_.is_province)
    return {
        "awards_by_month": awards_by_month(scope_.lots, year),
        "procedures_by_state": procedures_by_state(scope_.procedures),
        "requests_by_state": requests_by_state(scope_.requests),
        "awarded_this_year": figures["awarded_in_year"],
        "awarded_all_time": figures["awarded_all_time"],
        "durations": figures["durations"],
        "median_request_to_award": median_days(scope_.lots),
        "comuni_served": figures["comuni_served"],
        "top_cpv": top_cpv(scope_.lots),
        "deadlines": deadlines_between(scope_.procedures, today, today + timedelta(days=7)),
    }
