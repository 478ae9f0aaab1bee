"""The help desk's pages as each side uses them: opening a request (and being refused), the request's page with
its clock and timeline, the steps, the office's queue, the FAQ, the indicators and the categories."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casacomuni.helpdesk import services
from casacomuni.helpdesk.models import FaqEntry, HelpRequest, HelpService
from casacomuni.helpdesk.rules import workflow
from casacomuni.helpdesk.testing import open_sua_request, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, desk):
    def as_persona(persona):
        client.force_login(desk.personas[persona])
        session = client.session
        session["casacomuni_membership_id"] = desk.memberships[persona].pk
        session.save()
        return client

    return as_persona


def test_the_referent_opens_a_request_with_files(login, desk):
    client = login("referente_comune")
    url = reverse("helpdesk:create") + "?servizio=sua"
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "category": desk.categories[HelpService.SUA].pk,
            "subject": "Documenti della gara della mensa",
            "description": "Serve il DUVRI?",
            "attachments": [pdf_upload("progetto.pdf"), pdf_upload("capitolato.pdf")],
        },
    )
    request = HelpRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("helpdesk:detail", args=[request.pk])
    assert sorted(request.attachments.values_list("original_name", flat=True)) == [
        "capitolato.pdf",
        "progetto.pdf",
    ]


def test_a_file_of_another_kind_is_refused_on_the_form_and_nothing_is_written(login, desk):
    client = login("referente_comune")
    response = client.post(
        reverse("helpdesk:create") + "?servizio=sua",
        {
            "category": desk.categories[HelpService.SUA].pk,
            "subject": "Gara",
            "description": "Testo",
            "attachments": [SimpleUploadedFile("finto.pdf", b"<html>non un pdf</html>")],
        },
    )
    assert response.status_code == 400
    assert "finto.pdf non è un file PDF, DOCX o ODT" in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_a_service_not_joined_tells_how_to_join_and_writes_nothing(login, desk):
    client = login("referente_comune")
    url = reverse("helpdesk:create") + "?servizio=eu_funds"
    page = client.get(url).content.decode()
    assert 'id="join-first"' in page and reverse("agreements:services") in page
    response = client.post(
        url, {"category": desk.categories[HelpService.EU_FUNDS].pk, "subject": "Bando", "description": "x"}
    )
    assert response.status_code == 403
    assert not HelpRequest.objects.exists()


def test_the_comune_sees_the_faq_of_the_service_before_writing(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara")
    office = desk.actor("funzionario_sua")
    request = services.take_step(office, request, workflow.RESOLVE, body="Risposta")
    question = "Serve il DUVRI per una gara di servizi?"
    services.save_faq(office, None, question=question, answer="Sì, se...", published=True, source=request)
    services.save_faq(office, None, question="Bozza interna", answer="...", published=False, source=request)
    page = login("personale_comune").get(reverse("helpdesk:create") + "?servizio=sua").content.decode()
    assert question in page and "Bozza interna" not in page


def test_the_request_page_shows_the_clock_and_hides_internal_notes_from_the_comune(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara asilo")
    office = desk.actor("funzionario_sua")
    services.take_step(office, request, workflow.NOTE, body="Il RUP non ha firmato")
    services.take_step(office, request, workflow.REPLY, body="Inviate il progetto")
    url = reverse("helpdesk:detail", args=[request.pk])
    comune_page = login("referente_comune").get(url).content.decode()
    assert "Inviate il progetto" in comune_page and "Il RUP non ha firmato" not in comune_page
    assert 'id="sla-clock"' in comune_page and "ore lavorative" in comune_page
    office_page = login("funzionario_sua").get(url).content.decode()
    assert "Il RUP non ha firmato" in office_page


def test_the_steps_go_through_the_pages(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara")
    office = login("funzionario_sua")
    officer = desk.personas["funzionario_sua"]
    step = lambda slug, data, client: client.post(reverse("helpdesk:step", args=[request.pk, slug]), data)  # noqa: E731
    assert step("assegna", {"assegna-assignee": officer.pk}, office).status_code == 302
    assert step("risolvi", {"risolvi-body": ""}, office).status_code == 400  # the answer is required
    assert step("risolvi", {"risolvi-body": "Ecco la risposta"}, office).status_code == 302
    comune = login("referente_comune")
    assert step("chiudi", {"chiudi-rating": "9"}, comune).status_code == 400
    assert step("chiudi", {"chiudi-rating": "5", "chiudi-body": "Ottimo"}, comune).status_code == 302
    request.refresh_from_db()
    assert (request.state, request.rating, request.assignee) == ("closed", 5, officer)


def test_the_comune_cannot_take_the_office_s_steps(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara")
    response = login("referente_comune").post(
        reverse("helpdesk:step", args=[request.pk, "risolvi"]), {"risolvi-body": "Fatto da noi"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == "new"


def test_each_office_sees_its_own_queue(login, desk):
    open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara del SUA")
    assert "Gara del SUA" in login("funzionario_sua").get(reverse("helpdesk:list")).content.decode()
    assert "Gara del SUA" in login("amministratore_provincia").get(reverse("helpdesk:list")).content.decode()
    assert "Gara del SUA" not in login("funzionario_europa").get(reverse("helpdesk:list")).content.decode()


def test_the_queue_filters_requests_at_risk_and_late(login, desk):
    late, at_risk, fine = (
        open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], subject)
        for subject in ("Richiesta in ritardo", "Richiesta a rischio", "Richiesta nei tempi")
    )
    now = timezone.now()
    HelpRequest.objects.filter(pk=late.pk).update(next_due_at=now - timedelta(hours=1))
    HelpRequest.objects.filter(pk=at_risk.pk).update(next_warn_at=now - timedelta(hours=1))
    HelpRequest.objects.filter(pk=at_risk.pk).update(next_due_at=now + timedelta(hours=1))
    HelpRequest.objects.filter(pk=fine.pk).update(next_warn_at=now + timedelta(days=1))
    client = login("funzionario_sua")
    risky = client.get(reverse("helpdesk:list"), {"risk": "at_risk"}).content.decode()
    assert "Richiesta a rischio" in risky and "Richiesta in ritardo" not in risky and "nei tempi" not in risky
    overdue = client.get(reverse("helpdesk:list"), {"risk": "breached"}).content.decode()
    assert "Richiesta in ritardo" in overdue and "a rischio" not in overdue.split("<tbody>")[1]


def test_the_queue_s_queries_do_not_grow_with_the_requests(login, desk, django_assert_max_num_queries):
    client = login("funzionario_sua")
    open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Prima")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("helpdesk:list"))
    for n in range(12):
        open_sua_request(desk.actor("personale_comune"), desk.categories[HelpService.SUA], f"Richiesta {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("helpdesk:list"))


def test_the_kpis_count_and_time_the_office_s_requests(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara")
    office = desk.actor("funzionario_sua")
    services.take_step(office, request, workflow.RESOLVE, body="Risposta")
    services.take_step(desk.actor("referente_comune"), request, workflow.CLOSE, rating=4)
    response = login("funzionario_sua").get(reverse("helpdesk:kpis"))
    table = response.content.decode().split('id="kpis"')[1]
    assert "Documenti di gara e procedure" in table and "4.0 (1)" in table or "4,0 (1)" in table
    bad = login("funzionario_sua").get(reverse("helpdesk:kpis"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 400


def test_the_faq_is_searched_by_text_and_drafts_stay_with_the_office(login, desk):
    office = desk.actor("funzionario_sua")
    services.save_faq(
        office, None, question="Come si calcola la soglia?", answer="Art. 14", published=True, service="sua"
    )
    services.save_faq(
        office, None, question="Subappalto: limiti", answer="Art. 119", published=True, service="sua"
    )
    services.save_faq(
        office, None, question="Bozza sulle soglie", answer="...", published=False, service="sua"
    )
    found = login("referente_comune").get(reverse("helpdesk:faq"), {"q": "soglia"}).content.decode()
    assert "Come si calcola la soglia?" in found and "Subappalto" not in found and "Bozza" not in found
    assert "Bozza sulle soglie" in login("funzionario_sua").get(reverse("helpdesk:faq")).content.decode()


def test_a_category_resolved_before_its_first_answer_is_refused(login, desk):
    client = login("funzionario_sua")
    data = {
        "service": "sua",
        "name": "Urgenze",
        "first_answer_hours": 8,
        "resolution_hours": 4,
        "is_active": "on",
    }
    response = client.post(reverse("helpdesk:categories"), data)
    assert response.status_code == 400
    assert not desk.home.province_org.helpdesk_categories.filter(name="Urgenze").exists()
    data["resolution_hours"] = 16
    assert client.post(reverse("helpdesk:categories"), data).status_code == 302


def test_the_faq_entry_from_a_request_does_not_name_the_comune(login, desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara")
    services.take_step(
        desk.actor("funzionario_sua"), request, workflow.RESOLVE, body="Servono tre preventivi."
    )
    client = login("funzionario_sua")
    page = client.get(reverse("helpdesk:faq_from_request", args=[request.pk])).content.decode()
    assert "Servono tre preventivi." in page
    response = client.post(
        reverse("helpdesk:faq_from_request", args=[request.pk]),
        {"question": "Quanti preventivi?", "answer": "Servono tre preventivi.", "published": "on"},
    )
    assert response.status_code == 302
    assert FaqEntry.objects.get().source == request
