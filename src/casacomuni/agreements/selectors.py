"""Reads of the agreements app that pages, the API, the dashboard and the reminders share.

Each function costs a fixed number of queries whatever the number of agreements, Comuni or Provinces.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db.models import Count, Q

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.agreements import services
from casacomuni.agreements.models import Adhesion, Agreement, Service, ServiceKind
from casacomuni.agreements.rules import costs, lifecycle
from casacomuni.territory.models import Municipality

# How far ahead the deadlines are announced (pages, dashboard and e-mail reminders).
EXPIRY_WARNING_DAYS = 90
NOTICE_WARNING_DAYS = 60

# The days before a deadline on which the parties are e-mailed (once each, not every day of the window).
REMINDER_DAYS = (90, 60, 30, 7, 1)

# States in which an agreement has bound its parties at some time, so its adhesions may cost something.
BOUND_STATES = (lifecycle.ACTIVE, lifecycle.EXPIRED, lifecycle.WITHDRAWN)


# --- Deadlines -------------------------------------------------------------------------------------------


def notice_deadline(agreement: Agreement) -> date:
    """The last day on which a party may give notice so that the agreement ends at its term."""
    return agreement.end_date - timedelta(days=agreement.notice_days)


def earliest_withdrawal(agreement: Agreement, notice_day: date) -> date:
    """The earliest day a withdrawal noticed on ``notice_day`` may take effect."""
    return lifecycle.earliest_withdrawal(notice_day, agreement.notice_days)


def expires_soon(agreement: Agreement, today: date) -> bool:
    return agreement.state == lifecycle.ACTIVE and today <= agreement.end_date <= today + timedelta(
        days=EXPIRY_WARNING_DAYS
    )


def notice_due_soon(agreement: Agreement, today: date) -> bool:
    deadline = notice_deadline(agreement)
    return agreement.state == lifecycle.ACTIVE and today <= deadline <= today + timedelta(
        days=NOTICE_WARNING_DAYS
    )


def with_deadlines(agreements, today: date) -> list[Agreement]:
    """Agreements as a list, each marked with ``expires_soon``, ``notice_due_soon`` and ``notice_deadline``."""
    marked = []
    for agreement in agreements:
        agreement.notice_deadline = notice_deadline(agreement)
        agreement.expires_soon = expires_soon(agreement, today)
        agreement.notice_due_soon = notice_due_soon(agreement, today)
        marked.append(agreement)
    return marked


def agreements_with_deadlines(queryset, today: date) -> list[Agreement]:
    """The active agreements of ``queryset`` that expire, or whose notice period closes, soon.

    The notice deadline (end date minus notice days) is computed here rather than in SQL, since date
    arithmetic with a column differs between SQLite and PostgreSQL: one query reads the active agreements
    that have not reached their term.
    """
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    candidates = queryset.filter(state=lifecycle.ACTIVE, end_date__gte=today)
    return [a for a in with_deadlines(candidates, today) if a.end_date <= horizon or a.notice_due_soon]


def reminder_due(agreement: Agreement, today: date) -> bool:
    """Whether today is one of the reminder days before the agreement's term or its notice deadline."""
    days_to_term = (agreement.end_date - today).days
    days_to_notice = (notice_deadline(agreement) - today).days
    return days_to_term in REMINDER_DAYS or days_to_notice in REMINDER_DAYS


# --- Costs -----------------------------------------------------------------------------------------------


def billable_adhesions(queryset, year: int):
    """Adhesions of agreements that bound their parties during ``year``, ready for ``yearly_cost``."""
    return (
        queryset.filter(
            agreement__state__in=BOUND_STATES,
            start_date__lte=date(year, 12, 31),
            agreement__end_date__gte=date(year, 1, 1),
        )
        .select_related("service", "agreement__municipality__municipality")
        .prefetch_related("agreement__municipality__member_municipalities")
        .order_by("service__name", "start_date")
    )


