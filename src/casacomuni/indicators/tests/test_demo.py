"""The demo hook computes every indicator for the years asked, and can run again."""

import pytest

from casacomuni.demo.indicators import DemoIndicators
from casacomuni.indicators.definitions import REGISTRY
from casacomuni.indicators.models import Observation
from casacomuni.procurement.testing import sua_adhesion

pytestmark = pytest.mark.django_db


def test_demo_indicators_are_computed_and_recomputed(world):
    sua_adhesion(world.home, world.home.comune)
    first = DemoIndicators().build([2025, 2026])
    assert set(first) == {2025, 2026} and set(first[2026]) == set(REGISTRY)
    count = Observation.objects.count()
    assert count > 0
    assert DemoIndicators().build([2025, 2026]) == first
    assert Observation.objects.count() == count
