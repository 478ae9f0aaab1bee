"""Pages of data collection: who may open them, the builder, the response form, exports, query counts."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casacomuni.insights.models import (
    Campaign,
    DigitalService,
    Question,
    Questionnaire,
    Response,
    ResponseState,
)
from casacomuni.insights.services import digital_services
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.services import responses as response_services
from casacomuni.insights.testing import (
    MATURITY_ANSWERS,
    MATURITY_SCORE,
    PDF,
    add_insights,
    data_officer,
    make_campaign,
    make_campaign_of,
    make_questionnaire,
    referent,
)

pytestmark = pytest.mark.django_db


def form_answers(answers: dict) -> dict:
    data = {}
    for code, value in answers.items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        data[f"q_{code}"] = value
    return data


def test_the_officer_creates_a_campaign_from_the_template_and_sends_it(login_as, world):
    client = login_as("funzionario_dati")
    assert client.get(reverse("insights:questionnaire_list")).status_code == 200
    template = questionnaire_services.builtin_template("maturita_digitale")
    page = client.get(reverse("insights:campaign_create"), {"questionnaire": template.pk})
    assert page.status_code == 200
    today = timezone.localdate()
    response = client.post(
        reverse("insights:campaign_create"),
        {
            "title": "Maturità digitale 2026",
            "questionnaire": template.pk,
            "year": 2026,
            "opens_on": today.isoformat(),
            "deadline": (today + timedelta(days=30)).isoformat(),
            "all_comuni": "on",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "insights:campaign_detail", args=[campaign.pk]
    )
    assert client.post(reverse("insights:campaign_action", args=[campaign.pk, "send"])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "sent" and campaign.targets.count() == 2
    page = client.get(reverse("insights:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    assert f'id="comune-{world.home.comune.pk}" data-status="not_started"' in page.content.decode()


def test_a_campaign_form_with_errors_is_a_400_and_writes_nothing(login_as, world):
    client = login_as("funzionario_dati")
    response = client.post(reverse("insights:campaign_create"), {"title": "", "year": "1800"})
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_a_comune_fills_in_saves_and_submits_through_the_form(login_as, world):
    campaign = make_campaign(world.home)
    client = login_as("referente_comune")
    url = reverse("insights:response_form", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-show-if="q_website_model" data-show-equals="compliant"' in html
    assert 'data-show-if="q_open_data_harvested" data-show-equals="yes"' in html
    # A draft with a wrong number: 400, the field's error shown, nothing saved.
    bad = client.post(url, {"save": "1", "q_pagopa_services": "tanti"})
    assert bad.status_code == 400
    assert 'id="q_pagopa_services-errors"' in bad.content.decode()
    assert not Response.objects.exists()
    assert client.post(url, {"save": "1", "q_pagopa_services": "4"}).status_code == 302
    assert Response.objects.get().state == ResponseState.DRAFT
    # Submitting without the required answers: refused per field.
    missing = client.post(url, {"submit": "1", "q_pagopa_services": "4"})
    assert missing.status_code == 400
    assert 'id="q_rtd_named-errors"' in missing.content.decode()
    data = form_answers(MATURITY_ANSWERS) | {"submit": "1", "q_website_online_since": "not shown, ignored"}
    assert client.post(url, data).status_code == 302
    response = Response.objects.get()
    assert response.state == ResponseState.SUBMITTED and str(response.score) == MATURITY_SCORE
    assert (
        not response.answers.filter(question__code="website_online_since")
        .filter(value__isnull=False)
        .exists()
    )
    # Read-only now: a new post is refused and changes nothing.
    again = client.post(url, data | {"q_rtd_named": "no"})
    assert again.status_code == 400
    assert response.answers.get(question__code="rtd_named").value is True
    # Ask to reopen.
    reopen = client.post(
        reverse("insights:response_request_reopen", args=[campaign.pk]), {"reopen-reason": "Errore"}
    )
    assert reopen.status_code == 302
    assert Response.objects.get().state == ResponseState.REOPEN_REQUESTED


def test_a_file_answer_survives_a_refused_draft(login_as, world):
    questionnaire = make_questionnaire(world.home)[0]
    campaign = make_campaign_of(world.home, questionnaire)
    client = login_as("referente_comune")
    url = reverse("insights:response_form", args=[campaign.pk])
    manual = SimpleUploadedFile("manuale.pdf", PDF, content_type="application/pdf")
    bad = client.post(url, {"save": "1", "q_registrations": "tante", "q_manual": manual})
    assert bad.status_code == 400
    assert "Già caricato: <strong>manuale.pdf</strong>" in bad.content.decode()
    token = str(bad.context["form"].kept_uploads["q_manual"].pk)

    assert (
        client.post(url, {"save": "1", "q_registrations": "1200", "q_manual-kept": token}).status_code == 302
    )
    answer = Response.objects.get().answers.get(question__code="manual")
    assert (answer.original_name, answer.file.read()) == ("manuale.pdf", PDF)


def test_the_officer_reads_and_reopens_a_response(login_as, world):
    campaign = make_campaign(world.home)
    response = response_services.save_response(
        referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True
    )
    client = login_as("funzionario_dati")
    page = client.get(reverse("insights:response_detail", args=[response.pk]))
    assert page.status_code == 200 and 'id="reopen-response"' in page.content.decode()
    assert '<dd class="col-sm-9" id="response-score">42,88 / 100</dd>' in page.content.decode()
    assert client.post(reverse("insights:response_reopen", args=[response.pk])).status_code == 302
    response.refresh_from_db()
    assert response.state == ResponseState.REOPENED


def test_exports_have_one_row_per_comune_and_one_column_per_question(login_as, world):
    campaign = make_campaign(world.home)
    response_services.save_response(
        referent(world.home.comune), campaign, MATURITY_ANSWERS | {"notes": "=SUM(A1)"}, submit=True
    )
    client = login_as("funzionario_dati")
    exported = client.get(reverse("insights:campaign_export", args=[campaign.pk, "csv"]))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    codes = list(campaign.questionnaire.questions.values_list("code", flat=True))
    assert rows[0] == ["comune", "codice_istat", "stato", "inviato_il", "indice", *codes]
    by_comune = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    mine = by_comune[world.home.comune.name]
    assert (
        mine["indice"] == MATURITY_SCORE and mine["spid_cie_login"] == "si" and mine["pagopa_services"] == "4"
    )
    assert mine["codice_istat"] == world.home.comune.municipality.istat_code
    assert mine["notes"] == "'=SUM(A1)"
    assert by_comune[world.home.sibling_comune.name]["stato"] == "not_started"
    xlsx = client.get(reverse("insights:campaign_export", args=[campaign.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert list(values[0][:5]) == ["comune", "codice_istat", "stato", "inviato_il", "indice"]
    assert len(values) == 3
    assert client.get(reverse("insights:campaign_export", args=[campaign.pk, "pdf"])).status_code == 404


def test_the_export_dates_a_late_evening_submission_on_the_day_in_rome(login_as, world):
    campaign = make_campaign(world.home)
    # 23:30 UTC is already the next day in Rome (00:30 in winter, 01:30 in summer).
    late = datetime.combine(timezone.localdate() + timedelta(days=1), time(23, 30), tzinfo=UTC)
    response_services.save_response(
        referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True, now=late
    )
    exported = login_as("funzionario_dati").get(
        reverse("insights:campaign_export", args=[campaign.pk, "csv"])
    )
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    mine = next(row for row in rows if row["comune"] == world.home.comune.name)
    assert mine["inviato_il"] == (late.date() + timedelta(days=1)).isoformat()


def test_the_editions_page_compares_years(login_as, world):
    for year, extra in ((2025, {"send_act_types": 0}), (2026, {})):
        campaign = make_campaign(world.home, year=year)
        response_services.save_response(
            referent(world.home.comune), campaign, MATURITY_ANSWERS | extra, submit=True
        )
    page = login_as("funzionario_dati").get(reverse("insights:editions"))
    assert page.status_code == 200
    assert page.context["years"] == [2025, 2026]
    ((comune, scores),) = page.context["rows"]
    assert comune == world.home.comune and [str(s) for s in scores] == ["39.55", MATURITY_SCORE]
    assert '<td class="text-end">39,55</td>' in page.text


def test_the_builder_pages(login_as, world):
    client = login_as("funzionario_dati")
    created = client.post(reverse("insights:questionnaire_create"), {"title": "Rilevazione GIS"})
    questionnaire = Questionnaire.objects.get(title="Rilevazione GIS")
    assert created.url == reverse("insights:questionnaire_detail", args=[questionnaire.pk])
    client.post(
        reverse("insights:section_create", args=[questionnaire.pk]), {"section-title": "Dati territoriali"}
    )
    section = questionnaire.sections.get()
    url = reverse("insights:question_create", args=[section.pk])
    assert client.get(url).status_code == 200
    wrong = client.post(
        url, {"code": "layers", "text": "Strati", "kind": "integer", "min_value": "9", "max_value": "1"}
    )
    assert wrong.status_code == 400 and not Question.objects.filter(code="layers").exists()
    ok = client.post(
        url,
        {
            "code": "layers",
            "text": "Strati",
            "kind": "integer",
            "min_value": "0",
            "max_value": "1500",
            "required": "on",
        },
    )
    assert ok.status_code == 302
    question = Question.objects.get(code="layers")
    assert question.required and question.max_value == 1500
    detail = client.get(reverse("insights:questionnaire_detail", args=[questionnaire.pk])).content.decode()
    assert "[0–1.500]" in detail
    edit = reverse("insights:question_edit", args=[question.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"code": "layers", "text": "Strati GIS", "kind": "integer"}).status_code == 302
    assert client.get(reverse("insights:questionnaire_detail", args=[questionnaire.pk])).status_code == 200
    assert client.post(reverse("insights:question_delete", args=[question.pk])).status_code == 302
    assert not Question.objects.filter(code="layers").exists()


# --- The builder on one page (htmx) ------------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def preview_codes(response) -> list[str]:
    """The questions' codes in the order the preview shows them."""
    import re

    preview = response.content.decode().split('id="preview"', 1)[1]
    return re.findall(r'class="preview-question mb-3" data-code="([^"]+)"', preview)


