"""Test data of data collection, shared with the cross-tenant matrix.

``add_insights(side, world)`` creates, through the services (audit included), one of each object for
``side``: a questionnaire of its Province with a section and a question (and a file question), a campaign
of the maturity template sent to the side's Comune and sibling Comune, the Comune's submitted response
with its answers and a file answer, a draft campaign, a digital service and the Comune's adoption of it.

Who may see them: the Province's administrator and data officer (``DATA_OFFICE_ROLES``) everything of their
Province; the side's Comune (referent, staff) the sent campaign, its own response and answers, its own
adoption and the catalogue of its Province; nobody else (other Province roles see the catalogue only).
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.insights.models import AdoptionStatus, CampaignTarget, QuestionKind, ServiceCategory
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.services import digital_services
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.services import responses as response_services
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.testing import actor_for

PDF = act_pdf(["Documento di prova"])

MATURITY_ANSWERS = {
    "spid_cie_login": True,
    "pagopa_services": 4,
    "io_services": 3,
    "website_model": "partial",
    "send_act_types": 1,
    "pdnd_eservices": 0,
    "cloud_services_total": 15,
    "cloud_services_migrated": 6,
    "open_data_harvested": False,
    "rtd_named": True,
    "syllabus_percent": "35.5",
}
MATURITY_SCORE = "42.88"  # see tests/test_maturity.py, worked example


def data_officer(side) -> Actor:
    return actor_for(side.province_org, Role.DATA_OFFICER, f"dati_{side.province.sigla.lower()}")


def referent(comune) -> Actor:
    return actor_for(comune, Role.MUNICIPALITY_REFERENT, f"referente_dati_{comune.pk}")


def make_campaign(side, *, template="maturita_digitale", comuni=None, send=True, year=None, **extra):
    """A campaign of a built-in template sent (or not) to ``comuni`` (default: the side's two Comuni)."""
    today = timezone.localdate()
    data = {
        "title": extra.pop("title", "Maturità digitale"),
        "questionnaire": questionnaire_services.builtin_template(template),
        "year": year or today.year,
        "opens_on": extra.pop("opens_on", today - timedelta(days=10)),
        "deadline": extra.pop("deadline", today + timedelta(days=20)),
        "targets": [c.pk for c in (comuni or (side.comune, side.sibling_comune))],
        **extra,
    }
    officer = data_officer(side)
    campaign = campaign_services.create_campaign(officer, campaign_services.CampaignData(**data))
    if send:
        campaign = campaign_services.send_campaign(officer, campaign)
    return campaign


def make_questionnaire(side):
    officer = data_officer(side)
    questionnaire = questionnaire_services.create_questionnaire(
        officer, questionnaire_services.QuestionnaireData(title="Rilevazione protocollo")
    )
    section = questionnaire_services.save_section(
        officer, questionnaire, questionnaire_services.SectionData(title="Protocollo")
    )
    question = questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(code="registrations", text="Registrazioni annue", kind="integer"),
    )
    file_question = questionnaire_services.save_question(
        officer,
        section,
        questionnaire_services.QuestionData(
            code="manual", text="Manuale di gestione", kind=QuestionKind.FILE
        ),
    )
    return questionnaire, section, question, file_question


def add_insights(side, world=None) -> dict:
    questionnaire, section, question, file_question = make_questionnaire(side)
    campaign = make_campaign(side)
    response = response_services.save_response(referent(side.comune), campaign, MATURITY_ANSWERS, submit=True)
    own_campaign = make_campaign_of(side, questionnaire)
    file_response = response_services.save_response(
        referent(side.comune),
        own_campaign,
        {"registrations": 1200},
        submit=False,
        files={"manual": SimpleUploadedFile("manuale.pdf", PDF, content_type="application/pdf")},
    )
    draft = make_campaign(side, send=False, title="Campagna in bozza")
    service = digital_services.save_digital_service(
        data_officer(side),
        digital_services.DigitalServiceData(name="Intermediazione pagoPA", category=ServiceCategory.PAGOPA),
    )
    adoption = digital_services.record_adoption(
        data_officer(side),
        service,
        digital_services.AdoptionData(organization=side.comune, status=AdoptionStatus.ACTIVE),
    )
    return {
        "questionnaire": questionnaire,
        "section": section,
        "question": question,
        "campaign": campaign,
        "target": CampaignTarget.objects.get(campaign=campaign, organization=side.comune),
        "response": response,
        "answer": response.answers.get(question__code="spid_cie_login"),
        "file_response": file_response,
        "file_answer": file_response.answers.get(question=file_question),
        "draft_campaign": draft,
        "digital_service": service,
        "adoption": adoption,
    }


def make_campaign_of(side, questionnaire, comuni=None):
    officer = data_officer(side)
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        officer,
        campaign_services.CampaignData(
            title=questionnaire.title,
            questionnaire=questionnaire,
            year=today.year,
            opens_on=today,
            deadline=today + timedelta(days=30),
            targets=[c.pk for c in (comuni or (side.comune,))],
        ),
    )
    return campaign_services.send_campaign(officer, campaign)
