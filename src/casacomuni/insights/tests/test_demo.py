"""The demo data of data collection (casacomuni.demo.insights): realistic, valid, deterministic, re-runnable."""

import pytest

from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.demo.insights import SERVICES, DemoInsights
from casacomuni.insights.models import Campaign, CampaignState, DigitalService, Response, ServiceAdoption

pytestmark = pytest.mark.django_db


def test_the_demo_builds_editions_and_a_catalogue_and_runs_again_unchanged(world):
    side = world.home
    Membership.objects.create(
        user=make_user("ref_sibling"), organization=side.sibling_comune, role=Role.MUNICIPALITY_REFERENT
    )
    DemoInsights().build(["TV"])
    campaigns = Campaign.objects.filter(province=side.province_org)
    assert campaigns.count() == 3
    years = sorted(
        campaigns.filter(questionnaire__template_code="maturita_digitale").values_list("year", "state")
    )
    assert [state for _year, state in years] == [CampaignState.CLOSED, CampaignState.SENT]
    assert years[1][0] == years[0][0] + 1
    submitted = Response.objects.submitted().filter(
        campaign__questionnaire__template_code="maturita_digitale"
    )
    assert submitted.exists()
    assert all(0 <= response.score <= 100 for response in submitted)
    assert DigitalService.objects.filter(province=side.province_org).count() == len(SERVICES)
    counts = (
        Response.objects.count(),
        ServiceAdoption.objects.count(),
        list(submitted.values_list("score", flat=True)),
    )
    DemoInsights().build(["TV"])
    assert (
        Response.objects.count(),
        ServiceAdoption.objects.count(),
        list(submitted.values_list("score", flat=True)),
    ) == counts
    assert not Campaign.objects.filter(province=world.elsewhere.province_org).exists()
