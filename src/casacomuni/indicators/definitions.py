"""The indicators the platform computes: each a ``Definition`` whose ``compute(year)`` yields
``(municipality_id, value)`` pairs with a few aggregate queries, whatever the number of comuni.

Which comuni get a value:
- counts and amounts (services joined, procedures, EU funds, digital services) give every current comune of a
  Province on the platform a value, 0 included: a Comune that joined no service is a fact, not a gap;
- ratios and survey figures (savings, digital maturity) only the comuni they can be computed for;
- the training figures only the comuni that keep at least ``MIN_TRAINING_STAFF`` people in the training
  ledger: with fewer, a Comune's figure would tell one person's hours.

Rows bought or won by a Unione di Comuni are not split among its members (no rule says how), except the
adhesions: a Unione's adhesion to a service covers each member comune, as on the national coverage map.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.territory.models import Municipality

Pairs = Iterable[tuple[int, Decimal]]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Definition:
    code: str
    name: str | Promise
    description: str | Promise
    unit: str | Promise
    source: str  # models.Source value
    compute: Callable[[int], Pairs]
    higher_is_better: bool = True
    decimals: int = 0


def reference_day(year: int) -> date:
    """The day a yearly count is taken on: 31 December, or today for the current year."""
    return min(date(year, 12, 31), timezone.localdate())


def platform_municipality_ids() -> list[int]:
    """The current comuni of the Provinces on the platform (an active Province organisation)."""
    provinces = Organization.objects.active().filter(kind=OrganizationKind.PROVINCE).values("province_id")
    return list(Municipality.objects.current().filter(province_id__in=provinces).values_list("pk", flat=True))


def with_zeros(values: dict[int, Decimal]) -> Pairs:
    """``values`` for every comune of the platform, 0 where it has none (and the others it has)."""
    everyone = platform_municipality_ids()
    result = {pk: Decimal(0) for pk in everyone}
    result.update(values)
    return result.items()


# --- Platform data ------------------------------------------------------------------------------------------


def services_joined(year: int) -> Pairs:
    """Distinct services of its Province a comune uses on the reference day, directly or through its Unione
    (adhesions in force: the agreement binds and the adhesion's own dates include the day)."""
    from casacomuni.agreements.models import Adhesion

    active = Adhesion.objects.active_on(reference_day(year))
    direct = active.filter(agreement__municipality__kind=OrganizationKind.MUNICIPALITY).values_list(
        "agreement__municipality__municipality_id", "service_id"
    )
    through_unions = active.filter(agreement__municipality__kind=OrganizationKind.UNION).values_list(
        "agreement__municipality__member_municipalities", "service_id"
    )
    services = defaultdict(set)
    for municipality_id, service_id in [*direct, *through_unions]:
        if municipality_id is not None:
            services[municipality_id].add(service_id)
    return with_zeros({pk: Decimal(len(ids)) for pk, ids in services.items()})


def _awarded_lots(year: int):
    from casacomuni.procurement.procedures.models import Lot, LotState

    return Lot.objects.filter(
        state=LotState.AWARDED,
        award_date__year=year,
        municipality__kind=OrganizationKind.MUNICIPALITY,
        municipality__municipality__isnull=False,
    )


def procedures_run(year: int) -> Pairs:
    """Procedures the SUA awarded in the year with at least one lot for the comune (lot award date)."""
    rows = (
        _awarded_lots(year)
        .values("municipality__municipality_id")
        .annotate(procedures=Count("procedure", distinct=True))
        .order_by()
    )
    return with_zeros({row["municipality__municipality_id"]: Decimal(row["procedures"]) for row in rows})


def _savings_rows(year: int):
    return (
        _awarded_lots(year)
        .filter(awarded_amount__isnull=False)
        .values("municipality__municipality_id")
        .annotate(base=Sum("base_amount"), saved=Sum(F("base_amount") - F("awarded_amount")))
        .order_by()
    )


def savings_amount(year: int) -> Pairs:
    """Base amounts minus awarded amounts of the comune's lots awarded in the year, in euro."""
    for row in _savings_rows(year):
        yield row["municipality__municipality_id"], Decimal(row["saved"]).quantize(CENT, ROUND_HALF_UP)


def savings_rate(year: int) -> Pairs:
    """Savings as a percentage of the base amounts of the same lots (lots with a base of 0 give none)."""
    for row in _savings_rows(year):
        base = Decimal(row["base"] or 0)
        if base > 0:
            rate = Decimal(100) * Decimal(row["saved"]) / base
            yield row["municipality__municipality_id"], rate.quantize(CENT, ROUND_HALF_UP)


def eu_funds_per_inhabitant(year: int) -> Pairs:
    """EU financing of the projects a Comune obtained that started in the year (the year of creation when
    no start date is known), divided by its ISTAT population; comuni with no known population get none."""
    from casacomuni.projects.funded.models import Financing, FinancingSource

    rows = (
        Financing.objects.filter(
            source=FinancingSource.EU,
            project__beneficiary__kind=OrganizationKind.MUNICIPALITY,
            project__beneficiary__municipality__isnull=False,
        )
        .annotate(
            year=Coalesce(ExtractYear("project__start_date"), ExtractYear("project__created_at")),
        )
        .filter(year=year)
        .values("project__beneficiary__municipality_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {row["project__beneficiary__municipality_id"]: Decimal(row["total"]) for row in rows}
    ids = platform_municipality_ids()
    populations = dict(
        Municipality.objects.filter(pk__in=set(ids) | set(totals), population__gt=0).values_list(
            "pk", "population"
        )
    )
    for pk in set(ids) | set(totals):
        if pk in populations:
            value = totals.get(pk, Decimal(0)) / populations[pk]
            yield pk, value.quantize(CENT, ROUND_HALF_UP)


def digital_services_adopted(year: int) -> Pairs:
    """Digital services of the Province's catalogue the Comune uses (adoption active, started by the
    reference day or with no start date). Adoptions record no end date: past years count today's active
    adoptions that had started then."""
    from casacomuni.insights.models import AdoptionStatus, ServiceAdoption

    rows = (
        ServiceAdoption.objects.filter(
            status=AdoptionStatus.ACTIVE,
            organization__kind=OrganizationKind.MUNICIPALITY,
            organization__municipality__isnull=False,
        )
        .filter(Q(since__isnull=True) | Q(since__lte=reference_day(year)))
        .values("organization__municipality_id")
        .annotate(services=Count("service", distinct=True))
        .order_by()
    )
    return with_zeros({row["organization__municipality_id"]: Decimal(row["services"]) for row in rows})


# --- Campaign answers ---------------------------------------------------------------------------------------


def digital_maturity(year: int) -> Pairs:
    """The 0–100 index of the Comune's submitted answer to the year's "Maturità digitale" campaign (see the
    insights app for the formula); with answers to several such campaigns of the year, the latest submitted."""
    from casacomuni.insights.models import Response, TemplateCode

    rows = (
        Response.objects.submitted()
        .filter(
            campaign__year=year,
            campaign__questionnaire__template_code=TemplateCode.MATURITY,
            score__isnull=False,
            organization__municipality__isnull=False,
        )
        .order_by("submitted_at", "pk")
        .values_list("organization__municipality_id", "score")
    )
    return dict(rows).items()  # the latest submitted wins


# --- Training -------------------------------------------------------------------------------------------------

# Fewer people of a Comune in the training ledger than this and it gets no training figure: the hours per
# employee of one or two people, or whether "1 trained" is the one person, would be personal data.
MIN_TRAINING_STAFF = 3


def _training_staff(year: int) -> dict:
    """Per comune with at least MIN_TRAINING_STAFF people in service in the ledger, the ledger's summary of
    ``year`` (people and their hours on the platform and imported): one query."""
    from casacomuni.training import ledger
    from casacomuni.training.models import StaffMember

    people = StaffMember.objects.filter(
        active=True,
        organization__kind=OrganizationKind.MUNICIPALITY,
        organization__municipality__isnull=False,
    )
    summaries = ledger.summary_by(people, "organization__municipality", year)
    return {pk: summary for pk, summary in summaries if summary.people >= MIN_TRAINING_STAFF}


def staff_trained(year: int) -> Pairs:
    """People of the Comune (its own staff records) who completed at least one course on the platform in the
    year, the certificate not revoked; 0 for a Comune whose staff completed none."""
    from casacomuni.training.ledger import year_range
    from casacomuni.training.models import Completion

    counted = _training_staff(year)
    rows = (
        Completion.objects.filter(
            person__organization__municipality_id__in=counted,
            person__organization__kind=OrganizationKind.MUNICIPALITY,
            completed_on__range=year_range(year),
            revoked_at__isnull=True,
        )
        .values("person__organization__municipality_id")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    trained = {row["person__organization__municipality_id"]: row["people"] for row in rows}
    return [(pk, Decimal(trained.get(pk, 0))) for pk in counted]


def training_hours_per_employee(year: int) -> Pairs:
    """The training hours of the year of the Comune's staff in service (completions on the platform not
    revoked plus hours imported from other providers, as the 40-hour ledger counts them) divided by their
    number, to one decimal."""
    return [
        (pk, (summary.hours / summary.people).quantize(Decimal("0.1"), ROUND_HALF_UP))
        for pk, summary in _training_staff(year).items()
    ]


REGISTRY: dict[str, Definition] = {
    definition.code: definition
    for definition in [
        Definition(
            "services_joined",
            _("Services of the Province joined"),
            _(
                "Services of its Province the Comune uses on 31 December (today for the current year), "
                "directly or through its Unione."
            ),
            _("services"),
            "platform",
            services_joined,
        ),
        Definition(
            "digital_maturity",
            _("Digital maturity index"),
            _("The 0–100 index of the Comune's answers to the year's “Maturità digitale” questionnaire."),
            _("points"),
            "campaign",
            digital_maturity,
            decimals=1,
        ),
        Definition(
            "procedures_run",
            _("Procedures run by the SUA"),
            _("Procedures the SUA awarded in the year with a lot for the Comune."),
            _("procedures"),
            "platform",
            procedures_run,
        ),
        Definition(
            "savings_amount",
            _("Savings on awarded procedures"),
            _("Base amounts minus awarded amounts of the Comune's lots awarded in the year."),
            "€",
            "platform",
            savings_amount,
            decimals=2,
        ),
        Definition(
            "savings_rate",
            _("Savings rate"),
            _("Savings as a percentage of the base amounts of the lots awarded in the year."),
            "%",
            "platform",
            savings_rate,
            decimals=2,
        ),
        Definition(
            "eu_funds_per_inhabitant",
            _("EU funds obtained per inhabitant"),
            _("EU financing of the Comune's funded projects started in the year, per resident (ISTAT)."),
            _("€ per inhabitant"),
            "platform",
            eu_funds_per_inhabitant,
            decimals=2,
        ),
        Definition(
            "digital_services_adopted",
            _("Digital services adopted"),
            _("Digital services of the Province's catalogue the Comune uses."),
            _("services"),
            "platform",
            digital_services_adopted,
        ),
        Definition(
            "staff_trained",
            _("Staff trained"),
            _(
                "People of the Comune who completed at least one course on the platform in the year (Comuni "
                "with at least three people in the training ledger)."
            ),
            _("people"),
            "platform",
            staff_trained,
        ),
        Definition(
            "training_hours_per_employee",
            _("Training hours per employee"),
            _(
                "Training hours of the year of the Comune's staff in service, on the platform and imported "
                "from other providers, per person in the training ledger (at least three)."
            ),
            _("hours per employee"),
            "platform",
            training_hours_per_employee,
            decimals=1,
        ),
    ]
}
ORDER = {code: index for index, code in enumerate(REGISTRY)}
