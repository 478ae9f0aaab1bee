"""Reads of the office's results: the figures of a Province, a Comune (Unione) and the country.

Every function costs a fixed number of queries whatever the number of rows (aggregates grouped in the
database); the arithmetic of the indicators is in ``rules.kpis``.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.projects.applications.models import Application, ApplicationPartner
from casacomuni.projects.funded.selectors import ZERO
from casacomuni.projects.rules import kpis, pipeline
from casacomuni.territory.models import Municipality

# Applications that reached the design of a project (see rules.kpis).
APPLIED = (pipeline.DESIGNING, *pipeline.FILED)


def period_bounds(year: int | None) -> tuple[date, date] | None:
    return (date(year, 1, 1), date(year, 12, 31)) if year else None


def applications_in(year: int | None):
    queryset = Application.objects.all()
    return queryset.filter(created_at__year=year) if year else queryset


def calls_open_in(year: int | None):
    """Calls of the catalogue open at some time in ``year`` (every call without a year)."""
    from casacomuni.eufunds.models import Call

    calls = Call.objects.all()
    bounds = period_bounds(year)
    if bounds:
        start, end = bounds
        calls = calls.filter(Q(opens_on__isnull=True) | Q(opens_on__lte=end)).filter(
            Q(deadline__isnull=True) | Q(deadline__date__gte=start)
        )
    return calls


PIPELINE_FIGURES = {
    "interests": Count("pk"),
    "applications": Count("pk", filter=Q(status__in=APPLIED)),
    "submitted": Count("pk", filter=Q(status__in=pipeline.FILED)),
    "funded": Count("pk", filter=Q(status=pipeline.FUNDED)),
    "not_funded": Count("pk", filter=Q(status=pipeline.NOT_FUNDED)),
    "requested": Coalesce(Sum("requested_amount", filter=Q(status__in=pipeline.FILED)), ZERO),
    "granted": Coalesce(Sum("granted_amount", filter=Q(status=pipeline.FUNDED)), ZERO),
}


def served_municipalities(applications):
    """Comuni that lead or partner one of ``applications``, themselves or through a Unione they belong to."""
    led = applications.values("lead_id")
    partnered = ApplicationPartner.objects.filter(
        application__in=applications, organization__isnull=False
    ).values("organization_id")
    parties = Organization.objects.filter(Q(pk__in=led) | Q(pk__in=partnered))
    return Municipality.objects.filter(
        Q(organization__in=parties)
        | Q(pk__in=parties.filter(kind=OrganizationKind.UNION).values("member_municipalities"))
    )


def province_counts(year: int | None = None, provinces=None) -> dict[int, kpis.Counts]:
    """Counts per Province (territory Province id -> Counts) in seven queries, for ``provinces`` (ids of
    territory Provinces) or all of them."""
    applications = applications_in(year)
    municipalities = Municipality.objects.current()
    if provinces is not None:
        provinces = list(provinces)
        applications = applications.filter(province__province_id__in=provinces)
        municipalities = municipalities.filter(province_id__in=provinces)
    figures = {
        row["province__province_id"]: row
        for row in applications.order_by().values("province__province_id").annotate(**PIPELINE_FIGURES)
    }
    territory = {
        row["province_id"]: row
        for row in municipalities.order_by()
        .values("province_id")
        .annotate(
            inhabitants=Coalesce(Sum("population"), 0),
            small_total=Count("pk", filter=Q(population__lt=kpis.SMALL_COMUNE_POPULATION)),
        )
    }
    served = {
        row["province_id"]: row
        for row in served_municipalities(applications)
        .filter(pk__in=municipalities.values("pk"))
        .order_by()
        .values("province_id")
        .annotate(
            served=Count("pk", distinct=True),
            small=Count("pk", distinct=True, filter=Q(population__lt=kpis.SMALL_COMUNE_POPULATION)),
        )
    }
    open_calls = calls_open_in(year)
    national_calls = open_calls.filter(province__isnull=True).count()
    own_calls = dict(
        open_calls.filter(province__isnull=False)
        .order_by()
        .values("province_id")
        .annotate(n=Count("pk"))
        .values_list("province_id", "n")
    )
    # Calls with an application of the territory that were not open in the period (or are another
    # Province's own): screened too.
    extra_calls = dict(
        applications.exclude(call__in=open_calls)
        .order_by()
        .values("province__province_id")
        .annotate(n=Count("call", distinct=True))
        .values_list("province__province_id", "n")
    )
    keys = provinces if provinces is not None else set(territory) | set(figures)
    result = {}
    for key in keys:
        row = figures.get(key, {})
        result[key] = kpis.Counts(
            calls_screened=national_calls + own_calls.get(key, 0) + extra_calls.get(key, 0),
            interests=row.get("interests", 0),
            applications=row.get("applications", 0),
            submitted=row.get("submitted", 0),
            funded=row.get("funded", 0),
            not_funded=row.get("not_funded", 0),
            requested=row.get("requested", Decimal("0")),
            granted=row.get("granted", Decimal("0")),
            population=territory.get(key, {}).get("inhabitants", 0),
            comuni_served=served.get(key, {}).get("served", 0),
            small_served=served.get(key, {}).get("small", 0),
            small_total=territory.get(key, {}).get("small_total", 0),
        )
    return result


def province_results(province_org: Organization, year: int | None = None) -> kpis.Results:
    counts = province_counts(year, [province_org.province_id])[province_org.province_id]
    return kpis.results(counts)


def party_municipalities(party: Organization):
    """The comuni a Comune or Unione stands for."""
    if party.kind == OrganizationKind.UNION:
        return party.member_municipalities.all()
    return Municipality.objects.filter(pk=party.municipality_id)


def party_results(party: Organization, year: int | None = None) -> kpis.Results:
    """A Comune's (Unione's) figures: the applications it leads; served when it leads or partners one."""
    applications = applications_in(year)
    led = applications.filter(lead=party)
    figures = led.aggregate(**PIPELINE_FIGURES)
    involved = applications.filter(
        Q(lead=party)
        | Q(pk__in=ApplicationPartner.objects.filter(organization=party).values("application_id"))
    )
    own = party_municipalities(party)
    territory = own.aggregate(
        inhabitants=Coalesce(Sum("population"), 0),
        small_total=Count("pk", filter=Q(population__lt=kpis.SMALL_COMUNE_POPULATION)),
    )
    has_any = involved.exists()
    calls = calls_open_in(year).filter(Q(province__isnull=True) | Q(province_id=party.province_id))
    screened = calls.count() + involved.exclude(call__in=calls).values("call").distinct().count()
    counts = kpis.Counts(
        calls_screened=screened,
        interests=figures["interests"],
        applications=figures["applications"],
        submitted=figures["submitted"],
        funded=figures["funded"],
        not_funded=figures["not_funded"],
        requested=figures["requested"],
        granted=figures["granted"],
        population=territory["inhabitants"],
        comuni_served=own.count() if has_any else 0,
        small_served=territory["small_total"] if has_any else 0,
        small_total=territory["small_total"],
    )
    return kpis.results(counts)


def results_by_lead(province_org: Organization, year: int | None = None) -> list[dict]:
    """The Province's applications grouped by lead Comune (Unione): one row per lead, one query."""
    rows = (
        applications_in(year)
        .filter(province=province_org)
        .order_by()
        .values("lead_id", "lead__name", "lead__municipality__population")
        .annotate(**PIPELINE_FIGURES)
        .order_by("lead__name")
    )
    return [
        row | {"results": kpis.results(kpis.Counts(**{k: row[k] for k in PIPELINE_FIGURES}))} for row in rows
    ]


def national_results(year: int | None = None) -> list[dict]:
    """UPI's table: one row per Province (every Province of the territory), in seven queries."""
    from casacomuni.territory.models import Province

    counts = province_counts(year)
    provinces = Province.objects.order_by("name").only("pk", "name", "sigla")
    rows = []
    for province in provinces:
        count = counts.get(province.pk) or kpis.Counts(calls_screened=0)
        rows.append({"province": province, "results": kpis.results(count)})
    return rows


def national_total(rows: list[dict], year: int | None = None) -> kpis.Results:
    """The whole country: the Provinces' counts summed, the calls screened counted once."""
    total = kpis.combine(row["results"].counts for row in rows)
    applications = applications_in(year)
    open_calls = calls_open_in(year)
    screened = (
        open_calls.count() + applications.exclude(call__in=open_calls).values("call").distinct().count()
    )
    return kpis.results(kpis.Counts(**(vars(total) | {"calls_screened": screened})))
