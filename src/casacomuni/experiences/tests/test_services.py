"""The experiences' write operations as their users meet them: a Province writes and submits, UPI publishes or
sends back with a note, another Province says it wants to replicate; each step tells the other side, is in the
audit trail, and every refusal is in Italian and writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.audit.models import AuditEvent
from casacomuni.experiences import services
from casacomuni.experiences.models import Document, Experience, ExperienceState, Replication
from casacomuni.experiences.testing import make_experience, pdf_upload_bytes
from casacomuni.training.testing import persona_actor

pytestmark = pytest.mark.django_db


def experience_data(**changes) -> services.ExperienceData:
    fields = {
        "title": "Ufficio europa di area vasta",
        "area": "eu_funds",
        "problem": "I Comuni sotto i 5.000 abitanti non partecipavano ai bandi europei.",
        "solution": "Un ufficio provinciale scrive le candidature con i Comuni.",
        "organisation": "Tre funzionari e un referente per Comune.",
        "contact_name": "Giulia Neri",
        "contact_role": "Responsabile dell'ufficio europa",
        "contact_email": "europa@provincia.example.it",
        "start_year": 2022,
        "comuni_count": 18,
        "cost_amount": Decimal("45000.00"),
        "results": [services.ResultData("Progetti finanziati", Decimal(9), "")],
    }
    return services.ExperienceData(**(fields | changes))


def test_a_province_officer_writes_a_draft_of_its_own_province(world):
    experience = services.create_experience(persona_actor(world, "funzionario_europa"), experience_data())
    assert experience.province == world.home.province_org
    assert experience.state == ExperienceState.DRAFT
    assert [(r.indicator, r.value) for r in experience.results.all()] == [("Progetti finanziati", 9)]
    assert AuditEvent.objects.filter(
        action="experiences.create", organization=world.home.province_org
    ).exists()


@pytest.mark.parametrize("persona", ["referente_comune", "dirigente_upi", "operatore_economico"])
def test_only_a_provinces_people_write_experiences(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_experience(persona_actor(world, persona), experience_data())
    assert not Experience.objects.exists()


def test_comuni_named_must_be_of_the_provinces_territory_and_counted(world):
    foreign = world.elsewhere.municipalities[0]
    with pytest.raises(ValidationError) as refused:
        services.create_experience(
            persona_actor(world, "amministratore_provincia"),
            experience_data(municipalities=[foreign, *world.home.municipalities[:1]], comuni_count=1),
        )
    messages = refused.value.message_dict
    assert "non è nel territorio della Provincia" in messages["municipalities"][0]
    assert not Experience.objects.exists()


def test_another_province_cannot_change_the_draft_and_a_submitted_one_is_frozen(world):
    draft = make_experience(world.elsewhere.province_org, state=ExperienceState.DRAFT)
    with pytest.raises(PermissionDenied):
        services.update_experience(persona_actor(world, "amministratore_provincia"), draft, experience_data())
    submitted = make_experience(world.home.province_org, state=ExperienceState.SUBMITTED)
    with pytest.raises(ValidationError, match="non è più possibile"):
        services.update_experience(
            persona_actor(world, "amministratore_provincia"), submitted, experience_data()
        )


def test_submitting_asks_upi_and_publishing_tells_the_authors(
    world, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    author = persona_actor(world, "funzionario_sua")
    experience = services.create_experience(author, experience_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_experience(author, experience)
    assert [m.to for m in mailoutbox] == [[world.personas["dirigente_upi"].email]]
    assert "da revisionare" in mailoutbox[0].subject

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_experience(persona_actor(world, "dirigente_upi"), experience)
    experience.refresh_from_db()
    assert experience.state == ExperienceState.PUBLISHED and experience.published_at is not None
    assert [m.to for m in mailoutbox] == [[world.personas["funzionario_sua"].email]]
    assert "pubblicata" in mailoutbox[0].subject
    actions = AuditEvent.objects.filter(organization=world.home.province_org).values_list("action", flat=True)
    assert {"experiences.submit", "experiences.publish"} <= set(actions)


def test_an_experience_without_results_is_not_submitted(world):
    author = persona_actor(world, "amministratore_provincia")
    experience = services.create_experience(author, experience_data(results=[]))
    with pytest.raises(ValidationError, match="almeno un risultato"):
        services.submit_experience(author, experience)
    experience.refresh_from_db()
    assert experience.state == ExperienceState.DRAFT


def test_upi_sends_back_with_a_note_and_the_province_resubmits(
    world, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    upi = persona_actor(world, "dirigente_upi")
    experience = make_experience(
        world.home.province_org,
        state=ExperienceState.SUBMITTED,
        created_by=world.personas["funzionario_dati"],
    )
    with pytest.raises(ValidationError):
        services.return_experience(upi, experience, "   ")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_experience(upi, experience, "Indicate il costo annuo per Comune.")
    experience.refresh_from_db()
    assert experience.state == ExperienceState.RETURNED
    assert "Indicate il costo annuo per Comune." in mailoutbox[0].body
    assert mailoutbox[0].to == [world.personas["funzionario_dati"].email]
    services.update_experience(persona_actor(world, "funzionario_dati"), experience, experience_data())
    services.submit_experience(persona_actor(world, "funzionario_dati"), experience)
    assert experience.state == ExperienceState.SUBMITTED


def test_only_upi_publishes_and_only_what_was_submitted(world):
    submitted = make_experience(world.home.province_org, state=ExperienceState.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.publish_experience(persona_actor(world, "amministratore_provincia"), submitted)
    draft = make_experience(world.home.province_org, state=ExperienceState.DRAFT)
    with pytest.raises(ValidationError):
        services.publish_experience(persona_actor(world, "dirigente_upi"), draft)


def test_replicating_puts_the_two_provinces_in_contact_once(
    world, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    experience = make_experience(world.elsewhere.province_org, contact_email="ufficio.sua@padova.example.it")
    actor = persona_actor(world, "funzionario_sua")
    with django_capture_on_commit_callbacks(execute=True):
        services.replicate_experience(actor, experience, "Ci interessa per i Comuni montani.")
    assert Replication.objects.get().province == world.home.province_org
    by_address = {m.to[0]: m.body for m in mailoutbox}
    # The owner's office learns who asked; the one who asked gets the office's contact.
    assert "funzionario_sua@example.test" in by_address["ufficio.sua@padova.example.it"]
    assert "Ci interessa per i Comuni montani." in by_address["ufficio.sua@padova.example.it"]
    assert "ufficio.sua@padova.example.it" in by_address[world.personas["funzionario_sua"].email]

    with pytest.raises(ValidationError, match="già detto"):
        services.replicate_experience(
            persona_actor(world, "amministratore_provincia"), experience, "Di nuovo."
        )
    assert Replication.objects.count() == 1
    assert AuditEvent.objects.filter(
        action="experiences.replicate", organization=world.home.province_org
    ).exists()


def test_a_province_cannot_replicate_its_own_nor_an_unpublished_experience(world):
    actor = persona_actor(world, "amministratore_provincia")
    own = make_experience(world.home.province_org)
    with pytest.raises(ValidationError, match="della vostra Provincia"):
        services.replicate_experience(actor, own, "Vorremmo replicarla.")
    draft = make_experience(world.elsewhere.province_org, state=ExperienceState.DRAFT)
    with pytest.raises(ValidationError):
        services.replicate_experience(actor, draft, "Vorremmo replicarla.")
    with pytest.raises(PermissionDenied):
        services.replicate_experience(
            persona_actor(world, "referente_comune"), make_experience(world.elsewhere.province_org), "Ciao."
        )
    assert not Replication.objects.exists()


def test_documents_are_checked_by_their_bytes_and_size(world, settings):
    actor = persona_actor(world, "amministratore_provincia")
    draft = make_experience(world.home.province_org, state=ExperienceState.DRAFT)
    renamed = SimpleUploadedFile("delibera.pdf", b"PK\x03\x04 not a pdf")
    with pytest.raises(ValidationError, match="non è un file PDF, ODT o DOCX"):
        services.add_document(actor, draft, "Delibera", renamed)
    big = SimpleUploadedFile("grande.pdf", pdf_upload_bytes())
    big.size = services.MAX_DOCUMENT_BYTES + 1
    with pytest.raises(ValidationError, match="20 MB"):
        services.add_document(actor, draft, "Delibera", big)
    assert not Document.objects.exists()
    document = services.add_document(
        actor, draft, "Delibera", SimpleUploadedFile("d.pdf", pdf_upload_bytes())
    )
    assert document.original_name == "d.pdf" and document.file.read().startswith(b"%PDF-")
