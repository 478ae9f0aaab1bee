"""Services of data collection: templates, builder, campaigns, responses (submit, reopen, audit), catalogue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.audit.models import AuditEvent
from casacomuni.inbox.models import Notification
from casacomuni.insights import tasks
from casacomuni.insights.models import (
    Answer,
    Campaign,
    CampaignState,
    CampaignTarget,
    Questionnaire,
    Response,
    ResponseState,
    ServiceAdoption,
)
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.services import digital_services
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.services import responses as response_services
from casacomuni.insights.testing import (
    MATURITY_ANSWERS,
    MATURITY_SCORE,
    PDF,
    data_officer,
    make_campaign,
    make_questionnaire,
    referent,
)

pytestmark = pytest.mark.django_db


def actions(prefix="insights_"):
    return list(
        AuditEvent.objects.filter(action__startswith=prefix).order_by("pk").values_list("action", flat=True)
    )


# --- Templates and builder -----------------------------------------------------------------------------------


def test_builtin_templates_are_stored_once(world):
    first = questionnaire_services.builtin_template("maturita_digitale")
    again = questionnaire_services.builtin_template("maturita_digitale")
    assert first.pk == again.pk and first.is_builtin and first.is_locked
    assert first.questions.count() == 14
    assert Questionnaire.objects.filter(province__isnull=True).count() == 1
    training = questionnaire_services.builtin_template("fabbisogni_formativi")
    assert training.questions.filter(code="areas_other", visible_if__question="areas").exists()
    with pytest.raises(ValidationError):
        questionnaire_services.builtin_template("nope")


def test_a_copy_of_a_template_is_editable_and_keeps_the_template_code(world):
    officer = data_officer(world.home)
    template = questionnaire_services.builtin_template("maturita_digitale")
    copy = questionnaire_services.copy_questionnaire(officer, template)
    assert copy.province == world.home.province_org and copy.template_code == "maturita_digitale"
    assert copy.based_on == template and copy.questions.count() == template.questions.count()
    section = copy.sections.first()
    questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(code="digital_desk", text="Sportello digitale?", kind="yes_no"),
    )
    assert copy.questions.count() == template.questions.count() + 1
    with pytest.raises(ValidationError) as refused:
        questionnaire_services.save_section(
            officer, template, questionnaire_services.SectionData(title="Nuova")
        )
    assert refused.value.code == "state"
    # Copying one's own questionnaire makes its next version.
    assert questionnaire_services.copy_questionnaire(officer, copy).version == copy.version + 1


def test_another_province_cannot_copy_or_change_a_questionnaire(world):
    questionnaire, section, _question, _file = make_questionnaire(world.home)
    other = data_officer(world.elsewhere)
    with pytest.raises(PermissionDenied):
        questionnaire_services.copy_questionnaire(other, questionnaire)
    with pytest.raises(PermissionDenied):
        questionnaire_services.save_section(
            other, questionnaire, questionnaire_services.SectionData(title="X")
        )
    with pytest.raises(PermissionDenied):
        questionnaire_services.save_question(
            other, section, questionnaire_services.QuestionData(code="x", text="X", kind="text")
        )


def test_question_definitions_are_checked_field_by_field(world):
    questionnaire, section, _question, _file = make_questionnaire(world.home)
    officer = data_officer(world.home)
    cases = [
        ({"code": "registrations", "text": "Doppione", "kind": "text"}, "code"),
        ({"code": "Bad code", "text": "X", "kind": "text"}, "code"),
        ({"code": "colour", "text": "Colore", "kind": "single_choice", "choices": "red = Rosso"}, "choices"),
        ({"code": "n", "text": "N", "kind": "integer", "min_value": "5", "max_value": "1"}, "min_value"),
        ({"code": "n", "text": "N", "kind": "integer", "min_value": "cinque"}, "min_value"),
        ({"code": "n", "text": "N", "kind": "slider"}, "kind"),
        ({"code": "n", "text": "", "kind": "text"}, "text"),
        (
            {"code": "n", "text": "N", "kind": "text", "visible_if": {"question": "nobody", "equals": "x"}},
            "visible_if",
        ),
        (
            {
                "code": "n",
                "text": "N",
                "kind": "text",
                "visible_if": {"question": "registrations", "equals": "many"},
            },
            "visible_if",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            questionnaire_services.save_question(
                officer, section, questionnaire_services.QuestionData(**data)
            )
        assert field in refused.value.message_dict, (data, refused.value.message_dict)
    assert questionnaire.questions.count() == 2
    choice = questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(
            code="colour", text="Colore", kind="single_choice", choices="red = Rosso\nVerde"
        ),
    )
    assert choice.choices == [{"code": "red", "label": "Rosso"}, {"code": "verde", "label": "Verde"}]
    shown = questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(
            code="why_red", text="Perché?", kind="text", visible_if={"question": "colour", "equals": "red"}
        ),
    )
    assert shown.visible_if == {"question": "colour", "equals": "red"}
    with pytest.raises(ValidationError):
        questionnaire_services.delete_question(officer, choice)  # why_red depends on it


def test_a_sent_questionnaire_is_locked(world):
    questionnaire, section, question, _file = make_questionnaire(world.home)
    from casacomuni.insights.testing import make_campaign_of

    make_campaign_of(world.home, questionnaire)
    with pytest.raises(ValidationError) as refused:
        questionnaire_services.save_question(
            data_officer(world.home),
            section,
            questionnaire_services.QuestionData(code="x", text="X", kind="text"),
        )
    assert refused.value.code == "state"


def codes_in_order(section) -> list[str]:
    return list(section.questions.order_by("order", "pk").values_list("code", flat=True))


def test_the_builder_adds_moves_and_removes_questions_with_an_audit_trail(world):
    questionnaire, section, _registrations, _manual = make_questionnaire(world.home)
    officer = data_officer(world.home)
    pec = questionnaire_services.save_question(
        officer, section, questionnaire_services.QuestionData(code="pec", text="Indirizzo PEC", kind="text")
    )
    assert codes_in_order(section) == ["registrations", "manual", "pec"]  # a new question goes last

    questionnaire_services.move_question(officer, pec, "up")
    assert codes_in_order(section) == ["registrations", "pec", "manual"]
    questionnaire_services.move_question(officer, pec, "up")
    assert codes_in_order(section) == ["pec", "registrations", "manual"]
    questionnaire_services.move_question(officer, pec, "down")
    assert codes_in_order(section) == ["registrations", "pec", "manual"]
    assert list(section.questions.order_by("order").values_list("order", flat=True)) == [1, 2, 3]

    questionnaire_services.delete_question(officer, pec)
    assert codes_in_order(section) == ["registrations", "manual"]
    assert actions("insights_question.") == [
        "insights_question.create",
        "insights_question.create",
        "insights_question.create",
        "insights_question.move",
        "insights_question.move",
        "insights_question.move",
        "insights_question.delete",
    ]
    moved = AuditEvent.objects.filter(action="insights_question.move").order_by("pk").first()
    assert moved.changes == {"order": [3, 2]}


def test_questions_with_the_same_order_still_move(world):
    """Rows stored with the default order 0 (an import, an old version) are renumbered by the move."""
    _questionnaire, section, registrations, manual = make_questionnaire(world.home)
    section.questions.update(order=0)
    questionnaire_services.move_question(data_officer(world.home), manual, "up")
    assert codes_in_order(section) == ["manual", "registrations"]


def test_a_move_past_the_ends_or_in_a_locked_questionnaire_changes_nothing(world):
    questionnaire, section, registrations, manual = make_questionnaire(world.home)
    officer = data_officer(world.home)
    for question, direction in ((registrations, "up"), (manual, "down"), (manual, "sideways")):
        with pytest.raises(ValidationError):
            questionnaire_services.move_question(officer, question, direction)
    assert codes_in_order(section) == ["registrations", "manual"]
    with pytest.raises(PermissionDenied):
        questionnaire_services.move_question(data_officer(world.elsewhere), manual, "up")
    from casacomuni.insights.testing import make_campaign_of

    make_campaign_of(world.home, questionnaire)
    with pytest.raises(ValidationError) as refused:
        questionnaire_services.move_question(officer, manual, "up")
    assert refused.value.code == "state"
    assert codes_in_order(section) == ["registrations", "manual"]
    assert not AuditEvent.objects.filter(action="insights_question.move").exists()


# --- Campaigns ---------------------------------------------------------------------------------------------


def test_a_campaign_targets_only_comuni_of_the_province(world):
    officer = data_officer(world.home)
    today = timezone.localdate()
    base = {
        "title": "T",
        "questionnaire": questionnaire_services.builtin_template("maturita_digitale"),
        "year": 2026,
        "deadline": today + timedelta(days=5),
    }
    with pytest.raises(ValidationError) as refused:
        campaign_services.create_campaign(
            officer, campaign_services.CampaignData(**(base | {"targets": [world.elsewhere.comune.pk]}))
        )
    assert "targets" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        campaign_services.create_campaign(
            officer, campaign_services.CampaignData(**(base | {"targets": [world.home.union.pk]}))
        )
    assert "targets" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        campaign_services.create_campaign(
            officer,
            campaign_services.CampaignData(
                **base
                | {"targets": "all", "deadline": today - timedelta(days=1), "opens_on": today, "year": 1800}
            ),
        )
    assert {"deadline", "year"} <= set(refused.value.message_dict)
    campaign = campaign_services.create_campaign(
        officer, campaign_services.CampaignData(**(base | {"targets": "all"}))
    )
    assert set(campaign.targets.values_list("organization", flat=True)) == {
        world.home.comune.pk,
        world.home.sibling_comune.pk,
    }
    assert Campaign.objects.count() == 1


def test_an_organisation_without_a_territory_has_no_comuni(world):
    """A Comune's organisation may have no Province yet (an imported row): it is nobody's Comune, and an
    organisation without a territory (UPI) is given none, not the Comuni without a Province."""
    Organization.objects.create(kind=OrganizationKind.MUNICIPALITY, name="Comune senza provincia")
    assert not campaign_services.province_comuni(world.upi).exists()
    assert set(campaign_services.province_comuni(world.home.province_org)) == {
        world.home.comune,
        world.home.sibling_comune,
    }


def test_a_referent_cannot_create_a_campaign(world):
    with pytest.raises(PermissionDenied):
        campaign_services.create_campaign(
            referent(world.home.comune),
            campaign_services.CampaignData(title="T", questionnaire=None, year=None, deadline=None),
        )


def test_sending_emails_the_referents_once(world, django_capture_on_commit_callbacks, immediate_tasks):
    sibling = referent(world.home.sibling_comune)  # a new referent with an e-mail address
    with django_capture_on_commit_callbacks(execute=True):
        campaign = make_campaign(world.home)
    assert campaign.state == CampaignState.SENT and campaign.sent_at
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([sibling.user.email, "referente_comune@example.test"])
    told = Notification.objects.filter(
        kind="insights.campaign", url=reverse("insights:response_form", args=[campaign.pk])
    )
    assert sorted(told.values_list("recipient__email", flat=True)) == recipients
    with pytest.raises(ValidationError) as refused:
        campaign_services.send_campaign(data_officer(world.home), campaign)
    assert refused.value.code == "state"
    assert actions("insights_campaign") == ["insights_campaign.create", "insights_campaign.send"]


# --- Responses ---------------------------------------------------------------------------------------------


def test_a_comune_saves_a_draft_then_submits_and_gets_its_index(world):
    campaign = make_campaign(world.home)
    comune = referent(world.home.comune)
    draft = response_services.save_response(comune, campaign, {"pagopa_services": "4"}, submit=False)
    assert draft.state == ResponseState.DRAFT and draft.score is None
    assert Answer.objects.get(response=draft, question__code="pagopa_services").value == 4
    submitted = response_services.save_response(comune, campaign, MATURITY_ANSWERS, submit=True)
    assert submitted.pk == draft.pk
    assert submitted.state == ResponseState.SUBMITTED and submitted.submitted_at
    assert submitted.score == Decimal(MATURITY_SCORE)
    assert submitted.score_parts["areas"]["platforms"] == "7.33"
    assert actions("insights_response") == ["insights_response.save_draft", "insights_response.submit"]


def test_invalid_answers_are_refused_per_question_and_nothing_is_written(world):
    campaign = make_campaign(world.home)
    answers = MATURITY_ANSWERS | {
        "pagopa_services": -1,
        "website_model": "splendid",
        "syllabus_percent": "33.33",
    }
    answers.pop("rtd_named")
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(referent(world.home.comune), campaign, answers, submit=True)
    assert set(refused.value.message_dict) == {
        "pagopa_services",
        "website_model",
        "syllabus_percent",
        "rtd_named",
    }
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert actions("insights_response") == []


def test_a_submitted_response_cannot_change_until_reopened(world):
    campaign = make_campaign(world.home)
    comune = referent(world.home.comune)
    response = response_services.save_response(comune, campaign, MATURITY_ANSWERS, submit=True)
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(
            comune, campaign, MATURITY_ANSWERS | {"rtd_named": False}, submit=True
        )
    assert refused.value.code == "state"
    with pytest.raises(ValidationError):
        response_services.request_reopen(comune, response, "")
    response = response_services.request_reopen(comune, response, "Abbiamo attivato SEND.")
    assert response.state == ResponseState.REOPEN_REQUESTED
    with pytest.raises(PermissionDenied):
        response_services.reopen_response(comune, response)
    with pytest.raises(PermissionDenied):
        response_services.reopen_response(data_officer(world.elsewhere), response)
    response = response_services.reopen_response(data_officer(world.home), response, "Va bene.")
    assert response.state == ResponseState.REOPENED
    response = response_services.save_response(
        comune, campaign, MATURITY_ANSWERS | {"send_act_types": 3}, submit=True
    )
    assert response.score == Decimal(MATURITY_SCORE) + Decimal("6.67")
    assert actions("insights_response") == [
        "insights_response.submit",
        "insights_response.request_reopen",
        "insights_response.reopen",
        "insights_response.submit",
    ]


def test_only_target_comuni_answer_and_only_while_the_campaign_is_open(world):
    campaign = make_campaign(world.home, comuni=[world.home.comune])
    with pytest.raises(PermissionDenied):
        response_services.save_response(referent(world.home.sibling_comune), campaign, {}, submit=False)
    with pytest.raises(PermissionDenied):
        response_services.save_response(referent(world.elsewhere.comune), campaign, {}, submit=False)
    with pytest.raises(PermissionDenied):
        response_services.save_response(data_officer(world.home), campaign, {}, submit=False)
    campaign_services.close_campaign(data_officer(world.home), campaign)
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(referent(world.home.comune), campaign, {}, submit=False)
    assert refused.value.code == "state"
    draft = make_campaign(world.home, send=False)
    with pytest.raises(ValidationError):
        response_services.save_response(referent(world.home.comune), draft, {}, submit=False)


def test_a_campaign_not_yet_open_names_its_opening_day_the_italian_way(world):
    campaign = make_campaign(world.home, opens_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(referent(world.home.comune), campaign, {}, submit=False)
    day = campaign.opens_on.strftime("%d/%m/%Y")
    assert refused.value.messages == [f"Questa rilevazione si apre il {day}."]  # not "2026-12-10"


def test_file_answers_are_stored_checked_and_kept(world):
    questionnaire, _section, _question, _file = make_questionnaire(world.home)
    from casacomuni.insights.testing import make_campaign_of

    campaign = make_campaign_of(world.home, questionnaire)
    comune = referent(world.home.comune)
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(comune, campaign, {}, submit=False, files={"manual": bad})
    assert "manual" in refused.value.message_dict
    upload = SimpleUploadedFile("manuale.pdf", PDF, content_type="application/pdf")
    response = response_services.save_response(
        comune, campaign, {"registrations": 5}, submit=False, files={"manual": upload}
    )
    answer = response.answers.get(question__code="manual")
    assert answer.original_name == "manuale.pdf" and answer.value == "manuale.pdf"
    assert not answer.file.name.endswith("manuale.pdf")  # stored under a random name
    # Saved again without a new file: the stored one is kept; cleared on request.
    response = response_services.save_response(comune, campaign, {"registrations": 6}, submit=False)
    assert response.answers.get(question__code="manual").file
    response = response_services.save_response(comune, campaign, {}, submit=False, clear_files=("manual",))
    assert not response.answers.get(question__code="manual").file


# --- Reminders ---------------------------------------------------------------------------------------------


def test_reminders_go_to_comuni_without_a_submitted_response(world, immediate_tasks):
    today = timezone.localdate()
    campaign = make_campaign(world.home, deadline=today + timedelta(days=7))
    response_services.save_response(referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True)
    sibling = referent(world.home.sibling_comune)
    mail.outbox.clear()
    result = tasks.send_campaign_reminders.enqueue().return_value
    assert result == {"targets": 1, "emails": 1}
    assert mail.outbox[0].to == [sibling.user.email]
    target = CampaignTarget.objects.get(campaign=campaign, organization=world.home.sibling_comune)
    assert target.last_reminded_on == today and target.reminders_sent == 1
    # Not twice the same day.
    assert tasks.send_campaign_reminders.enqueue().return_value == {"targets": 0, "emails": 0}


def test_the_reminders_command_enqueues_the_task(world, capsys):
    from django.core.management import call_command

    call_command("campaign_reminders")
    assert capsys.readouterr().out


# --- Catalogue ---------------------------------------------------------------------------------------------


def test_the_catalogue_and_adoptions(world):
    officer = data_officer(world.home)
    service = digital_services.save_digital_service(
        officer, digital_services.DigitalServiceData(name="Protocollo in cloud", category="documents")
    )
    with pytest.raises(ValidationError) as refused:
        digital_services.save_digital_service(
            officer, digital_services.DigitalServiceData(name="protocollo in cloud", category="nope")
        )
    assert set(refused.value.message_dict) == {"name", "category"}
    adoption = digital_services.record_adoption(
        officer, service, digital_services.AdoptionData(organization=world.home.comune.pk, status="planned")
    )
    again = digital_services.record_adoption(
        officer,
        service,
        digital_services.AdoptionData(organization=world.home.comune, status="active", since="2025-01-15"),
    )
    assert again.pk == adoption.pk and again.status == "active" and str(again.since) == "2025-01-15"
    with pytest.raises(ValidationError) as refused:
        digital_services.record_adoption(
            officer,
            service,
            digital_services.AdoptionData(organization=world.elsewhere.comune.pk, status="active"),
        )
    assert "organization" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        digital_services.record_adoption(
            data_officer(world.elsewhere),
            service,
            digital_services.AdoptionData(organization=world.home.comune.pk, status="active"),
        )
    assert ServiceAdoption.objects.count() == 1
    assert actions("insights_adoption") == ["insights_adoption.record", "insights_adoption.record"]


def test_a_draft_campaign_can_change_a_sent_one_cannot(world):
    officer = data_officer(world.home)
    draft = make_campaign(world.home, send=False, comuni=[world.home.comune])
    data = {
        "title": "Nuovo titolo",
        "questionnaire": draft.questionnaire,
        "year": 2027,
        "opens_on": draft.opens_on,
        "deadline": draft.deadline,
        "targets": [world.home.sibling_comune.pk],
    }
    changed = campaign_services.update_campaign(officer, draft, campaign_services.CampaignData(**data))
    assert changed.title == "Nuovo titolo" and changed.year == 2027
    assert list(changed.targets.values_list("organization", flat=True)) == [world.home.sibling_comune.pk]
    sent = campaign_services.send_campaign(officer, changed)
    with pytest.raises(ValidationError) as refused:
        campaign_services.update_campaign(officer, sent, campaign_services.CampaignData(**data))
    assert refused.value.code == "state"
    assert actions("insights_campaign") == [
        "insights_campaign.create",
        "insights_campaign.update",
        "insights_campaign.send",
    ]


def test_a_section_whose_questions_others_depend_on_cannot_go(world):
    questionnaire, section, _question, _file = make_questionnaire(world.home)
    officer = data_officer(world.home)
    other = questionnaire_services.save_section(
        officer, questionnaire, questionnaire_services.SectionData(title="Seguito")
    )
    questionnaire_services.save_question(
        officer,
        other,
        questionnaire_services.QuestionData(
            code="why", text="Perché?", kind="text", visible_if={"question": "registrations", "equals": "0"}
        ),
    )
    with pytest.raises(ValidationError):
        questionnaire_services.delete_section(officer, section)
    questionnaire_services.delete_section(officer, other)
    assert list(questionnaire.sections.all()) == [section]
    assert questionnaire.questions.count() == 2


def test_a_file_answer_cannot_be_claimed_without_a_file(world):
    officer = data_officer(world.home)
    questionnaire, section, _question, file_question = make_questionnaire(world.home)
    questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(code="manual", text="Manuale", kind="file", required=True),
        file_question,
    )
    from casacomuni.insights.testing import make_campaign_of

    campaign = make_campaign_of(world.home, questionnaire)
    with pytest.raises(ValidationError) as refused:
        response_services.save_response(
            referent(world.home.comune), campaign, {"manual": "manuale.pdf"}, submit=True
        )
    assert "manual" in refused.value.message_dict
