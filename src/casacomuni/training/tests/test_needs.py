"""From the "Fabbisogni formativi" campaign to the needs, their ranking, the needs no module covers yet, and the
year's plan with each module against the needs it answers (issue 11, point 1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casacomuni.insights.services.responses import save_response
from casacomuni.insights.testing import make_campaign, referent
from casacomuni.training import services
from casacomuni.training.models import Need, Plan
from casacomuni.training.rules import needs as need_rules
from casacomuni.training.testing import make_module, persona_actor

pytestmark = pytest.mark.django_db


def test_the_questionnaires_areas_map_to_the_training_areas_and_count_the_people_to_train():
    """Privacy and security are digital skills (Syllabus area 3); transparency goes to "other"."""
    assert need_rules.needs_from_answers(["privacy", "procurement", "security"], "base", 6) == [
        need_rules.DerivedNeed("digital", "base", 6),
        need_rules.DerivedNeed("procurement", "base", 6),
    ]
    assert need_rules.needs_from_answers(["transparency"], "advanced", 2) == [
        need_rules.DerivedNeed("other", "advanced", 2)
    ]
    assert need_rules.needs_from_answers(["procurement"], None, 5) == []
    assert need_rules.needs_from_answers(["procurement"], "base", 0) == []


def test_the_ranking_puts_most_people_first_then_most_bodies():
    ranking = need_rules.ranked(
        {("digital", "base"): (12, 2), ("procurement", "intermediate"): (12, 3), ("eu_funds", "base"): (4, 1)}
    )
    assert [(row[0], row[1]) for row in ranking] == [
        ("procurement", "intermediate"),
        ("digital", "base"),
        ("eu_funds", "base"),
    ]


def answer(campaign, comune, areas, level, people):
    raw = {
        "staff_total": 40,
        "staff_to_train": people,
        "areas": areas,
        "level": level,
        "format": "blended",
        "budget_available": False,
    }
    save_response(referent(comune), campaign, raw, submit=True)


def test_the_answers_become_needs_ranked_with_those_no_module_covers(world):
    side = world.home
    campaign = make_campaign(side, template="fabbisogni_formativi", title="Fabbisogni formativi")
    answer(campaign, side.comune, ["procurement", "digital"], "intermediate", 5)
    answer(campaign, side.sibling_comune, ["procurement"], "intermediate", 3)
    office = persona_actor(world, "funzionario_formazione")
    assert services.derive_needs(office, campaign) == 3
    assert services.derive_needs(office, campaign) == 3  # again: updated, not doubled
    assert Need.objects.count() == 3
    make_module(side.province_org, area="procurement", level="intermediate")
    ranking = services.needs_ranking(side.province_org, campaign.year)
    assert ranking == [
        {"area": "procurement", "level": "intermediate", "people": 8, "organizations": 2, "covered": True},
        {"area": "digital", "level": "intermediate", "people": 5, "organizations": 1, "covered": False},
    ]
    assert list(Need.objects.uncovered().values_list("area", flat=True)) == ["digital"]
    # The Comune reads its own needs, not its neighbour's.
    own = Need.objects.for_user(world.acting("referente_comune"))
    assert sorted(own.values_list("area", "people")) == [("digital", 5), ("procurement", 5)]
    with pytest.raises(PermissionDenied):
        services.derive_needs(persona_actor(world, "funzionario_dati"), campaign)
    maturity = make_campaign(side)
    with pytest.raises(ValidationError, match="fabbisogni"):
        services.derive_needs(office, maturity)


def test_the_plan_lists_each_module_against_the_needs_of_its_area(world):
    side = world.home
    campaign = make_campaign(side, template="fabbisogni_formativi", title="Fabbisogni formativi")
    answer(campaign, side.comune, ["procurement", "digital"], "base", 4)
    office = persona_actor(world, "funzionario_formazione")
    services.derive_needs(office, campaign)
    plan = Plan.objects.create(province=side.province_org, year=campaign.year, title="Piano della formazione")
    module = make_module(side.province_org, area="procurement", level="base")
    procurement_need = Need.objects.get(area="procurement")
    item = services.plan_module(office, plan, module, [procurement_need], editions=2)
    assert list(item.needs.all()) == [procurement_need] and item.editions == 2
    with pytest.raises(ValidationError, match="propria area"):
        services.plan_module(office, plan, module, [Need.objects.get(area="digital")])
    assert list(plan.items.get().needs.all()) == [procurement_need]
    with pytest.raises(PermissionDenied):
        services.plan_module(persona_actor(world, "referente_comune"), plan, module, [])
