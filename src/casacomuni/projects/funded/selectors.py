"""Reads of funded projects that are more than a filter: their totals, one query for any number of projects
(a correlated subquery per sum)."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from casacomuni.projects.funded.models import (
    BudgetLine,
    Expense,
    Financing,
    FinancingSource,
    Movement,
    MovementKind,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def sum_of(queryset, relation: str, field: str = "amount"):
    """The sum of ``field`` over ``queryset``'s rows whose ``relation`` is the outer project, or 0."""
    rows = (
        queryset.filter(**{relation: OuterRef("pk")})
        .order_by()
        .values(relation)
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), ZERO)


def annotate_totals(queryset):
    """``fin_<source>`` for each financing source, ``fin_total``, ``fin_public`` (all but private),
    ``budget_total`` (the cost plan), ``commitments``, ``payments`` and ``expenses_total`` on each project."""
    annotations = {
        f"fin_{source}": sum_of(Financing.objects.filter(source=source), "project")
        for source in FinancingSource.values
    }
    annotations["fin_total"] = sum_of(Financing.objects.all(), "project")
    annotations["fin_public"] = sum_of(Financing.objects.exclude(source=FinancingSource.PRIVATE), "project")
    annotations["budget_total"] = sum_of(BudgetLine.objects.all(), "project")
    annotations["commitments"] = sum_of(Movement.objects.filter(kind=MovementKind.COMMITMENT), "project")
    annotations["payments"] = sum_of(Movement.objects.filter(kind=MovementKind.PAYMENT), "project")
    annotations["expenses_total"] = sum_of(Expense.objects.all(), "period__project")
    return queryset.annotate(**annotations)
