"""Procurement requests: a Comune with a SUA adhesion asks, the SUA answers; pages and e-mails."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.accounts.actor import Actor
from casacomuni.agreements import services as agreements
from casacomuni.agreements.models import JoinRequest, ServiceKind
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.audit.models import AuditEvent
from casacomuni.inbox.models import Notification
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import ProcurementRequest, RequestAttachment, RequestState
from casacomuni.procurement.testing import (
    PDF,
    make_attachment,
    make_request,
    province_admin,
    request_data,
    sua_adhesion,
)

pytestmark = pytest.mark.django_db


def actor(world, persona):
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


@pytest.fixture
def joined(world):
    """The home Comune with an agreement in force for the SUA of its Province."""
    return sua_adhesion(world.home, world.home.comune)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first: ODF 1.2 part 3, 3.3
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name, content, kind="project"):
    return services.Upload(kind, SimpleUploadedFile(name, content))


# --- Services ----------------------------------------------------------------------------------------------


def test_a_request_of_a_comune_with_an_adhesion_is_accepted_by_the_sua(world, joined):
    request = services.submit_request(
        actor(world, "referente_comune"),
        services.RequestData(**request_data()),
        [upload("progetto.pdf", PDF)],
    )
    assert request.state == RequestState.SUBMITTED
    assert request.province == world.home.province_org
    assert request.attachments.get().original_name == "progetto.pdf"

    services.accept_request(actor(world, "funzionario_sua"), request, "Procedura in programmazione.")

    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert request.answer == "Procedura in programmazione."
    actions = list(
        AuditEvent.objects.filter(object_id=str(request.pk), action__startswith="procurement_request.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["procurement_request.submit", "procurement_request.accept"]


def test_the_router_verdict_is_stored_with_the_request(world, joined):
    # Works of exactly 150,000.00: art. 50 c.1 lett. a allows direct award of works "di importo inferiore a
    # 150.000 euro", so 150,000.00 is outside it; lett. c: negotiated procedure without notice consulting at
    # least 5 operators for works from 150,000 to under 1,000,000 euro.
    request = make_request(world.home.comune, world.acting("referente_comune"))
    answers = {answer["name"]: answer for answer in request.route_verdict["answers"]}
    assert request.route_verdict["amount"] == "150000.00"
    assert [p["code"] for p in answers["procedures"]["value"]] == ["negotiated_below_threshold"]
    assert answers["min_operators"]["value"] == 5
    assert request.buyer_qualification == "none" and request.sua_qualification == "advanced"


def test_the_verdict_on_the_request_page_states_the_amount_in_euro(world, joined, login_as):
    request = make_request(world.home.comune)  # works of 150,000.00
    page = login_as("funzionario_sua").get(reverse("procurement:request_detail", args=[request.pk]))
    assert "su un importo complessivo di €\u00a0150.000,00." in page.content.decode()


def test_options_and_renewals_count_for_the_router(world, joined):
    # Services of 100,000 plus 50,000 of renewals: 150,000 >= 140,000 (art. 14 c.4 counts options and
    # renewals; art. 50 c.1 lett. b allows direct award of services only under 140,000): no direct award.
    request = make_request(
        world.home.comune,
        contract_kind="services",
        cpv_code="79410000",
        base_amount=Decimal("100000"),
        options_amount=Decimal("50000"),
    )
    answers = {answer["name"]: answer for answer in request.route_verdict["answers"]}
    assert request.total_amount == Decimal("150000.00")
    assert [p["code"] for p in answers["procedures"]["value"]] == ["negotiated_below_threshold"]


def test_without_an_adhesion_the_request_is_refused_in_italian_and_nothing_is_written(world):
    with pytest.raises(AdhesionRequired) as refused:
        services.submit_request(
            actor(world, "referente_comune"),
            services.RequestData(**request_data()),
            [upload("progetto.pdf", PDF)],
        )
    assert "non ha una convenzione in vigore per questo servizio" in str(refused.value)
    assert not ProcurementRequest.objects.exists()
    assert not RequestAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="procurement_request.").exists()


def test_a_comune_of_another_province_cannot_address_this_sua(world, joined):
    sua_adhesion(world.elsewhere, world.elsewhere.comune)
    with pytest.raises(AdhesionRequired):
        make_request(world.elsewhere.comune, province=world.home.province_org)
    # Its own Province's SUA it may address.
    request = make_request(world.elsewhere.comune)
    assert request.province == world.elsewhere.province_org
    assert not ProcurementRequest.objects.filter(province=world.home.province_org).exists()


def test_codes_are_checked_and_normalised(world, joined):
    request = make_request(
        # 45214210: weights 3,7,1,3,7,1,3,7 give 12+35+2+3+28+2+3+0 = 85, check digit 85 mod 10 = 5.
        world.home.comune,
        cpv_code="45214210-5",
        cup="000000000000000",
        rup_fiscal_code="RSSMRA80A01H501U",
    )
    assert request.cpv_code == "45214210"
    assert request.cup == ""  # fifteen zeros: no CUP
    assert request.cpv_description
    with pytest.raises(ValidationError) as refused:
        make_request(world.home.comune, cpv_code="12345678", cup="X12", rup_fiscal_code="RSSMRA80A01H501X")
    assert set(refused.value.error_dict) == {"cpv_code", "cup", "rup_fiscal_code"}
    assert ProcurementRequest.objects.count() == 1


@pytest.mark.parametrize(
    "name, content",
    [
        ("progetto.pdf", b"MZ\x90\x00 not a pdf"),  # an executable renamed
        ("progetto.exe", PDF),
        ("progetto.docx", b"PK\x03\x04 not really a zip"),
        ("progetto.odt", docx_bytes()),  # a DOCX renamed
        ("progetto.pdf", b""),
    ],
)
def test_attachments_other_than_pdf_docx_odt_p7m_are_refused(world, joined, name, content):
    with pytest.raises(ValidationError):
        services.submit_request(
            actor(world, "referente_comune"), services.RequestData(**request_data()), [upload(name, content)]
        )
    assert not ProcurementRequest.objects.exists()


def test_pdf_docx_odt_and_p7m_are_accepted(world, joined):
    uploads = [
        upload("a.pdf", PDF),
        upload("b.docx", docx_bytes(), "specifications"),
        upload("c.odt", odt_bytes(), "other"),
        upload("d.pdf.p7m", b"\x30\x82\x01\x00signed", "other"),
    ]
    request = services.submit_request(
        actor(world, "referente_comune"), services.RequestData(**request_data()), uploads
    )
    assert request.attachments.count() == 4


def test_attachments_over_20_mb_are_refused(world, joined):
    big = PDF + b"0" * (20 * 1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        services.submit_request(
            actor(world, "referente_comune"), services.RequestData(**request_data()), [upload("big.pdf", big)]
        )
    assert "20 MB" in refused.value.messages[0]
    assert not ProcurementRequest.objects.exists()


def test_illegal_state_changes_are_refused_with_a_message(world, joined):
    request = make_request(world.home.comune)
    sua = actor(world, "funzionario_sua")
    comune = actor(world, "referente_comune")
    with pytest.raises(ValidationError):
        services.resubmit_request(
            comune, request, services.RequestData(**request_data())
        )  # no change was asked
    with pytest.raises(ValidationError):
        services.ask_changes(sua, request, "  ")  # reasons are due
    services.reject_request(sua, request, "Oggetto non di competenza della SUA.")
    for attempt in (
        lambda: services.accept_request(sua, request),
        lambda: services.ask_changes(sua, request, "Integrare"),
        lambda: services.withdraw_request(comune, request),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages
    assert ProcurementRequest.objects.get().state == RequestState.REJECTED


def test_changes_asked_resubmitted_then_withdrawn(world, joined):
    request = make_request(world.home.comune)
    services.ask_changes(actor(world, "amministratore_provincia"), request, "Allegare il capitolato.")
    request = services.resubmit_request(
        actor(world, "personale_comune"),
        request,
        services.RequestData(**request_data(base_amount=Decimal("90000"))),
        [upload("capitolato.pdf", PDF, "specifications")],
    )
    assert request.state == RequestState.SUBMITTED
    answers = {answer["name"]: answer for answer in request.route_verdict["answers"]}
    assert [p["code"] for p in answers["procedures"]["value"]] == ["direct_award"]  # works under 150,000
    services.withdraw_request(actor(world, "referente_comune"), request)
    assert ProcurementRequest.objects.get().state == RequestState.WITHDRAWN


def test_roles_that_may_not_act_are_refused(world, joined):
    request = make_request(world.home.comune)
    with pytest.raises(PermissionDenied):
        services.accept_request(actor(world, "referente_comune"), request)
    with pytest.raises(PermissionDenied):
        services.accept_request(actor(world, "funzionario_europa"), request)
    with pytest.raises(PermissionDenied):
        services.submit_request(actor(world, "funzionario_sua"), services.RequestData(**request_data()))
    with pytest.raises(PermissionDenied):
        services.withdraw_request(actor(world, "referente_unione"), request)  # another organisation


def test_the_province_reads_requests_addressed_to_it_the_others_none(world, joined):
    request = make_request(world.home.comune)
    for persona in ("funzionario_sua", "amministratore_provincia", "referente_comune", "personale_comune"):
        assert list(ProcurementRequest.objects.for_user(world.acting(persona))) == [request]
    for persona in ("funzionario_europa", "referente_unione", "dirigente_upi", "operatore_economico"):
        assert not ProcurementRequest.objects.for_user(world.acting(persona)).exists()


# --- Pages -------------------------------------------------------------------------------------------------


def form_data(**extra):
    data = request_data(**extra)
    return {key: "" if value is None else value for key, value in data.items() if value is not False}


def test_the_comune_submits_a_request_and_sees_the_verdict(world, joined, login_as):
    client = login_as("referente_comune")
    response = client.get(reverse("procurement:request_create"))
    assert response.status_code == 200
    response = client.post(
        reverse("procurement:request_create"),
        form_data() | {"project": SimpleUploadedFile("progetto.pdf", PDF)},
    )
    request = ProcurementRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:request_detail", args=[request.pk])
    page = client.get(response["Location"]).content.decode()
    assert "P7_1_3" in page  # the ANAC form of the negotiated procedure, from the stored verdict
    assert "progetto.pdf" in page
    download = client.get(
        reverse("procurement:request_attachment", args=[request.pk, request.attachments.get().pk])
    )
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_the_form_without_an_adhesion_refuses_and_writes_nothing(world, login_as):
    client = login_as("referente_comune")
    response = client.post(reverse("procurement:request_create"), form_data())
    assert response.status_code == 403
    assert "non ha una convenzione in vigore" in response.content.decode()
    assert not ProcurementRequest.objects.exists()


def sua_service(side):
    """The Province's SUA service, published in its catalogue, with no agreement yet."""
    return agreements.save_service(
        province_admin(side),
        agreements.ServiceData(
            kind=ServiceKind.SUA,
            name="Stazione Unica Appaltante",
            description="Gare e contratti per i Comuni",
            delegated_functions=[1, 2],
            cost_model="free",
            cost_amount=Decimal(0),
            cost_minimum=None,
            cost_maximum=None,
            standard_clauses="",
            is_published=True,
        ),
    )


