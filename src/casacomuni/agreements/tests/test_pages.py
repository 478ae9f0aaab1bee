"""The convenzioni pages: the catalogue, the agreements and their acts, the Comune's costs, the national view."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.agreements import services
from casacomuni.agreements.models import (
    Adhesion,
    Agreement,
    AgreementState,
    JoinRequest,
    Service,
    ServiceKind,
)
from casacomuni.agreements.rules import lifecycle
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.pdf import act_pdf

pytestmark = pytest.mark.django_db

PDF = act_pdf(["Documento di prova"])
# The first bytes of a DER-encoded CMS SignedData envelope, as a CAdES .p7m file starts.
P7M = bytes.fromhex("3082000006092a864886f70d010702a0") + b"\x00" * 32


def actor(world, persona: str) -> Actor:
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


def make_service(side, name="Stazione Unica Appaltante", **extra) -> Service:
    data = {
        "kind": ServiceKind.SUA,
        "description": "Gare e contratti per i Comuni",
        "delegated_functions": [1, 2],
        "cost_model": "fixed_fee",
        "cost_amount": Decimal(1200),
        "is_published": True,
    }
    return Service.objects.create(province=side.province_org, name=name, **(data | extra))


def admin_of(side) -> Membership:
    """The administrator of the other province (the personas all act in the home province)."""
    existing = Membership.objects.filter(organization=side.province_org, role=Role.PROVINCE_ADMIN).first()
    return existing or Membership.objects.create(
        user=make_user("amministratore_altrove"), organization=side.province_org, role=Role.PROVINCE_ADMIN
    )


def make_agreement(world, side, party, service_list, start=None, end=None, state=None) -> Agreement:
    """An agreement drafted by the side's Province; ``state`` set directly for pages that only read it."""
    start = start or date(timezone.localdate().year, 1, 1)
    membership = world.memberships["amministratore_provincia"] if side is world.home else admin_of(side)
    user = membership.user
    user.acting_as = membership
    draft = services.AgreementDraft(
        title="Convenzione per i servizi associati",
        legal_basis="art. 30 D.Lgs. 267/2000",
        object="Servizi associati",
        governance="Conferenza dei sindaci",
        data_protection="art. 28 GDPR",
        disputes="Giudice amministrativo",
        start_date=start,
        end_date=end or start.replace(year=start.year + 3) - timedelta(days=1),
        services=list(service_list),
    )
    (agreement,) = services.create_agreements(Actor(user=user, membership=membership), draft, [party])
    if state:
        Agreement.objects.filter(pk=agreement.pk).update(state=state)
        agreement.refresh_from_db()
    return agreement


def pdf_upload(name="delibera.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def act_url(agreement, transition):
    return reverse("agreements:transition", args=[agreement.pk, transition])


# --- Permissions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("funzionario_sua", "agreements:service_create"),
        ("referente_comune", "agreements:service_create"),
        ("referente_comune", "agreements:create"),
        ("funzionario_dati", "agreements:create"),
        ("dirigente_upi", "agreements:list"),
        ("dirigente_upi", "agreements:services"),
        ("operatore_economico", "agreements:services"),
        ("operatore_economico", "agreements:list"),
        ("amministratore_provincia", "agreements:national"),
        ("referente_comune", "agreements:national_csv"),
        ("amministratore_provincia", "agreements:national_xlsx"),
    ],
)
def test_pages_refuse_the_wrong_role(login_as, persona, url_name):
    assert login_as(persona).get(reverse(url_name)).status_code == 403


def test_another_tenants_agreement_and_its_files_are_not_found(login_as, world):
    theirs = make_agreement(world, world.elsewhere, world.elsewhere.comune, [make_service(world.elsewhere)])
    sibling = make_agreement(world, world.home, world.home.sibling_comune, [make_service(world.home)])
    cases = [
        ("amministratore_provincia", theirs),
        ("referente_comune", sibling),
        ("referente_unione", sibling),
    ]
    for persona, agreement in cases:
        client = login_as(persona)
        for url in (
            reverse("agreements:detail", args=[agreement.pk]),
            reverse("agreements:file", args=[agreement.pk, "resolution"]),
            reverse("agreements:docx", args=[agreement.pk]),
            reverse("agreements:pdf", args=[agreement.pk]),
        ):
            assert client.get(url).status_code == 404, (persona, url)
        response = client.post(act_url(agreement, "approve_province"), {})
        assert response.status_code in (403, 404)
    assert Agreement.objects.get(pk=theirs.pk).state == AgreementState.DRAFT


