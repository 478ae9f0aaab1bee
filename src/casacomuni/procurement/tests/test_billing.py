"""What the SUA's awarded procedures cost a Comune under its agreement (agreements' yearly cost page).

The demo SUA catalogue (and the usual convenzione) states: "the fee is due at the award and is computed on the
amount put out to tender, within the minimum and the maximum" — a percentage of each procedure awarded in the
year, each share clamped (agreements/rules/costs.py, percentage model).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.agreements.models import Service, ServiceKind
from casacomuni.procurement.procedures.models import ProcedureState
from casacomuni.procurement.procedures.testing import write_procedure
from casacomuni.procurement.testing import sua_adhesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def percentage_sua(world):
    """The home Comune's SUA adhesion since 1 January of last year: 0.5% of each procedure, € 500 – € 12,000."""
    year = timezone.localdate().year
    sua_adhesion(world.home, world.home.comune, start=date(year - 1, 1, 1))
    Service.objects.filter(province=world.home.province_org, kind=ServiceKind.SUA).update(
        cost_model="percentage", cost_amount=Decimal("0.5"), cost_minimum=500, cost_maximum=12000
    )
    return year


def published_on(year: int, month: int):
    return timezone.make_aware(datetime(year, month, 10))


def test_the_comune_pays_its_share_of_each_procedure_awarded_in_the_year(login_as, world, percentage_sua):
    year = percentage_sua
    # Awarded this year: (200,000 + 5,000 safety costs) × 0.5% = 1,025; (20,000 + 5,000) × 0.5% = 125 → 500.
    write_procedure(world.home, world, ProcedureState.AWARDED, published_at=published_on(year, 1))
    write_procedure(world.home, world, base=Decimal("20000.00"), published_at=published_on(year, 2))
    # Not counted: awarded last year, deserted, or bought by another Comune.
    write_procedure(world.home, world, published_at=published_on(year - 1, 3))
    write_procedure(world.home, world, ProcedureState.DESERTED, published_at=published_on(year, 1))
    write_procedure(
        world.home, world, parties=[world.home.sibling_comune], published_at=published_on(year, 1)
    )

    page = login_as("referente_comune").get(reverse("agreements:list")).content.decode()

    # Amounts are written as the page shows them: "€", a non-breaking space, the Italian number.
    assert "€\u00a01.525,00" in page
    assert "€\u00a00,00" not in page


def test_last_years_cost_counts_last_years_awards(world, percentage_sua):
    from casacomuni.agreements import selectors
    from casacomuni.agreements.models import Adhesion

    year = percentage_sua
    write_procedure(world.home, world, published_at=published_on(year - 1, 3))
    adhesions = selectors.billable_adhesions(
        Adhesion.objects.filter(agreement__municipality=world.home.comune), year - 1
    )
    (line,) = selectors.cost_lines(adhesions, year - 1)
    assert line.total == Decimal("1025.00")


def test_the_cost_page_costs_the_same_queries_whatever_the_procedures(login_as, world, percentage_sua):
    year = percentage_sua
    write_procedure(world.home, world, published_at=published_on(year, 1))
    client = login_as("referente_comune")
    client.get(reverse("agreements:list"))

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("agreements:list"))
        return len(captured)

    before = count()
    for month in (2, 3, 4):
        write_procedure(world.home, world, published_at=published_on(year, month))
    assert count() == before