def test_the_builder_adds_moves_and_deletes_questions_in_place(login_as, world):
    from casacomuni.insights.testing import make_questionnaire

    questionnaire, section, registrations, manual = make_questionnaire(world.home)
    client = login_as("funzionario_dati")
    page = client.get(reverse("insights:questionnaire_detail", args=[questionnaire.pk]))
    assert preview_codes(page) == ["registrations", "manual"]
    assert f'id="add-question-form-{section.pk}"' in page.content.decode()

    added = client.post(
        reverse("insights:question_add", args=[section.pk]),
        {f"add-{section.pk}-text": "Indirizzo PEC", f"add-{section.pk}-kind": "text"},
        **HTMX,
    )
    assert added.status_code == 200
    html = added.content.decode()
    assert html.lstrip().startswith('<div id="builder"')
    assert "<html" not in html  # the fragment only, swapped in place
    assert preview_codes(added) == ["registrations", "manual", "indirizzo_pec"]  # the code made from the text
    assert 'hx-swap-oob="innerHTML">La domanda “Indirizzo PEC” è stata aggiunta.' in html

    pec = Question.objects.get(code="indirizzo_pec")
    moved = client.post(reverse("insights:question_move", args=[pec.pk]), {"direction": "up"}, **HTMX)
    assert moved.status_code == 200
    assert preview_codes(moved) == ["registrations", "indirizzo_pec", "manual"]
    assert "“Indirizzo PEC” è ora la domanda 2 di 3." in moved.content.decode()

    deleted = client.post(reverse("insights:question_delete", args=[pec.pk]), **HTMX)
    assert deleted.status_code == 200 and preview_codes(deleted) == ["registrations", "manual"]


