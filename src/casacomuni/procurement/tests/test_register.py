"""The operators' register (albo): operators apply, the SUA decides; documents, tenancy, reminders, pages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.register import services
from casacomuni.procurement.register.models import (
    DocumentKind,
    OperatorDocument,
    RegisteredOperator,
    RegistrationCategory,
    RegistrationDecision,
    RegistrationState,
)
from casacomuni.procurement.testing import (
    PDF,
    make_operator_document,
    make_registration,
    operator_data,
)

pytestmark = pytest.mark.django_db


def actor(world, persona):
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


def durc(expires_on=None, name="durc.pdf", content=PDF):
    expires_on = expires_on or timezone.localdate() + timedelta(days=100)
    return services.DocumentUpload(DocumentKind.DURC, SimpleUploadedFile(name, content), None, expires_on)


def apply(world, **fields):
    categories = services.parse_categories("90910", "OG1 III")
    return services.apply_to_register(
        actor(world, "operatore_economico"),
        world.home.province_org,
        services.CompanyData(**operator_data(**fields)),
        categories,
        [durc()],
    )


# --- Validation: nothing written on bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fiscal_code", "00743110158"),  # last digit changed: the Luhn check digit of the partita IVA fails
        ("fiscal_code", "1234"),
        ("legal_representative_fiscal_code", "RSSMRA85T10A562X"),  # check character of the codice fiscale
        ("legal_representative_fiscal_code", "00743110157"),  # an entity's code, not a person's
        ("pec", "not-an-address"),
    ],
)
def test_an_invalid_code_is_refused_on_its_field_and_nothing_is_written(world, field, value):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        apply(world, **{field: value})
    assert list(refused.value.message_dict) == [field]
    assert not RegisteredOperator.objects.exists()
    assert not OperatorDocument.objects.exists()
    assert AuditEvent.objects.count() == events
    world.operator.refresh_from_db()
    assert world.operator.fiscal_code == ""


def test_categories_are_checked_against_the_cpv_vocabulary_and_the_soa_table(world):
    categories = services.parse_categories("79341, 90910000", "OG3 IV-bis\nos3 ii")
    assert [(c["code"], c["soa_class"]) for c in categories] == [
        ("79341", ""),
        ("90910000", ""),
        ("OG3", "IV-bis"),
        ("OS3", "II"),
    ]
    with pytest.raises(ValidationError) as refused:
        # 99999 is no CPV group; 45000000 is works (division 45: SOA instead); OG14 and class IX do not exist.
        services.parse_categories("99999, 45000000", "OG14 I\nOG1 IX")
    assert len(refused.value.message_dict["cpv_codes"]) == 2
    assert len(refused.value.message_dict["soa_categories"]) == 2
    with pytest.raises(ValidationError):
        services.parse_categories("", "")


def test_a_renamed_file_is_refused_as_a_document(world):
    with pytest.raises(ValidationError) as refused:
        services.check_document(durc(name="durc.pdf", content=b"GIF89a not a pdf"))
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.check_document(
            services.DocumentUpload(DocumentKind.DURC, SimpleUploadedFile("durc.pdf", PDF), None, None)
        )
    assert "expires_on" in refused.value.message_dict


# --- Flows -------------------------------------------------------------------------------------------------


def test_the_sua_approves_an_application_and_the_operator_sees_it(world):
    registration = apply(world)
    world.operator.refresh_from_db()
    assert world.operator.fiscal_code == "00743110157"
    assert registration.state == RegistrationState.PENDING
    services.decide(actor(world, "funzionario_sua"), registration, services.APPROVE)
    mine = RegisteredOperator.objects.for_user(world.acting("operatore_economico")).get()
    assert mine.state == RegistrationState.APPROVED
    assert mine.approved_at is not None
    actions = list(AuditEvent.objects.filter(object_id=str(registration.pk)).values_list("action", flat=True))
    assert actions == ["registered_operator.apply", "registered_operator.approve"]


def test_suspension_needs_reasons_and_reinstatement_follows_it(world):
    registration = apply(world)
    sua = actor(world, "amministratore_provincia")
    services.decide(sua, registration, services.APPROVE)
    with pytest.raises(ValidationError):
        services.decide(sua, registration, services.SUSPEND, "  ")
    services.decide(sua, registration, services.SUSPEND, "DURC irregolare")
    with pytest.raises(ValidationError):
        services.decide(sua, registration, services.APPROVE)  # approve is for pending applications
    services.decide(sua, registration, services.REINSTATE)
    registration = services.decide(sua, registration, services.REMOVE, "Cessata attività")
    assert registration.state == RegistrationState.REMOVED
    assert [d.state for d in registration.decisions.all()] == ["approved", "suspended", "approved", "removed"]


def test_only_the_sua_of_the_albo_decides(world):
    registration = apply(world)
    with pytest.raises(PermissionDenied):
        services.decide(actor(world, "operatore_economico"), registration, services.APPROVE)
    other = make_registration(world.elsewhere.province_org, state=RegistrationState.PENDING)
    with pytest.raises(PermissionDenied):
        services.decide(actor(world, "funzionario_sua"), other, services.APPROVE)


def test_an_operator_cannot_apply_twice_to_the_same_albo(world):
    apply(world)
    with pytest.raises(ValidationError):
        apply(world)
    assert RegisteredOperator.objects.count() == 1


def test_the_sua_registers_an_operator_without_an_account(world):
    registration = services.register_operator(
        actor(world, "funzionario_sua"),
        services.CompanyData(**operator_data(name="Ditta Verdi", fiscal_code="02839750995")),
        services.parse_categories("", "OS24 I"),
    )
    assert registration.state == RegistrationState.APPROVED
    assert registration.operator.kind == "operator"
    assert registration.operator.fiscal_code == "02839750995"
    assert registration.province == world.home.province_org
    # Registered again by the other Province: the same operator organisation is used.
    again = services.register_operator(
        actor_for_elsewhere(world),
        services.CompanyData(**operator_data(fiscal_code="02839750995")),
        services.parse_categories("90910", ""),
    )
    assert again.operator == registration.operator
    assert Organization.objects.filter(fiscal_code="02839750995").count() == 1


def actor_for_elsewhere(world):
    from casacomuni.procurement.testing import actor_for

    return actor_for(world.elsewhere.province_org, "sua_officer", "sua_padova")


# --- Tenancy -----------------------------------------------------------------------------------------------


def test_another_provinces_sua_cannot_see_the_entry(world, login_as):
    registration = make_registration(world.home.province_org, world.operator)
    from casacomuni.procurement.testing import actor_for

    foreign = actor_for(world.elsewhere.province_org, "sua_officer", "sua_padova")
    assert not RegisteredOperator.objects.for_user(foreign.user).exists()
    client = login_as("funzionario_sua")
    client.force_login(foreign.user)
    assert client.get(reverse("procurement:register_detail", args=[registration.pk])).status_code == 404


def test_a_comune_sees_approved_operators_of_its_province_but_not_their_documents(world, login_as):
    approved = make_registration(world.home.province_org, world.operator)
    document = make_operator_document(approved)
    make_registration(world.home.province_org, world.other_operator, state=RegistrationState.PENDING)
    make_registration(world.elsewhere.province_org)
    comune = world.acting("referente_comune")
    assert list(RegisteredOperator.objects.for_user(comune)) == [approved]
    assert not OperatorDocument.objects.for_user(comune).exists()
    client = login_as("referente_comune")
    page = client.get(reverse("procurement:register_detail", args=[approved.pk]))
    assert page.status_code == 200
    assert document.original_name.encode() not in page.content
    download = client.get(reverse("procurement:register_document", args=[approved.pk, document.pk]))
    assert download.status_code in (403, 404)


def test_a_document_with_only_an_expiry_shows_no_orphan_separator(world, login_as):
    registration = make_registration(world.home.province_org, world.operator)
    with_both = make_operator_document(registration, expires_on=date(2027, 3, 31))
    only_expiry = make_operator_document(registration, kind="insurance", name="polizza.pdf")
    only_expiry.issued_on, only_expiry.expires_on = None, date(2027, 6, 30)
    only_expiry.save()
    page = login_as("funzionario_sua").get(reverse("procurement:register_detail", args=[registration.pk]))
    text = page.content.decode()
    issued = date_format(with_both.issued_on, "SHORT_DATE_FORMAT")
    assert f"<small>rilasciato il {issued} · scade il 31/03/2027</small>" in text
    assert "<small>scade il 30/06/2027</small>" in text


def test_a_decision_is_labelled_with_its_day_in_rome(world):
    registration = make_registration(world.home.province_org, world.operator)
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Rome
    decision = RegistrationDecision.objects.create(
        registration=registration, action="approve", decided_at=late
    )
    assert str(decision) == "approve (01/01/2027)"


def test_the_operator_and_the_sua_download_the_documents(world, login_as):
    registration = make_registration(world.home.province_org, world.operator)
    document = make_operator_document(registration)
    url = reverse("procurement:register_document", args=[registration.pk, document.pk])
    for persona in ("operatore_economico", "funzionario_sua"):
        response = login_as(persona).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


def test_another_operator_sees_nothing(world):
    make_registration(world.home.province_org, world.operator)
    world.memberships["operatore_economico"].organization = world.other_operator
    assert not RegisteredOperator.objects.for_user(world.acting("operatore_economico")).exists()


# --- Pages -------------------------------------------------------------------------------------------------


def test_an_approved_operator_with_an_expired_durc_is_flagged_on_the_suas_list(world, login_as):
    today = timezone.localdate()
    expired = make_registration(world.home.province_org, world.operator)
    make_operator_document(expired, expires_on=today - timedelta(days=1))
    valid = make_registration(world.home.province_org, world.other_operator)
    make_operator_document(valid, expires_on=today + timedelta(days=120))
    flags = dict(
        RegisteredOperator.objects.for_user(world.acting("funzionario_sua"))
        .with_document_flags()
        .values_list("pk", "has_valid_durc")
    )
    assert flags == {expired.pk: False, valid.pk: True}
    page = login_as("funzionario_sua").get(reverse("procurement:register_list"))
    assert page.content.count(b"durc-flag") == 1
    expiring = login_as("funzionario_sua").get(reverse("procurement:register_list"), {"expiring": "on"})
    assert list(expiring.context["page"]) == [expired]


def test_the_list_filters_by_category_and_state(world, login_as):
    first = make_registration(world.home.province_org, world.operator)
    RegistrationCategory.objects.filter(registration=first, code="OG1").update(code="OS3")
    make_registration(world.home.province_org, world.other_operator, state=RegistrationState.PENDING)
    client = login_as("funzionario_sua")
    assert list(client.get(reverse("procurement:register_list"), {"category": "os3"}).context["page"]) == [
        first
    ]
    # A CPV code falls in the 5-digit group the operators chose (90911 covers 90911200, cleaning of buildings).
    by_code = client.get(reverse("procurement:register_list"), {"category": "90911200"}).context["page"]
    assert len(by_code) == 2
    pending = client.get(reverse("procurement:register_list"), {"state": "pending"}).context["page"]
    assert [entry.operator for entry in pending] == [world.other_operator]
    # With htmx the filters get the results only; the page the whole list otherwise.
    results = client.get(
        reverse("procurement:register_list"), {"state": "pending"}, headers={"HX-Request": "true"}
    )
    content = results.content.decode()
    assert content.lstrip().startswith('<div id="register-results">') and "<html" not in content
    assert world.other_operator.name in content and world.operator.name not in content
    assert "HX-Request" in results["Vary"]
    page = client.get(reverse("procurement:register_list"), {"state": "pending"})
    assert 'id="register-filters"' in page.content.decode() and "HX-Request" in page["Vary"]


def test_the_suas_list_takes_the_same_queries_whatever_the_number_of_entries(world, login_as):
    client = login_as("funzionario_sua")
    url = reverse("procurement:register_list")
    make_registration(world.home.province_org)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        make_operator_document(make_registration(world.home.province_org))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 13
    assert len(many) == len(few)


def test_the_operator_applies_through_the_form(world, login_as):
    client = login_as("operatore_economico")
    today = timezone.localdate()
    data = operator_data() | {
        "province": world.home.province_org.pk,
        "cpv_codes": "90910",
        "soa_categories": "OG1 III",
        "durc_file": SimpleUploadedFile("durc.pdf", PDF),
        "durc_issued_on": (today - timedelta(days=10)).isoformat(),
        "durc_expires_on": (today + timedelta(days=110)).isoformat(),
    }
    response = client.post(reverse("procurement:register_apply"), data)
    assert response.status_code == 302
    registration = RegisteredOperator.objects.get()
    assert registration.documents.get().kind == DocumentKind.DURC
    mine = client.get(reverse("procurement:register_mine"))
    assert list(mine.context["entries"]) == [registration]


def test_a_wrong_partita_iva_in_the_form_is_shown_on_its_field(world, login_as):
    client = login_as("operatore_economico")
    data = operator_data(fiscal_code="00743110158") | {
        "province": world.home.province_org.pk,
        "cpv_codes": "90910",
    }
    response = client.post(reverse("procurement:register_apply"), data)
    assert response.status_code == 400
    assert "fiscal_code" in response.context["form"].errors
    assert not RegisteredOperator.objects.exists()


def test_an_application_refused_for_its_partita_iva_keeps_the_durc_for_the_next_try(world, login_as):
    client = login_as("operatore_economico")
    today = timezone.localdate()
    data = {
        "province": world.home.province_org.pk,
        "cpv_codes": "90910",
        "durc_issued_on": (today - timedelta(days=10)).isoformat(),
        "durc_expires_on": (today + timedelta(days=110)).isoformat(),
    }
    durc = SimpleUploadedFile("durc.pdf", PDF)
    response = client.post(
        reverse("procurement:register_apply"),
        operator_data(fiscal_code="00743110158") | data | {"durc_file": durc},
    )
    assert response.status_code == 400
    assert "Già caricato: <strong>durc.pdf</strong>" in response.content.decode()
    token = str(response.context["form"].kept_uploads["durc_file"].pk)

    response = client.post(
        reverse("procurement:register_apply"), operator_data() | data | {"durc_file-kept": token}
    )
    assert response.status_code == 302
    document = RegisteredOperator.objects.get().documents.get()
    assert (document.kind, document.file.read()) == (DocumentKind.DURC, PDF)


def test_the_sua_decides_on_the_page_and_reasons_are_required_to_reject(world, login_as):
    registration = make_registration(world.home.province_org, world.operator, state=RegistrationState.PENDING)
    client = login_as("funzionario_sua")
    refused = client.post(reverse("procurement:register_action", args=[registration.pk, "reject"]), {})
    assert refused.status_code == 400
    response = client.post(
        reverse("procurement:register_action", args=[registration.pk, "reject"]),
        {"reject-reason": "Manca il DURC"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.state, registration.reason) == (RegistrationState.REJECTED, "Manca il DURC")
    operator_page = login_as("operatore_economico").post(
        reverse("procurement:register_action", args=[registration.pk, "remove"]), {"remove-reason": "x"}
    )
    assert operator_page.status_code == 403


# --- E-mails and reminders (through the task worker) ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_decision_is_e_mailed_to_the_operator(world):
    registration = apply(world)
    call_command("db_worker", batch=True, verbosity=0)
    assert [m.to for m in mail.outbox] == [
        ["amministratore_provincia@example.test"],
        ["funzionario_sua@example.test"],
    ]
    mail.outbox.clear()
    services.decide(actor(world, "funzionario_sua"), registration, services.APPROVE)
    call_command("db_worker", batch=True, verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "impresa.alfa@pec.example.it",
        "operatore_economico@example.test",
    ]


@pytest.mark.django_db(transaction=True)
def test_reminders_of_expiring_documents_are_sent_by_the_worker(world):
    today = timezone.localdate()
    registration = make_registration(world.home.province_org, world.operator)
    make_operator_document(registration, expires_on=today + timedelta(days=30))  # within 30 days
    make_operator_document(
        registration, kind="insurance", expires_on=today + timedelta(days=31), name="p.pdf"
    )
    quiet = make_registration(world.home.province_org, world.other_operator)
    make_operator_document(quiet, expires_on=today + timedelta(days=200))
    call_command("register_reminders")
    call_command("db_worker", batch=True, verbosity=0)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [
        "amministratore_provincia@example.test",
        "funzionario_sua@example.test",
        "operatore_economico@example.test",
    ]
    operator_mail = next(m for m in mail.outbox if m.to == ["operatore_economico@example.test"])
    assert "DURC" in operator_mail.body
    assert "p.pdf" not in operator_mail.body and world.other_operator.name not in operator_mail.body


def test_every_wrong_field_is_reported_at_once(world):
    with pytest.raises(ValidationError) as refused:
        services.apply_to_register(
            actor(world, "operatore_economico"),
            world.home.province_org,
            services.CompanyData(
                **operator_data(fiscal_code="00743110158", legal_representative_fiscal_code="XYZ")
            ),
            [{"kind": "soa", "code": "OG99", "soa_class": "I"}],
            [durc(content=b"not a pdf")],
        )
    assert set(refused.value.message_dict) == {
        "fiscal_code",
        "legal_representative_fiscal_code",
        "soa_categories",
        "file",
    }
    assert not RegisteredOperator.objects.exists()


def test_a_renewed_durc_silences_the_old_ones_warning(world):
    today = timezone.localdate()
    registration = make_registration(world.home.province_org, world.operator)
    make_operator_document(registration, expires_on=today - timedelta(days=3), name="vecchio.pdf")
    make_operator_document(registration, expires_on=today + timedelta(days=110), name="nuovo.pdf")
    flagged = RegisteredOperator.objects.with_document_flags().get()
    assert (flagged.has_valid_durc, flagged.has_expiring_documents) == (True, False)
    assert not OperatorDocument.objects.current().filter(original_name="vecchio.pdf").exists()