def test_a_comune_without_an_adhesion_is_told_before_the_form_and_asks_to_join(world, login_as):
    service = sua_service(world.home)
    client = login_as("referente_comune")
    page = client.get(reverse("procurement:request_create"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "non ha una convenzione in vigore" in text
    assert 'name="title"' not in text  # no form to fill in vain
    join_url = reverse("agreements:join_request", args=[service.pk])
    assert f'action="{join_url}"' in text and "Chiedi di aderire" in text

    assert client.post(join_url).status_code == 302
    assert JoinRequest.objects.get().municipality == world.home.comune

    text = client.get(reverse("procurement:request_create")).content.decode()
    assert "Hai chiesto di aderire il" in text
    assert f'action="{join_url}"' not in text


def test_staff_without_an_adhesion_are_sent_to_their_referent(world, login_as):
    sua_service(world.home)
    text = login_as("personale_comune").get(reverse("procurement:request_create")).content.decode()
    assert "Il referente del tuo Comune può chiedere di aderire" in text
    assert "Chiedi di aderire" not in text


def test_a_bad_cpv_re_renders_the_form_with_400(world, joined, login_as):
    response = login_as("referente_comune").post(
        reverse("procurement:request_create"), form_data(cpv_code="12345678")
    )
    assert response.status_code == 400
    assert not ProcurementRequest.objects.exists()


def test_the_sua_answers_from_the_page_and_a_refusal_is_a_400(world, joined, login_as):
    request = make_request(world.home.comune)
    client = login_as("funzionario_sua")
    url = reverse("procurement:request_action", args=[request.pk, "ask_changes"])
    response = client.post(url, {"ask_changes-reason": ""})
    assert response.status_code == 400
    assert ProcurementRequest.objects.get().state == RequestState.SUBMITTED
    response = client.post(url, {"ask_changes-reason": "Allegare il progetto esecutivo."})
    assert response.status_code == 302
    page = client.get(reverse("procurement:request_detail", args=[request.pk])).content.decode()
    assert "Allegare il progetto esecutivo." in page
    response = client.post(
        reverse("procurement:request_action", args=[request.pk, "accept"]), {"accept-reason": ""}
    )
    assert response.status_code == 400  # changes asked: it cannot be accepted until resubmitted
    assert ProcurementRequest.objects.get().state == RequestState.CHANGES_REQUESTED


def test_another_comune_and_other_province_roles_cannot_see_the_request(world, joined, login_as, client):
    request = make_request(world.home.comune)
    attachment = make_attachment(request)
    detail = reverse("procurement:request_detail", args=[request.pk])
    download = reverse("procurement:request_attachment", args=[request.pk, attachment.pk])
    client = login_as("referente_unione")
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    assert (
        client.post(reverse("procurement:request_action", args=[request.pk, "withdraw"]), {}).status_code
        == 404
    )
    client = login_as("funzionario_europa")
    assert client.get(detail).status_code == 403
    assert client.get(reverse("procurement:request_list")).status_code == 403


def test_the_sua_list_filters_by_state_and_comune_in_constant_queries(world, joined, login_as):
    sua_adhesion(world.home, world.home.sibling_comune)
    client = login_as("funzionario_sua")
    url = reverse("procurement:request_list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make_request(world.home.comune)
    queries()  # the first page of a session loads what later pages find cached
    few = queries()
    for _ in range(4):
        make_request(world.home.comune)
    make_request(world.home.sibling_comune, title="Fornitura arredi")
    assert queries() == few
    response = client.get(url, {"municipality": world.home.sibling_comune.pk})
    assert [r.title for r in response.context["page"]] == ["Fornitura arredi"]
    # With htmx the filters get the results only; the page the whole list otherwise.
    results = client.get(url, {"municipality": world.home.sibling_comune.pk}, headers={"HX-Request": "true"})
    content = results.content.decode()
    assert content.lstrip().startswith('<div id="request-results">') and "<html" not in content
    assert "Fornitura arredi" in content and "1 richiesta" in content and "HX-Request" in results["Vary"]
    page = client.get(url, {"municipality": world.home.sibling_comune.pk})
    assert 'id="request-filters"' in page.content.decode() and "HX-Request" in page["Vary"]
    response = client.get(url, {"state": "accepted"})
    assert list(response.context["page"]) == []


# --- E-mails -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_change_is_emailed_to_the_other_side_by_the_worker(world, settings, tmp_path):
    settings.CASACOMUNI_BASE_URL = "https://casacomuni.example.test"
    sua_adhesion(world.home, world.home.comune)
    request = make_request(world.home.comune, world.acting("personale_comune"))
    assert mail.outbox == []  # enqueued after the commit: the worker sends
    call_command("db_worker", batch=True, verbosity=0)
    sua_people = {world.personas["funzionario_sua"].email, world.personas["amministratore_provincia"].email}
    assert {m.to[0] for m in mail.outbox} == sua_people
    link = f"https://casacomuni.example.test/appalti/richieste/{request.pk}/"
    assert all(link in m.body for m in mail.outbox)

    mail.outbox.clear()
    services.reject_request(actor(world, "funzionario_sua"), request, "Importo non coerente.")
    call_command("db_worker", batch=True, verbosity=0)
    # The Comune's referent and the staff member who submitted it.
    assert {m.to[0] for m in mail.outbox} == {
        world.personas["referente_comune"].email,
        world.personas["personale_comune"].email,
    }
    assert all("Importo non coerente." in m.body for m in mail.outbox)
    # The same notices are in the inbox of each person told, leading to the request.
    told = Notification.objects.filter(kind="procurement.request", url=f"/appalti/richieste/{request.pk}/")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        ["funzionario_sua", "amministratore_provincia", "referente_comune", "personale_comune"]
    )