def test_the_builder_refuses_bad_input_with_the_reason_and_writes_nothing(login_as, world):
    from casacomuni.insights.testing import make_questionnaire

    questionnaire, section, registrations, manual = make_questionnaire(world.home)
    client = login_as("funzionario_dati")
    add = reverse("insights:question_add", args=[section.pk])
    duplicate = client.post(
        add,
        {
            f"add-{section.pk}-text": "Registrazioni",
            f"add-{section.pk}-kind": "text",
            f"add-{section.pk}-code": "registrations",
        },
        **HTMX,
    )
    assert duplicate.status_code == 400
    html = duplicate.content.decode()
    assert "Un&#x27;altra domanda ha già il codice «registrations»." in html
    assert 'value="Registrazioni"' in html  # the text typed is kept in the form
    assert questionnaire.questions.count() == 2

    first = client.post(
        reverse("insights:question_move", args=[registrations.pk]), {"direction": "up"}, **HTMX
    )
    assert first.status_code == 400
    assert "La domanda è già la prima della sua sezione." in first.content.decode()
    assert preview_codes(first) == ["registrations", "manual"]

    # Without JavaScript the same forms post and come back to the page.
    plain = client.post(add, {f"add-{section.pk}-text": "", f"add-{section.pk}-kind": "text"})
    assert plain.status_code == 400 and "<html" in plain.content.decode()
    moved = client.post(reverse("insights:question_move", args=[manual.pk]), {"direction": "up"})
    assert moved.status_code == 302
    assert list(section.questions.order_by("order").values_list("code", flat=True)) == [
        "manual",
        "registrations",
    ]


