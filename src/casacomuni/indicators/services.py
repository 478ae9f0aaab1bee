"""Write operations of the indicators: computing a year's values and their aggregates."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.audit.services import record_event
from casacomuni.indicators import definitions
from casacomuni.indicators.models import Aggregate, Indicator, Observation
from casacomuni.indicators.rules import stats
from casacomuni.territory.models import Municipality

_BATCH = 1000


class UnknownIndicator(ValueError):
    """A code that is not in definitions.REGISTRY."""


def sync_indicators(codes=None) -> dict[str, Indicator]:
    """The Indicator rows of the registry's definitions (``codes``, or all), created or updated so that
    their name, description and unit are those of the code, in the site's language; indicators no longer
    in the registry are marked inactive (their series stay)."""
    wanted = list(definitions.REGISTRY) if codes is None else list(codes)
    unknown = [code for code in wanted if code not in definitions.REGISTRY]
    if unknown:
        raise UnknownIndicator(", ".join(unknown))
    rows = {}
    with translation.override(settings.LANGUAGE_CODE):
        for code in wanted:
            definition = definitions.REGISTRY[code]
            rows[code], _created = Indicator.objects.update_or_create(
                code=code,
                defaults={
                    "name": str(definition.name),
                    "description": str(definition.description),
                    "unit": str(definition.unit),
                    "source": definition.source,
                    "higher_is_better": definition.higher_is_better,
                    "decimals": definition.decimals,
                    "order": definitions.ORDER[code],
                    "is_active": True,
                },
            )
    if codes is None:
        Indicator.objects.exclude(code__in=wanted).update(is_active=False)
    return rows


def compute_indicators(year: int, codes=None, actor: Actor | None = None) -> dict[str, int]:
    """Replace the observations and aggregates of ``year`` for the indicators ``codes`` (all by default).

    All or nothing: one transaction, bulk writes, one audit event. Returns code -> number of comuni with a
    value.

    Raises:
        UnknownIndicator: a code not in the registry (nothing is written).
    """
    actor = actor or Actor.system("compute_indicators")
    with transaction.atomic():
        indicators = sync_indicators(codes)
        counts = {}
        for code, indicator in indicators.items():
            values = {pk: Decimal(value) for pk, value in definitions.REGISTRY[code].compute(year)}
            counts[code] = replace_year(indicator, year, values)
        record_event(actor, "indicators.compute", changes={"year": year, "comuni": counts})
    return counts


def replace_year(indicator: Indicator, year: int, values: dict[int, Decimal]) -> int:
    """Write ``values`` (municipality pk -> value) as the indicator's observations of ``year``, replacing
    those there were, and their aggregates. Call inside a transaction."""
    now = timezone.now()
    territory = {
        pk: (province_id, population)
        for pk, province_id, population in Municipality.objects.filter(pk__in=values).values_list(
            "pk", "province_id", "population"
        )
    }
    Observation.objects.filter(indicator=indicator, year=year).delete()
    Observation.objects.bulk_create(
        [
            Observation(
                indicator=indicator,
                municipality_id=pk,
                province_id=territory[pk][0],
                year=year,
                value=value,
                computed_at=now,
            )
            for pk, value in values.items()
            if pk in territory
        ],
        batch_size=_BATCH,
    )
    Aggregate.objects.filter(indicator=indicator, year=year).delete()
    Aggregate.objects.bulk_create(aggregates(indicator, year, values, territory, now), batch_size=_BATCH)
    return sum(1 for pk in values if pk in territory)


def aggregates(indicator, year, values, territory, now) -> list[Aggregate]:
    """The groups' summaries: each Province and Italy, all comuni and each class of size."""
    groups = defaultdict(list)
    for pk, value in values.items():
        if pk not in territory:
            continue
        province_id, population = territory[pk]
        size = stats.size_class(population) or ""
        groups[(province_id, "")].append(value)
        groups[(None, "")].append(value)
        if size:
            groups[(province_id, size)].append(value)
            groups[(None, size)].append(value)
    rows = []
    for (province_id, size), group in groups.items():
        summary = stats.summarize(group)
        if summary is None:  # never: every group has at least the value that made it
            continue
        rows.append(
            Aggregate(
                indicator=indicator,
                province_id=province_id,
                size_class=size,
                year=year,
                count=summary.count,
                minimum=summary.minimum,
                q1=_stored(summary.q1),
                median=_stored(summary.median),
                q3=_stored(summary.q3),
                maximum=summary.maximum,
                mean=_stored(summary.mean),
                computed_at=now,
            )
        )
    return rows


def _stored(value: Decimal) -> Decimal:
    """Rounded to the 4 decimals the columns hold (half up, as people round)."""
    return value.quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP")


# Who may ask for the indicators to be recomputed now rather than at night.
COMPUTE_ROLES = (Role.UPI_ADMIN, Role.PROVINCE_ADMIN, Role.DATA_OFFICER)


def request_computation(actor: Actor, year: int) -> None:
    """Record that ``actor`` asked for ``year``'s indicators and enqueue the task once the request commits
    (the worker computes every comune: the values do not depend on who asks).

    Raises:
        PermissionDenied: the actor's role may not ask.
    """
    from casacomuni.indicators.tasks import compute_indicators_task

    if actor.membership is None or actor.membership.role not in COMPUTE_ROLES:
        raise PermissionDenied
    with transaction.atomic():
        record_event(actor, "indicators.compute_request", changes={"year": year})
        transaction.on_commit(lambda: compute_indicators_task.enqueue(year))
