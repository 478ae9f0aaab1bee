"""The demo module (casacomuni.demo.eufunds): real samples imported, criteria annotated, re-runnable."""

import pytest

from casacomuni.demo.eufunds import MANUAL_TITLE, DemoEufunds
from casacomuni.eufunds.models import Call, CallCriterion, DigestPreference, ImportRun

pytestmark = pytest.mark.django_db


def test_demo_builds_and_runs_again_without_duplicates(world):
    DemoEufunds().build(["TV"])
    counts = (Call.objects.count(), CallCriterion.objects.count(), DigestPreference.objects.count())
    assert counts[0] > 100
    manual = Call.objects.get(title=MANUAL_TITLE)
    assert manual.province == world.home.province
    assert set(manual.criteria.values_list("kind", flat=True)) == {
        "entity_type",
        "population_max",
        "cofinancing_share",
    }
    assert DigestPreference.objects.get().organization == world.home.comune  # the capoluogo
    runs = ImportRun.objects.count()
    DemoEufunds().build(["TV"])
    assert (Call.objects.count(), CallCriterion.objects.count(), DigestPreference.objects.count()) == counts
    assert ImportRun.objects.count() == 2 * runs
    assert all(run.created == 0 and run.updated == 0 for run in ImportRun.objects.order_by("-pk")[:runs])