def test_another_provinces_service_and_join_request_are_not_found(login_as, world):
    theirs = make_service(world.elsewhere)
    request = JoinRequest.objects.create(municipality=world.elsewhere.comune, service=theirs)
    admin = login_as("amministratore_provincia")
    assert admin.get(reverse("agreements:service_edit", args=[theirs.pk])).status_code == 404
    response = admin.post(
        reverse("agreements:join_request_answer", args=[request.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    referent = login_as("referente_comune")
    assert referent.post(reverse("agreements:join_request", args=[theirs.pk])).status_code == 404
    assert JoinRequest.objects.get(pk=request.pk).status == JoinRequest.Status.PENDING


def test_staff_of_a_comune_cannot_record_its_councils_approval(login_as, world):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    Agreement.objects.filter(pk=agreement.pk).update(state=lifecycle.PROVINCE_APPROVED)
    response = login_as("personale_comune").post(
        act_url(agreement, "approve_municipality"),
        {
            "approve_municipality-number": "12",
            "approve_municipality-day": "2026-01-10",
            "approve_municipality-file": pdf_upload(),
        },
    )
    assert response.status_code == 403


# --- Catalogue ---------------------------------------------------------------------------------------------


def service_post(**extra):
    data = {
        "kind": ServiceKind.SUA,
        "name": "Stazione Unica Appaltante",
        "description": "Gare e contratti per i Comuni",
        "delegated_functions": ["1", "3"],
        "cost_model": "fixed_fee",
        "cost_amount": "1200",
        "cost_minimum": "",
        "cost_maximum": "",
        "standard_clauses": "",
        "is_published": "on",
    }
    return data | extra


def test_province_publishes_a_service_and_the_comune_sees_what_it_would_cost(login_as, world):
    response = login_as("amministratore_provincia").post(reverse("agreements:service_create"), service_post())
    assert response.status_code == 302
    service = Service.objects.get(province=world.home.province_org)
    assert service.delegated_functions == [1, 3]
    assert AuditEvent.objects.filter(action="service.save", object_id=str(service.pk)).exists()

    response = login_as("referente_comune").get(reverse("agreements:services"))
    (shown,) = response.context["page"].object_list
    # A fixed yearly fee of 1,200 euro costs 1,200 euro for a whole year of adhesion.
    assert shown.whole_year_cost == Decimal("1200.00")
    assert "1.200,00" in response.content.decode()


def test_comune_sees_the_per_inhabitant_cost_from_its_population(login_as, world):
    make_service(
        world.home,
        cost_model="per_inhabitant",
        cost_amount=Decimal("0.50"),
        kind="statistics",
        delegated_functions=[],
    )
    response = login_as("referente_comune").get(reverse("agreements:services"))
    (shown,) = response.context["page"].object_list
    assert shown.whole_year_cost == Decimal("40000.00")  # 80,000 inhabitants (test world) × 0.50 euro


def test_the_cost_models_read_as_italian_amounts_with_the_decimals_they_have(login_as, world):
    make_service(world.home, "Statistica", cost_model="per_inhabitant", cost_amount=Decimal("0.1234"))
    make_service(
        world.home,
        cost_model="percentage",
        cost_amount=Decimal("0.8000"),
        cost_minimum=Decimal("300"),
        cost_maximum=Decimal("4000"),
    )
    page = login_as("referente_comune").get(reverse("agreements:services")).content.decode()
    assert "€\u00a00,1234 per abitante all'anno" in page
    assert "0,8\u00a0%, minimo €\u00a0300,00, massimo €\u00a04.000,00" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": ServiceKind.STATISTICS}, "delegated_functions"),
        ({"delegated_functions": []}, "delegated_functions"),
        ({"cost_model": "percentage", "cost_amount": "101"}, "cost_amount"),
        ({"cost_model": "fixed_fee", "cost_minimum": "100"}, "cost_minimum"),
        (
            {"cost_model": "percentage", "cost_amount": "1", "cost_minimum": "500", "cost_maximum": "100"},
            "cost_maximum",
        ),
        ({"cost_model": "free", "cost_amount": "10"}, "cost_amount"),
        ({"cost_amount": "-1"}, "cost_amount"),
    ],
)
def test_an_inconsistent_service_is_refused_and_nothing_is_written(login_as, world, changes, field):
    response = login_as("amministratore_provincia").post(
        reverse("agreements:service_create"), service_post(**changes)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Service.objects.exists()
    assert not AuditEvent.objects.filter(action="service.save").exists()


def test_a_duplicate_service_name_is_refused(login_as, world):
    make_service(world.home)
    response = login_as("amministratore_provincia").post(reverse("agreements:service_create"), service_post())
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_comune_asks_to_join_and_the_province_accepts_into_its_agreement_in_force(login_as, world):
    sua = make_service(world.home)
    statistics = make_service(world.home, name="Statistica", kind="statistics", delegated_functions=[])
    agreement = make_agreement(world, world.home, world.home.comune, [sua], state=lifecycle.ACTIVE)
    response = login_as("referente_comune").post(
        reverse("agreements:join_request", args=[statistics.pk]), {"note": "Per l'ufficio statistica"}
    )
    assert response.status_code == 302
    join = JoinRequest.objects.get()
    assert (join.municipality, join.note) == (world.home.comune, "Per l'ufficio statistica")

    response = login_as("referente_comune").post(reverse("agreements:join_request", args=[statistics.pk]))
    assert response.status_code == 400  # asked already: said on the page
    assert response.context["error"]
    assert JoinRequest.objects.count() == 1

    admin = login_as("amministratore_provincia")
    assert list(admin.get(reverse("agreements:services")).context["pending"]) == [join]
    response = admin.post(reverse("agreements:join_request_answer", args=[join.pk]), {"decision": "accept"})
    assert response.status_code == 302
    assert Adhesion.objects.filter(agreement=agreement, service=statistics).exists()
    assert JoinRequest.objects.get().status == JoinRequest.Status.ACCEPTED


def test_accepting_a_comune_without_an_agreement_in_force_is_refused_with_a_message(login_as, world):
    service = make_service(world.home)
    join = JoinRequest.objects.create(municipality=world.home.comune, service=service)
    response = login_as("amministratore_provincia").post(
        reverse("agreements:join_request_answer", args=[join.pk]), {"decision": "accept"}
    )
    assert response.status_code == 400
    assert response.context["error"]
    assert JoinRequest.objects.get().status == JoinRequest.Status.PENDING


# --- New agreement and lifecycle ---------------------------------------------------------------------------


def agreement_post(world, parties, service_list, **extra):
    today = timezone.localdate()
    data = {
        "title": "Convenzione per la SUA",
        "municipalities": [party.pk for party in parties],
        "services": [service.pk for service in service_list],
        "legal_basis": "art. 30 D.Lgs. 267/2000; art. 1, c. 88, L. 56/2014",
        "object": "Funzioni di centrale di committenza",
        "governance": "Conferenza dei sindaci",
        "rup_keeper": "municipality",
        "data_protection": "art. 28 GDPR",
        "disputes": "Giudice amministrativo",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=3 * 365)).isoformat(),
        "max_renewals": "1",
        "notice_days": "180",
    }
    return data | extra


