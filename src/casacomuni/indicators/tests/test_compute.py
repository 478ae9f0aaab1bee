"""compute_indicators: each definition with worked numbers, the year replaced atomically, the aggregates,
the task and the command."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.indicators import definitions, services
from casacomuni.indicators.models import Aggregate, Indicator, Observation
from casacomuni.indicators.tasks import compute_indicators_task
from casacomuni.procurement.testing import sua_adhesion

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def values(code: str, year: int) -> dict[str, D]:
    return {
        row.municipality.istat_code: row.value
        for row in Observation.objects.filter(indicator__code=code, year=year).select_related("municipality")
    }


def test_services_joined_counts_adhesions_in_force_directly_and_through_the_unione(world):
    home = world.home
    sua_adhesion(home, home.comune)
    sua_adhesion(home, home.union)
    services.compute_indicators(THIS_YEAR, ["services_joined"])
    capoluogo, borgo, villa, monte = (m.istat_code for m in home.municipalities)
    joined = values("services_joined", THIS_YEAR)
    # The Comune and the Unione's two members use the SUA; the sibling comune nothing; every comune of
    # both Provinces on the platform has a value.
    assert {code: joined[code] for code in (capoluogo, borgo, villa, monte)} == {
        capoluogo: 1,
        borgo: 0,
        villa: 1,
        monte: 1,
    }
    assert len(joined) == 8
    assert sum(joined.values()) == 3


def test_aggregates_by_province_by_size_and_for_italy(world):
    home = world.home
    sua_adhesion(home, home.comune)
    sua_adhesion(home, home.union)
    services.compute_indicators(THIS_YEAR, ["services_joined"])
    indicator = Indicator.objects.get(code="services_joined")
    treviso = Aggregate.objects.get(
        indicator=indicator, year=THIS_YEAR, province=home.province, size_class=""
    )
    # Treviso: 0, 1, 1, 1 → quartile positions 3 × ¼ = 0.75 and 2.25.
    assert (treviso.count, treviso.minimum, treviso.q1, treviso.median, treviso.q3, treviso.maximum) == (
        4,
        0,
        D("0.75"),
        1,
        1,
        1,
    )
    assert treviso.mean == D("0.75")
    italy = Aggregate.objects.national().all_sizes().get(indicator=indicator, year=THIS_YEAR)
    assert (italy.count, italy.median, italy.mean) == (8, 0, D("0.375"))
    # Classes of size across Italy: the two capoluoghi (80,000) are ≥ 60,000, one with the SUA.
    large = Aggregate.objects.national().get(indicator=indicator, year=THIS_YEAR, size_class="ge60000")
    assert (large.count, large.median) == (2, D("0.5"))
    small = Aggregate.objects.national().get(indicator=indicator, year=THIS_YEAR, size_class="lt1000")
    assert (small.count, small.median) == (2, D("0.5"))  # Monte di Treviso (1) and Monte di Padova (0)


def test_recomputing_replaces_the_year_and_records_one_event_each_time(world):
    services.compute_indicators(THIS_YEAR, ["services_joined"])
    assert set(values("services_joined", THIS_YEAR).values()) == {0}
    sua_adhesion(world.home, world.home.comune)
    counts = services.compute_indicators(THIS_YEAR, ["services_joined"])
    assert counts == {"services_joined": 8}
    assert Observation.objects.filter(year=THIS_YEAR).count() == 8
    assert values("services_joined", THIS_YEAR)[world.home.comune.municipality.istat_code] == 1
    events = AuditEvent.objects.filter(action="indicators.compute")
    assert events.count() == 2
    assert events.last().changes == {"year": THIS_YEAR, "comuni": {"services_joined": 8}}


def test_an_unknown_code_writes_nothing(world):
    with pytest.raises(services.UnknownIndicator):
        services.compute_indicators(THIS_YEAR, ["services_joined", "no_such_indicator"])
    assert not Indicator.objects.exists()
    assert not AuditEvent.objects.filter(action="indicators.compute").exists()


def test_a_failing_definition_rolls_back_the_whole_run(world, monkeypatch):
    services.compute_indicators(THIS_YEAR, ["services_joined"])

    def broken(year):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        definitions.REGISTRY,
        "procedures_run",
        definitions.Definition("procedures_run", "x", "x", "x", "platform", broken),
    )
    with pytest.raises(RuntimeError):
        services.compute_indicators(THIS_YEAR, ["services_joined", "procedures_run"])
    assert Observation.objects.filter(indicator__code="services_joined").count() == 8


def test_adhesions_count_on_the_31st_of_december_of_past_years(world):
    sua_adhesion(world.home, world.home.comune)  # started 60 days ago
    services.compute_indicators(THIS_YEAR - 2, ["services_joined"])
    assert values("services_joined", THIS_YEAR - 2)[world.home.comune.municipality.istat_code] == 0


def test_reference_day_is_the_31st_of_december_or_today():
    assert definitions.reference_day(2020) == date(2020, 12, 31)
    assert definitions.reference_day(THIS_YEAR + 1) == timezone.localdate()


def test_the_task_and_the_command_compute_the_year(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result = compute_indicators_task.enqueue(THIS_YEAR, ["services_joined"])
    assert result.return_value == {"services_joined": 8}
    Observation.objects.all().delete()
    call_command("compute_indicators", year=THIS_YEAR, code=["services_joined"])
    assert Observation.objects.filter(indicator__code="services_joined", year=THIS_YEAR).count() == 8


def test_sync_marks_the_indicators_no_longer_defined_inactive(world):
    Indicator.objects.create(code="retired", name="Old", source="platform")
    services.sync_indicators()
    assert not Indicator.objects.get(code="retired").is_active
    assert set(Indicator.objects.active().values_list("code", flat=True)) == set(definitions.REGISTRY)
