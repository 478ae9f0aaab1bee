"""Applications: the Comune flags interest (adhesion gate), the office proposes, forms the partnership and
moves the pipeline; tenancy of the pages; every change audited; lists cost the same with 1 or many rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.audit.models import AuditEvent
from casacomuni.projects.applications import services as application_services
from casacomuni.projects.models import Application, ApplicationDocument, ApplicationPartner
from casacomuni.projects.rules import pipeline
from casacomuni.projects.testing import PDF, eu_funds_adhesion, make_application, make_call

pytestmark = pytest.mark.django_db


def actor(world, persona):
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


@pytest.fixture
def joined(world):
    """The home Comune and its sibling with an agreement in force for the EU-funds office."""
    eu_funds_adhesion(world.home, world.home.comune)
    eu_funds_adhesion(world.home, world.home.sibling_comune)


@pytest.fixture
def call(world):
    return make_call()


def test_a_comune_with_an_adhesion_flags_interest(world, joined, call):
    application = application_services.flag_interest(actor(world, "referente_comune"), call.pk)
    assert application.status == pipeline.FLAGGED
    assert application.lead == world.home.comune
    assert application.province == world.home.province_org
    assert application.proposed_by == pipeline.COMUNE
    assert application.title == call.title
    event = AuditEvent.objects.get(action="application.flag")
    assert event.organization == world.home.comune and event.object_id == str(application.pk)


def test_a_comune_without_the_adhesion_is_refused(world, call):
    with pytest.raises(AdhesionRequired):
        application_services.flag_interest(actor(world, "referente_comune"), call.pk)
    assert not Application.objects.exists()


def test_interest_twice_in_the_same_call_is_refused(world, joined, call):
    application_services.flag_interest(actor(world, "referente_comune"), call.pk)
    with pytest.raises(ValidationError) as refused:
        application_services.flag_interest(actor(world, "personale_comune"), call.pk)
    assert "call" in refused.value.message_dict
    assert Application.objects.count() == 1


def test_a_closed_call_or_another_provinces_call_is_refused(world, joined):
    closed = make_call(deadline=timezone.now() - timedelta(days=2), status="closed")
    with pytest.raises(ValidationError):
        application_services.flag_interest(actor(world, "referente_comune"), closed.pk)
    foreign = make_call(province=world.elsewhere.province)
    with pytest.raises(ValidationError):
        application_services.flag_interest(actor(world, "referente_comune"), foreign.pk)
    assert not Application.objects.exists()


def test_the_office_proposes_only_to_adhering_comuni(world, joined, call):
    office = actor(world, "funzionario_europa")
    application = application_services.propose_call(
        office, call.pk, world.home.comune.pk, application_services.ApplicationData(title="Scuole sicure")
    )
    assert application.proposed_by == pipeline.OFFICE and application.title == "Scuole sicure"
    with pytest.raises(AdhesionRequired):
        application_services.propose_call(office, call.pk, world.home.union.pk)
    with pytest.raises(ValidationError):
        application_services.propose_call(office, call.pk, world.elsewhere.comune.pk)
    with pytest.raises(PermissionDenied):
        application_services.propose_call(actor(world, "funzionario_sua"), call.pk, world.home.comune.pk)
    assert Application.objects.count() == 1


def test_the_whole_pipeline_to_funded(world, joined, call):
    comune, office = actor(world, "referente_comune"), actor(world, "funzionario_europa")
    application = application_services.flag_interest(comune, call.pk)
    application_services.perform_action(comune, application, pipeline.CONFIRM)
    for action in (pipeline.ASSESS, pipeline.DESIGN):
        application_services.perform_action(office, application, action)
    with pytest.raises(ValidationError) as refused:
        application_services.perform_action(office, application, pipeline.SUBMIT)
    assert "requested_amount" in refused.value.message_dict
    application_services.update_application(
        office,
        application,
        application_services.ApplicationChanges(title="Scuola", requested_amount="300000.00"),
    )
    application_services.perform_action(office, application, pipeline.SUBMIT)
    with pytest.raises(ValidationError) as refused:
        application_services.perform_action(
            office, application, pipeline.FUND, application_services.ActionData(granted_amount="")
        )
    assert "granted_amount" in refused.value.message_dict
    application_services.perform_action(
        office,
        application,
        pipeline.FUND,
        application_services.ActionData(granted_amount="280000.00", note="Decreto 12"),
    )
    application.refresh_from_db()
    assert application.status == pipeline.FUNDED
    assert application.granted_amount == Decimal("280000.00")
    assert application.submitted_at and application.decided_at
    assert application.outcome_note == "Decreto 12"
    actions = list(
        AuditEvent.objects.filter(object_id=str(application.pk), action__startswith="application.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "application.flag",
        "application.confirm",
        "application.assess",
        "application.design",
        "application.update",
        "application.submit",
        "application.fund",
    ]


def test_the_comune_may_not_move_the_office_steps(world, joined, call):
    application = application_services.flag_interest(actor(world, "referente_comune"), call.pk)
    application_services.perform_action(actor(world, "referente_comune"), application, pipeline.CONFIRM)
    with pytest.raises(PermissionDenied):
        application_services.perform_action(actor(world, "referente_comune"), application, pipeline.ASSESS)
    with pytest.raises(ValidationError):
        application_services.perform_action(
            actor(world, "funzionario_europa"),
            application,
            pipeline.FUND,
            application_services.ActionData(granted_amount="1"),
        )
    application.refresh_from_db()
    assert application.status == pipeline.INTERESTED


def test_partnership_tasks_and_documents(world, joined, call):
    office = actor(world, "funzionario_europa")
    application = application_services.propose_call(office, call.pk, world.home.comune.pk)
    application_services.add_partner(
        office,
        application,
        application_services.PartnerData(organization=world.home.sibling_comune.pk, role="partner"),
    )
    application_services.add_partner(
        office,
        application,
        application_services.PartnerData(organization=world.home.union.pk, role="delegated_union"),
    )
    application_services.add_partner(
        office,
        application,
        application_services.PartnerData(
            external_name="Università di Padova", external_fiscal_code="80006480281", role="associated"
        ),
    )
    with pytest.raises(ValidationError):
        application_services.add_partner(
            office,
            application,
            application_services.PartnerData(external_name="Ente", external_fiscal_code="12345678901"),
        )
    with pytest.raises(ValidationError):
        application_services.add_partner(
            office, application, application_services.PartnerData(organization=world.elsewhere.comune.pk)
        )
    with pytest.raises(ValidationError):
        application_services.add_partner(
            office, application, application_services.PartnerData(organization=world.home.comune.pk)
        )
    assert application.partners.count() == 3
    task = application_services.add_task(
        office, application, application_services.TaskData(title="Lettere di intenti")
    )
    assert task.due_on == timezone.localdate(call.deadline) - timedelta(days=15)
    application_services.complete_task(actor(world, "referente_comune"), task)
    document = application_services.add_document(
        actor(world, "referente_comune"),
        application,
        application_services.Upload(SimpleUploadedFile("scheda.pdf", PDF)),
    )
    assert document.file.read() == PDF
    with pytest.raises(ValidationError):
        application_services.add_document(
            office, application, application_services.Upload(SimpleUploadedFile("virus.pdf", b"MZ..."))
        )
    partner = application.partners.get(organization=world.home.union)
    application_services.remove_partner(office, partner)
    assert application.partners.count() == 2


def test_partners_read_the_application_but_do_not_move_it(world, joined, call):
    office = actor(world, "funzionario_europa")
    application = application_services.propose_call(office, call.pk, world.home.comune.pk)
    ApplicationPartner.objects.create(application=application, organization=world.home.union)
    assert list(Application.objects.for_user(world.acting("referente_unione"))) == [application]
    with pytest.raises(PermissionDenied):
        application_services.perform_action(actor(world, "referente_unione"), application, pipeline.WITHDRAW)


def test_the_internal_deadline_follows_the_lead_time(world, joined, call):
    office = actor(world, "funzionario_europa")
    application = application_services.propose_call(office, call.pk, world.home.comune.pk)
    application_services.update_application(
        office, application, application_services.ApplicationChanges(title="Idea", lead_time_days="30")
    )
    application.refresh_from_db()
    assert application.internal_deadline == timezone.localdate(call.deadline) - timedelta(days=30)
    with pytest.raises(ValidationError):
        application_services.update_application(
            office, application, application_services.ApplicationChanges(title="Idea", lead_time_days="-3")
        )


# --- Pages ----------------------------------------------------------------------------------------------------


def test_the_comune_flags_interest_through_the_page(login_as, world, joined, call):
    client = login_as("referente_comune")
    assert client.get(reverse("projects:application_create")).status_code == 200
    response = client.post(reverse("projects:application_create"), {"call": call.pk, "title": ""})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:application_detail", args=[application.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="application-status"' in page.content.decode()


def test_the_page_refuses_a_comune_without_adhesion(login_as, world, call):
    response = login_as("referente_comune").post(reverse("projects:application_create"), {"call": call.pk})
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_the_office_moves_the_application_through_the_pages(login_as, world, joined, call):
    application = make_application(
        world.home.comune,
        world.home.province_org,
        call,
        status=pipeline.SUBMITTED,
        requested_amount=Decimal("1000"),
    )
    client = login_as("funzionario_europa")
    url = reverse("projects:application_action", args=[application.pk, pipeline.FUND])
    response = client.post(url, {"fund-granted_amount": "", "fund-note": ""})
    assert response.status_code == 400
    response = client.post(url, {"fund-granted_amount": "900", "fund-note": "Decreto"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == pipeline.FUNDED and application.granted_amount == Decimal("900.00")


def test_pages_of_other_tenants_are_not_found(login_as, world, call):
    foreign = make_application(world.elsewhere.comune, world.elsewhere.province_org, call)
    sibling = make_application(world.home.sibling_comune, world.home.province_org, call)
    client = login_as("referente_comune")
    for application in (foreign, sibling):
        assert client.get(reverse("projects:application_detail", args=[application.pk])).status_code == 404
    client = login_as("funzionario_europa")
    assert client.get(reverse("projects:application_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("projects:application_detail", args=[sibling.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["dirigente_upi", "funzionario_sua", "operatore_economico"])
def test_roles_without_applications_are_forbidden(login_as, world, persona):
    client = login_as(persona)
    assert client.get(reverse("projects:application_list")).status_code == 403
    assert client.get(reverse("projects:application_create")).status_code == 403


def test_documents_are_streamed_to_readers_only(login_as, world, call):
    application = make_application(world.home.comune, world.home.province_org, call)
    document = ApplicationDocument(application=application, original_name="scheda.pdf", size=len(PDF))
    document.file.save("scheda.pdf", SimpleUploadedFile("scheda.pdf", PDF), save=False)
    document.save()
    url = reverse("projects:application_document", args=[application.pk, document.pk])
    response = login_as("referente_comune").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert login_as("personale_comune").get(url).status_code == 200
    assert login_as("referente_unione").get(url).status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_with_one_or_many_rows(login_as, world):
    client = login_as("funzionario_europa")
    url = reverse("projects:application_list")
    make_application(world.home.comune, world.home.province_org)
    client.get(url)  # the first request of a session also reads what later ones find cached
    one = count_queries(client, url)
    for _ in range(6):
        make_application(world.home.sibling_comune, world.home.province_org)
        make_application(world.home.union, world.home.province_org)
    assert count_queries(client, url) == one