def test_a_locked_questionnaire_has_no_builder_commands(login_as, world):
    from casacomuni.insights.testing import make_campaign_of, make_questionnaire

    questionnaire, section, registrations, manual = make_questionnaire(world.home)
    make_campaign_of(world.home, questionnaire)
    client = login_as("funzionario_dati")
    html = client.get(reverse("insights:questionnaire_detail", args=[questionnaire.pk])).content.decode()
    assert 'id="move-up-' not in html and 'id="add-question-form-' not in html
    assert 'data-code="manual"' in html  # the preview is still there
    refused = client.post(reverse("insights:question_move", args=[manual.pk]), {"direction": "up"}, **HTMX)
    assert refused.status_code == 400


def test_the_builder_runs_a_fixed_number_of_queries(login_as, world):
    from casacomuni.insights.testing import make_questionnaire

    questionnaire, section, registrations, manual = make_questionnaire(world.home)
    client = login_as("funzionario_dati")
    url = reverse("insights:questionnaire_detail", args=[questionnaire.pk])
    few = queries(client, url)
    officer = data_officer(world.home)
    other = questionnaire_services.save_section(
        officer, questionnaire, questionnaire_services.SectionData(title="Altro")
    )
    for index in range(6):
        questionnaire_services.save_question(
            officer,
            other,
            questionnaire_services.QuestionData(code=f"q{index}", text=f"Domanda {index}", kind="text"),
        )
    assert queries(client, url) == few


