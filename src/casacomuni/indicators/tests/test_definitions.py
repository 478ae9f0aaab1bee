"""The definitions that read the other pillars' data: SUA procedures and savings, digital maturity, digital
services adopted, EU funds per inhabitant. Worked numbers; rows written directly (the other apps' own
tests cover how they come to be)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from casacomuni.indicators import definitions

pytestmark = pytest.mark.django_db
YEAR = 2025


def as_dict(pairs):
    return dict(pairs)


def make_lot(procedure, number, buyer, base, awarded, award_date, state="awarded"):
    from casacomuni.procurement.procedures.models import Lot

    return Lot.objects.create(
        procedure=procedure,
        number=number,
        title=f"Lotto {number}",
        municipality=buyer,
        cpv="45000000",
        base_amount=D(base),
        awarded_amount=None if awarded is None else D(awarded),
        award_date=award_date,
        state=state,
    )


def make_procedure(world, title="Gara"):
    from casacomuni.procurement.procedures.models import Procedure, ProcedureType

    return Procedure.objects.create(
        province=world.home.province_org,
        title=title,
        kind="works",
        procedure_type=ProcedureType.OPEN,
        cpv="45000000",
        state="awarded",
    )


def test_procedures_and_savings_of_the_lots_awarded_in_the_year(world):
    comune, sibling, union = world.home.comune, world.home.sibling_comune, world.home.union
    first, second, third = (make_procedure(world, f"Gara {n}") for n in (1, 2, 3))
    make_lot(first, 1, comune, "100000.00", "80000.00", date(YEAR, 3, 1))
    make_lot(first, 2, comune, "50000.00", "45000.00", date(YEAR, 3, 1))  # same procedure: counted once
    make_lot(second, 1, comune, "10000.00", "9000.00", date(YEAR, 6, 1))
    make_lot(second, 2, sibling, "20000.00", "20000.00", date(YEAR, 6, 1))
    make_lot(third, 1, comune, "99999.00", "1.00", date(YEAR - 1, 12, 31))  # another year
    make_lot(third, 2, comune, "70000.00", None, None, state="deserted")
    make_lot(third, 3, union, "30000.00", "10000.00", date(YEAR, 5, 1))  # a Unione's: not split
    mine, theirs = comune.municipality_id, sibling.municipality_id
    procedures = as_dict(definitions.procedures_run(YEAR))
    assert (procedures[mine], procedures[theirs]) == (2, 1)
    assert set(procedures.values()) == {0, 1, 2} and len(procedures) == 8
    # Savings: (100,000 − 80,000) + (50,000 − 45,000) + (10,000 − 9,000) = 26,000 on 160,000 = 16.25 %.
    assert as_dict(definitions.savings_amount(YEAR)) == {mine: D("26000.00"), theirs: D("0.00")}
    assert as_dict(definitions.savings_rate(YEAR)) == {mine: D("16.25"), theirs: D("0.00")}


def test_savings_rate_rounds_half_up_to_cents(world):
    procedure = make_procedure(world)
    make_lot(procedure, 1, world.home.comune, "30000.00", "20000.00", date(YEAR, 1, 10))
    # 10,000 / 30,000 = 33.333… %
    assert as_dict(definitions.savings_rate(YEAR)) == {world.home.comune.municipality_id: D("33.33")}


def make_response(world, organization, year, score, state="submitted", submitted_at=None, template=True):
    from casacomuni.insights.models import Campaign, Questionnaire, Response

    questionnaire, _created = Questionnaire.objects.get_or_create(
        title="Maturità digitale" if template else "Altro",
        template_code="maturita_digitale" if template else "",
        province=None if template else world.home.province_org,
    )
    campaign = Campaign.objects.create(
        province=world.home.province_org,
        questionnaire=questionnaire,
        title=f"Maturità {year}",
        year=year,
        opens_on=date(year, 1, 1),
        deadline=date(year, 3, 1),
        state="sent",
    )
    return Response.objects.create(
        campaign=campaign,
        organization=organization,
        state=state,
        score=None if score is None else D(score),
        submitted_at=submitted_at or timezone.now(),
    )


def test_digital_maturity_is_the_submitted_index_of_the_year(world):
    comune, sibling = world.home.comune, world.home.sibling_comune
    earlier = timezone.now() - timedelta(days=10)
    make_response(world, comune, YEAR, "40.00", submitted_at=earlier)
    make_response(world, comune, YEAR, "62.50")  # a later campaign of the same year wins
    make_response(world, sibling, YEAR, "90.00", state="draft")  # not submitted
    make_response(world, sibling, YEAR - 1, "70.00")  # another year
    make_response(world, world.elsewhere.comune, YEAR, "55.00", template=False)  # not the maturity template
    assert as_dict(definitions.digital_maturity(YEAR)) == {comune.municipality_id: D("62.50")}


def test_digital_services_adopted_counts_active_adoptions_started_by_the_end_of_the_year(world):
    from casacomuni.insights.models import DigitalService, ServiceAdoption

    province = world.home.province_org
    pagopa, protocol, gis = (
        DigitalService.objects.create(province=province, name=name, category=category)
        for name, category in (("pagoPA", "pagopa"), ("Protocollo", "documents"), ("SIT", "gis"))
    )
    comune, sibling = world.home.comune, world.home.sibling_comune
    ServiceAdoption.objects.create(service=pagopa, organization=comune, since=date(YEAR, 2, 1))
    ServiceAdoption.objects.create(service=protocol, organization=comune)  # no start date: counted
    ServiceAdoption.objects.create(service=gis, organization=comune, since=date(YEAR + 1, 1, 1))  # later
    ServiceAdoption.objects.create(service=pagopa, organization=sibling, status="ceased")
    adopted = as_dict(definitions.digital_services_adopted(YEAR))
    assert (adopted[comune.municipality_id], adopted[sibling.municipality_id]) == (2, 0)


def make_project(world, beneficiary, cup, financing, start=None):
    from casacomuni.projects.models import Financing, FundedProject

    project = FundedProject.objects.create(
        cup=cup,
        title="Progetto",
        programme="PNRR",
        beneficiary=beneficiary,
        province=world.home.province_org,
        start_date=start,
    )
    for source, amount in financing:
        Financing.objects.create(project=project, source=source, amount=D(amount))
    return project


def test_eu_funds_per_inhabitant_of_the_projects_started_in_the_year(world):
    comune, sibling = world.home.comune, world.home.sibling_comune  # 80,000 and 3,200 inhabitants
    make_project(
        world, comune, "A00000000000001", [("eu", "400000.00"), ("comune", "99999.00")], date(YEAR, 4, 1)
    )
    make_project(world, comune, "A00000000000002", [("eu", "120000.00")], date(YEAR, 9, 1))
    make_project(world, comune, "A00000000000003", [("eu", "777777.00")], date(YEAR - 1, 9, 1))
    make_project(world, sibling, "A00000000000004", [("state", "50000.00")], date(YEAR, 1, 1))
    make_project(world, world.home.union, "A00000000000005", [("eu", "10000.00")], date(YEAR, 1, 1))
    funds = as_dict(definitions.eu_funds_per_inhabitant(YEAR))
    # (400,000 + 120,000) / 80,000 = 6.50 € per inhabitant; the sibling had no EU money.
    assert (funds[comune.municipality_id], funds[sibling.municipality_id]) == (D("6.50"), D("0.00"))
    assert len(funds) == 8


def test_eu_funds_of_a_project_without_start_date_count_in_its_year_of_creation(world):
    project = make_project(world, world.home.comune, "A00000000000006", [("eu", "8000.00")])
    year = project.created_at.year
    assert as_dict(definitions.eu_funds_per_inhabitant(year))[world.home.comune.municipality_id] == D("0.10")