def test_new_agreement_form_offers_the_standard_clauses_and_only_the_provinces_comuni(login_as, world):
    make_service(world.elsewhere, name="Altrui")
    form = login_as("amministratore_provincia").get(reverse("agreements:create")).context["form"]
    assert "art. 30 D.Lgs. 267/2000" in form.initial["legal_basis"]
    assert "art. 28" in form.initial["data_protection"]
    assert "conferenza dei sindaci" in form.initial["governance"]
    parties = set(form.fields["municipalities"].queryset)
    assert parties == {world.home.comune, world.home.sibling_comune, world.home.union}
    assert not form.fields["services"].queryset.filter(name="Altrui").exists()


def test_one_agreement_is_drafted_for_each_comune_chosen(login_as, world):
    service = make_service(world.home)
    parties = [world.home.comune, world.home.sibling_comune, world.home.union]
    response = login_as("amministratore_provincia").post(
        reverse("agreements:create"), agreement_post(world, parties, [service])
    )
    assert response.status_code == 302
    assert set(Agreement.objects.values_list("municipality", flat=True)) == {p.pk for p in parties}
    assert Adhesion.objects.filter(service=service).count() == 3


def test_a_comune_of_another_province_cannot_be_chosen(login_as, world):
    service = make_service(world.home)
    response = login_as("amministratore_provincia").post(
        reverse("agreements:create"), agreement_post(world, [world.elsewhere.comune], [service])
    )
    assert response.status_code == 400
    assert "municipalities" in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_the_whole_lifecycle_through_the_forms_is_in_the_audit_trail(login_as, world):
    service = make_service(world.home)
    admin = login_as("amministratore_provincia")
    admin.post(reverse("agreements:create"), agreement_post(world, [world.home.comune], [service]))
    agreement = Agreement.objects.get()
    today = timezone.localdate().isoformat()

    response = admin.post(
        act_url(agreement, "approve_province"),
        {"approve_province-number": "45", "approve_province-day": today},
    )
    assert response.status_code == 302

    referent = login_as("referente_comune")
    assert [act["name"] for act in referent.get(response["Location"]).context["acts"]] == [
        "approve_municipality"
    ]
    response = referent.post(
        act_url(agreement, "approve_municipality"),
        {
            "approve_municipality-number": "12",
            "approve_municipality-day": today,
            "approve_municipality-file": pdf_upload(),
        },
    )
    assert response.status_code == 302

    admin = login_as("amministratore_provincia")
    response = admin.post(
        act_url(agreement, "sign"),
        {"sign-day": today, "sign-file": SimpleUploadedFile("convenzione.pdf.p7m", P7M)},
    )
    assert response.status_code == 302
    assert admin.post(act_url(agreement, "activate")).status_code == 302

    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert (agreement.province_resolution_number, agreement.municipality_resolution_number) == ("45", "12")
    events = AuditEvent.objects.filter(object_id=str(agreement.pk), action__startswith="agreement.")
    assert list(events.order_by("created_at", "pk").values_list("action", flat=True)) == [
        "agreement.create",
        "agreement.approve_province",
        "agreement.approve_municipality",
        "agreement.sign",
        "agreement.activate",
    ]
    assert events.get(action="agreement.approve_municipality").username == "referente_comune"

    detail = admin.get(reverse("agreements:detail", args=[agreement.pk]))
    assert len(detail.context["timeline"]) == 5
    assert {act["name"] for act in detail.context["acts"]} == {"renew", "withdraw"}
    download = referent.get(reverse("agreements:file", args=[agreement.pk, "resolution"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    signed = admin.get(reverse("agreements:file", args=[agreement.pk, "signed"]))
    assert signed["Content-Type"] == "application/pkcs7-mime"


def test_signing_before_both_approvals_is_refused_and_nothing_changes(login_as, world):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    Agreement.objects.filter(pk=agreement.pk).update(
        state=lifecycle.PROVINCE_APPROVED,
        province_resolution_number="45",
        province_resolution_date=date(2026, 1, 5),
    )
    events = AuditEvent.objects.filter(action__startswith="agreement.")
    events_before = events.count()
    response = login_as("amministratore_provincia").post(
        act_url(agreement, "sign"),
        {"sign-day": timezone.localdate().isoformat(), "sign-file": pdf_upload("firmata.pdf")},
    )
    assert response.status_code == 400
    error = response.context["error"]
    # The rules' message names the state the agreement is in, in the user's language.
    assert str(AgreementState.PROVINCE_APPROVED.label) in error
    assert error in response.content.decode()
    agreement.refresh_from_db()
    assert (agreement.state, agreement.signed_on, agreement.signed_file.name) == (
        lifecycle.PROVINCE_APPROVED,
        None,
        "",
    )
    assert events.count() == events_before


@pytest.mark.parametrize(
    ("name", "content"),
    [("delibera.pdf", b"GIF89a not a pdf"), ("delibera.docx", b"PK\x03\x04"), ("delibera.p7m", P7M)],
)
def test_a_resolution_that_is_not_a_pdf_is_refused(login_as, world, name, content):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    Agreement.objects.filter(pk=agreement.pk).update(
        state=lifecycle.PROVINCE_APPROVED,
        province_resolution_number="45",
        province_resolution_date=date(2026, 1, 5),
    )
    response = login_as("referente_comune").post(
        act_url(agreement, "approve_municipality"),
        {
            "approve_municipality-number": "12",
            "approve_municipality-day": timezone.localdate().isoformat(),
            "approve_municipality-file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    bound = next(act["form"] for act in response.context["acts"] if act["name"] == "approve_municipality")
    assert "file" in bound.errors
    agreement.refresh_from_db()
    assert (agreement.state, agreement.municipality_resolution_file.name) == (lifecycle.PROVINCE_APPROVED, "")


def test_a_resolution_refused_for_its_number_keeps_its_file_for_the_next_try(login_as, world):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    Agreement.objects.filter(pk=agreement.pk).update(state=lifecycle.PROVINCE_APPROVED)
    client = login_as("referente_comune")
    data = {"approve_municipality-number": "", "approve_municipality-day": timezone.localdate().isoformat()}
    response = client.post(
        act_url(agreement, "approve_municipality"), data | {"approve_municipality-file": pdf_upload()}
    )
    assert response.status_code == 400
    assert "Già caricato: <strong>delibera.pdf</strong>" in response.content.decode()
    bound = next(act["form"] for act in response.context["acts"] if act["name"] == "approve_municipality")

    data |= {
        "approve_municipality-number": "12",
        "approve_municipality-file-kept": str(bound.kept_uploads["file"].pk),
    }
    assert client.post(act_url(agreement, "approve_municipality"), data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.municipality_resolution_file.read() == PDF


def test_a_signed_file_that_is_neither_pdf_nor_p7m_is_refused(login_as, world):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    response = login_as("amministratore_provincia").post(
        act_url(agreement, "sign"),
        {"sign-day": timezone.localdate().isoformat(), "sign-file": SimpleUploadedFile("firma.p7m", b"MIIB")},
    )
    assert response.status_code == 400
    assert Agreement.objects.get(pk=agreement.pk).signed_file.name == ""


def test_a_file_over_20_mb_is_refused(world):
    from django.core.exceptions import ValidationError

    from casacomuni.agreements.forms import MAX_UPLOAD_BYTES, check_act_file

    big = SimpleUploadedFile("delibera.pdf", PDF + b"0" * MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError):
        check_act_file(big, allow_p7m=False)
    check_act_file(pdf_upload(), allow_p7m=False)


# --- The Comune's view and the deadlines -------------------------------------------------------------------


def test_comune_sees_the_services_it_uses_and_their_cost_this_year(login_as, world):
    service = make_service(world.home)  # fixed yearly fee of 1,200 euro
    make_agreement(world, world.home, world.home.comune, [service], state=lifecycle.ACTIVE)
    make_agreement(world, world.home, world.home.sibling_comune, [service], state=lifecycle.ACTIVE)
    response = login_as("referente_comune").get(reverse("agreements:list"))
    assert [a.service for a in response.context["in_use"]] == [service]
    # The adhesion runs from 1 January for three years: the whole year's fee.
    assert response.context["cost_total"] == Decimal("1200.00")
    assert [line.total for line in response.context["cost_lines"]] == [Decimal("1200.00")]
    assert len(response.context["page"].object_list) == 1  # only its own agreement

    card = login_as("referente_comune").get(reverse("web:dashboard")).context["cards"][0]
    assert (card["in_force"], card["services_in_use"], card["cost_this_year"]) == (1, 1, Decimal("1200.00"))


def test_a_draft_agreement_costs_the_comune_nothing(login_as, world):
    make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    response = login_as("referente_comune").get(reverse("agreements:list"))
    assert response.context["cost_total"] == Decimal("0.00")
    assert list(response.context["in_use"]) == []


def test_agreements_near_their_deadlines_are_highlighted(login_as, world):
    today = timezone.localdate()
    service = make_service(world.home)
    expiring = make_agreement(
        world,
        world.home,
        world.home.comune,
        [service],
        start=today - timedelta(days=700),
        end=today + timedelta(days=80),
        state=lifecycle.ACTIVE,
    )
    notice = make_agreement(
        world,
        world.home,
        world.home.sibling_comune,
        [service],
        start=today - timedelta(days=100),
        end=today + timedelta(days=180 + 30),
        state=lifecycle.ACTIVE,
    )
    quiet = make_agreement(
        world,
        world.home,
        world.home.union,
        [service],
        start=today,
        end=today + timedelta(days=1000),
        state=lifecycle.ACTIVE,
    )
    response = login_as("amministratore_provincia").get(reverse("agreements:list"))
    flags = {a.pk: (a.expires_soon, a.notice_due_soon) for a in response.context["page"].object_list}
    # 80 days to the term; 180 days of notice from a term 210 days away leave 30 days to give notice.
    assert flags[expiring.pk][0] is True
    assert flags[notice.pk] == (False, True)
    assert flags[quiet.pk] == (False, False)
    assert response.content.decode().count('class="deadline-row"') == 2

    card = login_as("amministratore_provincia").get(reverse("web:dashboard"))
    assert card.context["cards"][0]["deadlines"] == 2
    assert card.context["cards"][0]["in_force"] == 3


def test_the_province_filters_its_agreements_by_state_and_comune(login_as, world):
    service = make_service(world.home)
    active = make_agreement(world, world.home, world.home.comune, [service], state=lifecycle.ACTIVE)
    make_agreement(world, world.home, world.home.sibling_comune, [service])
    client = login_as("amministratore_provincia")
    page = client.get(reverse("agreements:list"), {"state": "active"}).context["page"]
    assert [a.pk for a in page.object_list] == [active.pk]
    page = client.get(reverse("agreements:list"), {"municipality": world.home.sibling_comune.pk}).context[
        "page"
    ]
    assert [a.municipality for a in page.object_list] == [world.home.sibling_comune]


# --- Query counts ------------------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_agreement_list_query_count_does_not_grow_with_agreements(login_as, world):
    services_ = [
        make_service(world.home),
        make_service(world.home, name="Statistica", kind="statistics", delegated_functions=[]),
    ]
    make_agreement(world, world.home, world.home.comune, services_, state=lifecycle.ACTIVE)
    for persona in ("amministratore_provincia", "referente_comune", "referente_unione"):
        client = login_as(persona)
        client.get(reverse("agreements:list"))  # stores the acting membership in the session
    before = {
        p: queries(login_as(p), reverse("agreements:list"))
        for p in ("amministratore_provincia", "referente_comune")
    }
    later = date(timezone.localdate().year + 3, 1, 1)  # the Comune's next agreement, after the first
    for party, start in (
        (world.home.comune, later),
        (world.home.sibling_comune, None),
        (world.home.union, None),
        (world.home.comune, later.replace(year=later.year + 3)),
    ):
        make_agreement(world, world.home, party, services_, start=start, state=lifecycle.ACTIVE)
    after = {p: queries(login_as(p), reverse("agreements:list")) for p in before}
    assert after == before


def test_catalogue_query_count_does_not_grow_with_services(login_as, world):
    make_service(world.home)
    JoinRequest.objects.create(municipality=world.home.comune, service=Service.objects.get())
    for persona in ("amministratore_provincia", "referente_comune", "referente_unione"):
        login_as(persona).get(reverse("agreements:services"))
    before = {
        p: queries(login_as(p), reverse("agreements:services"))
        for p in ("amministratore_provincia", "referente_comune", "referente_unione")
    }
    for index in range(5):
        service = make_service(
            world.home,
            name=f"Servizio {index}",
            kind="statistics",
            delegated_functions=[],
            cost_model="per_inhabitant",
            cost_amount=Decimal("0.2"),
        )
        JoinRequest.objects.create(municipality=world.home.sibling_comune, service=service)
    after = {p: queries(login_as(p), reverse("agreements:services")) for p in before}
    assert after == before


def test_national_page_query_count_does_not_grow_with_provinces(login_as, world):
    make_agreement(world, world.home, world.home.comune, [make_service(world.home)], state=lifecycle.ACTIVE)
    client = login_as("dirigente_upi")
    client.get(reverse("agreements:national"))
    before = queries(client, reverse("agreements:national"))
    make_agreement(
        world, world.elsewhere, world.elsewhere.union, [make_service(world.elsewhere)], state=lifecycle.ACTIVE
    )
    client = login_as("dirigente_upi")
    assert queries(client, reverse("agreements:national")) == before


# --- National view -----------------------------------------------------------------------------------------


def national_world(world):
    """Treviso's SUA joined by its Comune (80,000 inhabitants) and by its Unione (1,500 + 900); Padova offers
    a statistics service nobody joined yet, and a draft agreement that does not count."""
    sua = make_service(world.home)
    make_agreement(world, world.home, world.home.comune, [sua], state=lifecycle.ACTIVE)
    make_agreement(world, world.home, world.home.union, [sua], state=lifecycle.ACTIVE)
    make_service(
        world.home, name="Bozza non pubblicata", kind="payroll", delegated_functions=[], is_published=False
    )
    statistics = make_service(world.elsewhere, name="Statistica", kind="statistics", delegated_functions=[])
    make_agreement(world, world.elsewhere, world.elsewhere.comune, [statistics])


def test_upi_sees_which_provinces_offer_what_and_how_many_comuni_joined(login_as, world):
    national_world(world)
    response = login_as("dirigente_upi").get(reverse("agreements:national"))
    rows = {(r["province_sigla"], r["service_kind"]): r for r in response.context["rows"]}
    assert set(rows) == {("TV", "sua"), ("PD", "statistics")}
    assert (rows["TV", "sua"]["comuni_joined"], rows["TV", "sua"]["population_covered"]) == (3, 82400)
    assert rows["TV", "sua"]["comuni_total"] == 4
    assert (rows["PD", "statistics"]["comuni_joined"], rows["PD", "statistics"]["population_covered"]) == (
        0,
        0,
    )
    content = response.content.decode()
    assert "ISTAT, Openpolis — CC BY 4.0" in content
    assert 'data-boundary-url="/territorio/province.geojson"' in content
    levels = {p["province_sigla"]: p["comuni_joined"] for p in response.context["provinces"]}
    assert levels == {"TV": 3, "PD": 0}


def test_csv_and_xlsx_have_the_same_rows_as_the_page(login_as, world):
    national_world(world)
    client = login_as("dirigente_upi")
    response = client.get(reverse("agreements:national_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    padova, treviso = rows[1], rows[2]
    assert treviso[:5] == ["026", "TV", "Treviso", "Veneto", "sua"]
    assert treviso[6:] == ["1", "3", "4", "82400"]
    assert padova[1] == "PD"

    workbook = load_workbook(io.BytesIO(client.get(reverse("agreements:national_xlsx")).content))
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == rows[0]
    assert sheet_rows[2][:5] == ["026", "TV", "Treviso", "Veneto", "sua"]
    assert sheet_rows[2][6:] == [1, 3, 4, 82400]


def test_exports_neutralise_cells_a_spreadsheet_would_run_as_formulas(login_as, world):
    national_world(world)
    world.elsewhere.province.name = '=HYPERLINK("http://example.test","x")'
    world.elsewhere.province.save()
    client = login_as("dirigente_upi")
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("agreements:national_csv")).content.decode("utf-8-sig")))
    )
    names = [row[2] for row in rows[1:]]
    assert "'" + '=HYPERLINK("http://example.test","x")' in names
    workbook = load_workbook(io.BytesIO(client.get(reverse("agreements:national_xlsx")).content))
    cells = [row[2] for row in workbook.active.iter_rows(values_only=True)]
    assert all(not str(cell).startswith("=") for cell in cells)


def test_generated_documents_are_downloaded_by_the_parties(login_as, world):
    agreement = make_agreement(world, world.home, world.home.comune, [make_service(world.home)])
    response = login_as("referente_comune").get(reverse("agreements:docx", args=[agreement.pk]))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # a DOCX is a zip archive
    assert response["Content-Disposition"].startswith("attachment")