@dataclass
class CostLine:
    adhesion: Adhesion
    total: Decimal
    # Per procedure and percentage: the figure counts the procedures recorded so far; more may come.
    depends_on_usage: bool


USAGE_MODELS = (costs.PER_PROCEDURE, costs.PERCENTAGE)


@cache
def usage_providers() -> dict:
    """Service kind -> the function that reads what the Comuni used of it, from the app that runs it.

    The apps that run a service depend on this one (they ask its gate), so this one cannot read them: each
    offers, in a ``billing`` module, a ``USAGE`` dict of functions called as ``provider(party_ids, year)``
    that return, per party pk, the ``costs.Procedure`` to count in that year, in one query.
    """
    providers = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.billing"
        if find_spec(name) is not None:
            providers.update(import_module(name).USAGE)
    return providers


def recorded_usage(adhesions: list[Adhesion], year: int) -> dict[tuple[str, int], list[costs.Procedure]]:
    """(service kind, party pk) -> the procedures counted in ``year``: one query per kind of service billed
    by usage, whatever the number of adhesions."""
    parties = defaultdict(set)
    for adhesion in adhesions:
        if adhesion.service.cost_model in USAGE_MODELS:
            parties[adhesion.service.kind].add(adhesion.agreement.municipality_id)
    usage = {}
    for kind, party_ids in parties.items():
        provider = usage_providers().get(kind)
        if provider is not None:
            for party_id, procedures in provider(party_ids, year).items():
                usage[(kind, party_id)] = procedures
    return usage


def cost_lines(adhesions, year: int) -> list[CostLine]:
    adhesions = list(adhesions)
    usage = recorded_usage(adhesions, year)
    lines = []
    for adhesion in adhesions:
        procedures = usage.get((adhesion.service.kind, adhesion.agreement.municipality_id), [])
        try:
            total = services.yearly_cost(adhesion, year, procedures).total
        except ValueError:  # per inhabitant with no population known: no figure rather than a wrong one
            total = None
        lines.append(CostLine(adhesion, total, adhesion.service.cost_model in USAGE_MODELS))
    return lines


def total_of(lines: list[CostLine]) -> Decimal:
    return sum((line.total for line in lines if line.total is not None), Decimal("0.00"))


def whole_year_costs(service_list, party: Organization, year: int) -> dict[int, Decimal | None]:
    """What each service would cost ``party`` for the whole of ``year``, by service pk.

    A transient computation with the pure cost rules (no Adhesion is written): the population is read
    once for all services. None when the per-inhabitant model has no population to apply.
    """
    population, year_of = services.population_of(party)
    populations = [(date(year_of or year, 1, 1), population)] if population is not None else []
    first, last = date(year, 1, 1), date(year, 12, 31)
    figures = {}
    for service in service_list:
        try:
            figures[service.pk] = costs.yearly_cost(service.cost_rule, year, first, last, populations).total
        except ValueError:
            figures[service.pk] = None
    return figures


# --- The Comune's services -------------------------------------------------------------------------------


def services_in_use(user, today: date):
    """The adhesions in force today of the Comune (Unione) the user acts for."""
    return (
        Adhesion.objects.for_user(user)
        .active_on(today)
        .select_related("service", "agreement")
        .order_by("service__name")
    )


# --- National coverage (UPI) -----------------------------------------------------------------------------


def _covered_comuni(on: date) -> dict[tuple[int, str], set[int]]:
    """(Province organisation pk, service kind) -> pks of the comuni with an adhesion in force on ``on``.

    A Comune counts through its own organisation, the member comuni of a Unione through the Unione's.
    Two queries, whatever the number of adhesions.
    """
    active = Adhesion.objects.active_on(on)
    covered = defaultdict(set)
    direct = active.filter(agreement__municipality__kind=OrganizationKind.MUNICIPALITY).values_list(
        "agreement__province_id", "service__kind", "agreement__municipality__municipality_id"
    )
    through_unions = active.filter(agreement__municipality__kind=OrganizationKind.UNION).values_list(
        "agreement__province_id", "service__kind", "agreement__municipality__member_municipalities"
    )
    for province_id, kind, municipality_id in [*direct, *through_unions]:
        if municipality_id is not None:
            covered[(province_id, kind)].add(municipality_id)
    return covered


