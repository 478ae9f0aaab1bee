"""The needs and plan pages: the training office reads the needs from its campaign, sees the ranking with what
no module covers, draws up the plan and adds modules against needs; a Comune's referent reads its own needs and
the plan; other roles and other Provinces reach nothing."""

import pytest
from django.urls import reverse

from casacomuni.insights.testing import make_campaign
from casacomuni.training.models import Need, Plan, PlanItem
from casacomuni.training.testing import make_module
from casacomuni.training.tests.test_needs import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    side = world.home
    found = make_campaign(side, template="fabbisogni_formativi", title="Fabbisogni formativi 2026", year=2026)
    answer(found, side.comune, ["procurement", "digital"], "base", 5)
    answer(found, side.sibling_comune, ["procurement"], "base", 2)
    return found


def test_the_office_reads_the_needs_ranks_them_and_builds_the_plan(world, login_as, campaign):
    page = login_as("funzionario_formazione")
    make_module(world.home.province_org, title="Appalti per i RUP", area="procurement", level="base")
    response = page.post(reverse("training:derive_needs", args=[campaign.pk]), follow=True)
    assert "3 fabbisogni letti dalla rilevazione." in response.content.decode()
    listing = page.get(reverse("training:needs") + "?anno=2026").content.decode()
    assert listing.index("Appalti pubblici (SUA)") < listing.index("Competenze digitali")  # 7 people before 5
    assert "nessun modulo vi risponde ancora" in listing
    assert "Nessun piano ancora redatto." in page.get(reverse("training:plans")).content.decode()
    created = page.post(
        reverse("training:plan_create"), {"year": "2026", "title": "Piano della formazione 2026"}
    )
    plan_url = created["Location"]
    module = world.home.province_org.training_modules.get()
    procurement = list(Need.objects.filter(area="procurement").values_list("pk", flat=True))
    page.post(f"{plan_url}moduli/", {"module": module.pk, "needs": procurement, "editions": "2"})
    item = PlanItem.objects.get()
    assert item.editions == 2 and sorted(item.needs.values_list("pk", flat=True)) == sorted(procurement)
    shown = page.get(plan_url).content.decode()
    assert "Appalti per i RUP" in shown and world.home.sibling_comune.name in shown


def test_bad_input_changes_nothing_and_says_why(world, login_as, campaign):
    page = login_as("funzionario_formazione")
    assert page.get(reverse("training:needs") + "?anno=abc").status_code == 200
    page.post(reverse("training:plan_create"), {"year": "2026", "title": "  "})
    page.post(reverse("training:plan_create"), {"year": "1999", "title": "Piano"})
    assert not Plan.objects.exists()
    plan = Plan.objects.create(province=world.home.province_org, year=2026, title="Piano")
    page.post(reverse("training:derive_needs", args=[campaign.pk]))
    digital_module = make_module(world.home.province_org, area="digital", level="base")
    procurement = Need.objects.filter(area="procurement").values_list("pk", flat=True)
    response = page.post(
        reverse("training:plan_add", args=[plan.pk]),
        {"module": digital_module.pk, "needs": list(procurement), "editions": "1"},
        follow=True,
    )
    assert "solo ai fabbisogni della propria area" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_a_comune_reads_its_own_needs_and_the_plan_and_nobody_else_reaches_them(world, login_as, campaign):
    login_as("funzionario_formazione").post(reverse("training:derive_needs", args=[campaign.pk]))
    plan = Plan.objects.create(
        province=world.home.province_org, year=2026, title="Piano della formazione 2026"
    )
    referent = login_as("referente_comune")
    own = referent.get(reverse("training:needs") + "?anno=2026").content.decode()
    assert "Appalti pubblici (SUA)" in own and world.home.sibling_comune.name not in own
    assert "Piano della formazione 2026" in referent.get(reverse("training:plans")).content.decode()
    assert referent.get(reverse("training:plan", args=[plan.pk])).status_code == 200
    assert referent.post(reverse("training:plan_add", args=[plan.pk]), {"module": "1"}).status_code == 403
    assert referent.post(reverse("training:derive_needs", args=[campaign.pk])).status_code == 403
    assert login_as("funzionario_sua").get(reverse("training:needs")).status_code == 403
    foreign = make_campaign(world.elsewhere, template="fabbisogni_formativi", title="Altrove")
    office = login_as("funzionario_formazione")
    assert office.post(reverse("training:derive_needs", args=[foreign.pk])).status_code == 404
