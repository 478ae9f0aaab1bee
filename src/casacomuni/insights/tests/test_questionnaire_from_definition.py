"""A questionnaire built from a definition (a questionnaire template of the model library)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casacomuni.accounts.actor import Actor
from casacomuni.insights.models import Questionnaire
from casacomuni.insights.services.questionnaires import (
    QuestionnaireData,
    create_questionnaire_from_sections,
    normalised_sections,
)

pytestmark = pytest.mark.django_db

SECTIONS = [
    {
        "title": "Pagamenti",
        "questions": [
            {"code": "pagopa", "text": "Si paga con pagoPA?", "kind": "yes_no", "required": True},
            {
                "code": "entrate",
                "text": "Quali entrate?",
                "kind": "multiple_choice",
                "choices": [{"code": "tributi", "label": "Tributi"}, {"code": "mensa", "label": "Mensa"}],
                "visible_if": {"question": "pagopa", "equals": True},
            },
        ],
    }
]


def test_the_data_office_gets_an_editable_questionnaire_of_its_province(world):
    actor = Actor.for_membership(world.memberships["funzionario_dati"])
    questionnaire = create_questionnaire_from_sections(
        actor, QuestionnaireData(title="Pagamenti digitali"), SECTIONS
    )
    assert questionnaire.province == world.home.province_org and not questionnaire.is_locked
    (section,) = questionnaire.sections.all()
    assert [(q.code, q.order) for q in section.questions.order_by("order")] == [("pagopa", 1), ("entrate", 2)]


def test_a_definition_with_a_condition_on_an_unknown_question_is_refused_and_writes_nothing(world):
    wrong = [
        {
            "title": "S",
            "questions": [
                {
                    "code": "a",
                    "text": "A?",
                    "kind": "yes_no",
                    "visible_if": {"question": "zeta", "equals": True},
                }
            ],
        }
    ]
    assert normalised_sections(wrong)[1]
    actor = Actor.for_membership(world.memberships["funzionario_dati"])
    with pytest.raises(ValidationError):
        create_questionnaire_from_sections(actor, QuestionnaireData(title="Sbagliato"), wrong)
    assert (
        normalised_sections("non una lista")[1] and normalised_sections([{"title": "S", "questions": []}])[1]
    )
    assert not Questionnaire.objects.exists()


def test_only_the_data_office_builds_one(world):
    with pytest.raises(PermissionDenied):
        create_questionnaire_from_sections(
            Actor.for_membership(world.memberships["funzionario_sua"]), QuestionnaireData(title="X"), SECTIONS
        )