def _populations(municipality_ids) -> dict[int, int]:
    rows = Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "population")
    return {pk: population or 0 for pk, population in rows}


def platform_provinces():
    """The active Province organisations, with their territory, and the number of their current comuni."""
    return (
        Organization.objects.active()
        .filter(kind=OrganizationKind.PROVINCE)
        .select_related("province__region")
        .annotate(
            comuni_total=Count(
                "province__municipalities", filter=Q(province__municipalities__valid_to__isnull=True)
            )
        )
        .order_by("province__name")
    )


def service_coverage(on: date) -> list[dict]:
    """One row per Province on the platform and kind of service it offers (published), on day ``on``.

    Keys of each row (plain values, ready for JSON, CSV and spreadsheets):

    - ``province_code``: ISTAT code of the province (UTS code, e.g. "026");
    - ``province_sigla``: its abbreviation ("TV"); ``province_name``: its name; ``region_name``;
    - ``service_kind``: the ServiceKind value ("sua", "eu_funds"…); ``service_kind_label``: its label in
      the active language;
    - ``services``: how many published services of that kind the Province offers;
    - ``comuni_joined``: how many comuni have an adhesion in force on ``on`` to a service of that kind,
      directly or through their Unione (each comune counted once);
    - ``comuni_total``: the current comuni of the province;
    - ``population_covered``: the ISTAT population of the comuni joined.

    Ordered by province name, then by kind of service in the order of ServiceKind. Five queries.
    """
    provinces = {org.pk: org for org in platform_provinces()}
    offered = (
        Service.objects.published()
        .filter(province_id__in=provinces)
        .order_by()
        .values("province_id", "kind")
        .annotate(count=Count("pk"))
    )
    covered = _covered_comuni(on)
    population = _populations(set().union(*covered.values()) if covered else set())
    kind_order = {kind: index for index, kind in enumerate(ServiceKind.values)}
    labels = dict(ServiceKind.choices)
    rows = []
    for offer in offered:
        org = provinces[offer["province_id"]]
        comuni = covered.get((org.pk, offer["kind"]), set())
        rows.append(
            {
                "province_code": org.province.code,
                "province_sigla": org.province.sigla,
                "province_name": org.province.name,
                "region_name": org.province.region.name,
                "service_kind": offer["kind"],
                "service_kind_label": str(labels.get(offer["kind"], offer["kind"])),
                "services": offer["count"],
                "comuni_joined": len(comuni),
                "comuni_total": org.comuni_total,
                "population_covered": sum(population.get(pk, 0) for pk in comuni),
            }
        )
    rows.sort(key=lambda row: (row["province_name"], kind_order.get(row["service_kind"], 99)))
    return rows


def province_coverage(on: date) -> list[dict]:
    """One row per Province on the platform: comuni joined to any of its services on ``on`` (counted once).

    Keys: ``province_code``, ``province_sigla``, ``province_name``, ``comuni_joined``, ``comuni_total``,
    ``population_covered``. The national map colours the provinces by ``comuni_joined``.
    """
    covered = _covered_comuni(on)
    by_province = defaultdict(set)
    for (province_id, _kind), comuni in covered.items():
        by_province[province_id] |= comuni
    population = _populations(set().union(*by_province.values()) if by_province else set())
    return [
        {
            "province_code": org.province.code,
            "province_sigla": org.province.sigla,
            "province_name": org.province.name,
            "comuni_joined": len(by_province.get(org.pk, ())),
            "comuni_total": org.comuni_total,
            "population_covered": sum(population.get(pk, 0) for pk in by_province.get(org.pk, ())),
        }
        for org in platform_provinces()
    ]