def test_the_catalogue_pages(login_as, world):
    client = login_as("funzionario_dati")
    created = client.post(
        reverse("insights:service_create"),
        {"service-name": "GIS provinciale", "service-category": "gis", "service-is_active": "on"},
    )
    service = DigitalService.objects.get()
    assert created.url == reverse("insights:service_detail", args=[service.pk])
    recorded = client.post(
        reverse("insights:service_detail", args=[service.pk]),
        {"form": "adoption", "adoption-organization": world.home.comune.pk, "adoption-status": "active"},
    )
    assert recorded.status_code == 302
    wrong = client.post(
        reverse("insights:service_detail", args=[service.pk]),
        {"form": "adoption", "adoption-organization": world.elsewhere.comune.pk, "adoption-status": "active"},
    )
    assert wrong.status_code == 400
    comune = login_as("referente_comune")
    page = comune.get(reverse("insights:service_list"))
    assert page.status_code == 200 and page.context["services"][0].own_adoption.status == "active"
    assert (
        comune.post(
            reverse("insights:service_create"), {"service-name": "X", "service-category": "gis"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("funzionario_dati", 200),
        ("amministratore_provincia", 200),
        ("referente_comune", 302),  # sent to its response
        ("funzionario_sua", 403),
        ("dirigente_upi", 403),
        ("operatore_economico", 403),
        ("referente_unione", 403),  # a Unione is not a respondent
    ],
)
def test_who_opens_a_campaign(login_as, world, persona, status):
    campaign = make_campaign(world.home)
    assert (
        login_as(persona).get(reverse("insights:campaign_detail", args=[campaign.pk])).status_code == status
    )


def test_others_objects_are_404(login_as, world):
    theirs = add_insights(world.elsewhere, world)
    client = login_as("funzionario_dati")
    for name, args in [
        ("insights:campaign_detail", [theirs["campaign"].pk]),
        ("insights:response_detail", [theirs["response"].pk]),
        ("insights:questionnaire_detail", [theirs["questionnaire"].pk]),
        ("insights:question_edit", [theirs["question"].pk]),
        ("insights:service_detail", [theirs["digital_service"].pk]),
        ("insights:campaign_export", [theirs["campaign"].pk, "csv"]),
        ("insights:answer_file", [theirs["file_response"].pk, theirs["file_answer"].question_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    sibling = add_insights(world.home, world)
    comune = login_as("referente_comune")
    assert (
        comune.get(
            reverse(
                "insights:answer_file", args=[sibling["file_response"].pk, sibling["file_answer"].question_id]
            )
        ).status_code
        == 200
    )
    assert comune.get(reverse("insights:response_form", args=[theirs["campaign"].pk])).status_code == 404
    assert (
        comune.get(reverse("insights:response_form", args=[sibling["draft_campaign"].pk])).status_code == 404
    )


# --- Queries per page do not grow with the rows ------------------------------------------------------------


def queries(client, url) -> int:
    client.get(url)  # warm up: the session, the built-in templates
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_comuni(world):
    from casacomuni.accounts.models import Organization
    from casacomuni.accounts.roles import OrganizationKind

    for i, municipality in enumerate(world.home.municipalities[2:]):
        Organization.objects.get_or_create(
            municipality=municipality,
            defaults={
                "kind": OrganizationKind.MUNICIPALITY,
                "name": f"Comune Nuovo {i}",
                "province": world.home.province,
            },
        )
    return list(Organization.objects.filter(municipality__in=world.home.municipalities[2:]))


def grow(world, count):
    """``count`` more campaigns with a submitted response and a draft, services and adoptions."""
    extra = more_comuni(world)
    officer = data_officer(world.home)
    start = Campaign.objects.count()
    for index in range(start, start + count):
        campaign = make_campaign(
            world.home,
            comuni=[world.home.comune, world.home.sibling_comune, *extra],
            title=f"Campagna {index}",
            year=2020 + index,
        )
        response_services.save_response(referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True)
        response_services.save_response(
            referent(world.home.sibling_comune), campaign, {"pagopa_services": 1}, submit=False
        )
        service = digital_services.save_digital_service(
            officer, digital_services.DigitalServiceData(name=f"Servizio {index}", category="gis")
        )
        for comune in (world.home.comune, *extra):
            digital_services.record_adoption(
                officer, service, digital_services.AdoptionData(organization=comune, status="active")
            )


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("funzionario_dati", "insights:campaign_list"),
        ("referente_comune", "insights:campaign_list"),
        ("funzionario_dati", "insights:service_list"),
        ("referente_comune", "insights:service_list"),
        ("funzionario_dati", "insights:editions"),
        ("funzionario_dati", "insights:questionnaire_list"),
        ("funzionario_dati", "web:dashboard"),
        ("referente_comune", "web:dashboard"),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(login_as, world, persona, url_name):
    client = login_as(persona)
    grow(world, 1)
    one = queries(client, reverse(url_name))
    grow(world, 4)
    assert Campaign.objects.count() == 5
    assert queries(client, reverse(url_name)) == one


def test_the_completion_page_runs_a_fixed_number_of_queries(login_as, world):
    client = login_as("funzionario_dati")
    small = make_campaign(world.home, comuni=[world.home.comune])
    response_services.save_response(referent(world.home.comune), small, MATURITY_ANSWERS, submit=True)
    grow(world, 1)
    big = Campaign.objects.latest("pk")
    assert big.targets.count() == 4
    assert queries(client, reverse("insights:campaign_detail", args=[small.pk])) == queries(
        client, reverse("insights:campaign_detail", args=[big.pk])
    )
    assert queries(client, reverse("insights:campaign_export", args=[small.pk, "csv"])) == queries(
        client, reverse("insights:campaign_export", args=[big.pk, "csv"])
    )


def test_the_dashboard_card(login_as, world):
    campaign = make_campaign(world.home)
    page = login_as("referente_comune").get(reverse("web:dashboard"))
    assert 'id="insights-card"' in page.content.decode()
    assert reverse("insights:response_form", args=[campaign.pk]) in page.content.decode()
    response_services.save_response(referent(world.home.comune), campaign, MATURITY_ANSWERS, submit=True)
    page = login_as("referente_comune").get(reverse("web:dashboard"))
    assert reverse("insights:response_form", args=[campaign.pk]) not in page.content.decode()
    officer = login_as("funzionario_dati").get(reverse("web:dashboard")).content.decode()
    assert reverse("insights:campaign_detail", args=[campaign.pk]) in officer
