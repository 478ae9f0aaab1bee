"""The library's pages as their users meet them: what each reads, the forms' refusals, adopting, the update of a
copy, starting a template or a questionnaire from a model, UPI's transfer page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casacomuni.documents.models import DocumentTemplate
from casacomuni.insights.models import Questionnaire
from casacomuni.library import services
from casacomuni.library.models import LibraryModel, ModelKind, ModelUse, ServiceArea
from casacomuni.library.testing import docx_upload, make_model, new_version, upi_admin
from casacomuni.training.testing import persona_actor

pytestmark = pytest.mark.django_db

SECTIONS = [
    {
        "title": "Servizi online",
        "questions": [
            {
                "code": "servizi_online",
                "text": "Quanti servizi sono online?",
                "kind": "integer",
                "min_value": 0,
            },
            {"code": "spid", "text": "Accesso con SPID?", "kind": "yes_no", "required": True},
        ],
    }
]


@pytest.fixture
def library(world):
    """UPI's published capitolato and its draft; Treviso's own convention scheme (published) and draft."""
    upi, admin = upi_admin(world), persona_actor(world, "amministratore_provincia")
    return {
        "national": make_model(upi, "Capitolato nazionale del verde"),
        "national_draft": make_model(upi, "Bozza nazionale di disciplinare", publish=False),
        "own": make_model(admin, "Schema di convenzione di Treviso", kind=ModelKind.CONVENTION),
        "own_draft": make_model(admin, "Bozza di Treviso", publish=False),
    }


def page(client, world, persona, url):
    client.force_login(world.personas[persona])
    return client.get(url)


def test_a_comune_reads_upi_and_its_province_published_models_never_drafts(client, world, library):
    content = page(client, world, "referente_comune", reverse("library:model_list")).content.decode()
    assert "Capitolato nazionale del verde" in content and "Schema di convenzione di Treviso" in content
    assert "Bozza" not in content
    assert (
        page(
            client, world, "referente_comune", reverse("library:model_detail", args=[library["own_draft"].pk])
        ).status_code
        == 404
    )


def test_another_province_reads_only_upi_published_models(client, world, library):
    from casacomuni.accounts.models import Membership

    membership = Membership.objects.create(
        user=world.personas["funzionario_sua"], organization=world.elsewhere.province_org, role="sua_officer"
    )
    world.memberships["funzionario_sua"].delete()
    client.force_login(membership.user)
    content = client.get(reverse("library:model_list")).content.decode()
    assert "Capitolato nazionale del verde" in content
    assert "Treviso" not in content
    assert client.get(reverse("library:model_detail", args=[library["own"].pk])).status_code == 404


def test_the_list_costs_the_same_queries_with_more_models(
    client, world, library, django_assert_max_num_queries
):
    client.force_login(world.personas["amministratore_provincia"])
    url = reverse("library:model_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    upi = upi_admin(world)
    for number in range(5):
        model = make_model(upi, f"Modello {number}")
        services.adopt_version(persona_actor(world, "amministratore_provincia"), model.current_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_renamed_file_is_refused_on_the_form_and_nothing_is_written(client, world, library):
    client.force_login(world.personas["dirigente_upi"])
    before = LibraryModel.objects.count()
    response = client.post(
        reverse("library:model_create"),
        {
            "kind": ModelKind.CAPITOLATO,
            "area": ServiceArea.SUA,
            "title": "Capitolato",
            "changelog": "Prima versione.",
            "uploads": [SimpleUploadedFile("capitolato.docx", b"%PDF-1.4 finto")],
        },
    )
    assert response.status_code == 400
    assert "capitolato.docx non è un file DOCX, ODT o PDF." in response.content.decode()
    assert LibraryModel.objects.count() == before


def test_a_wrong_questionnaire_definition_is_refused_with_its_reason(client, world, library):
    client.force_login(world.personas["dirigente_upi"])
    wrong = [
        {"title": "S", "questions": [{"code": "Codice Maiuscolo", "text": "Domanda?", "kind": "yes_no"}]}
    ]
    response = client.post(
        reverse("library:model_create"),
        {
            "kind": ModelKind.QUESTIONNAIRE,
            "area": ServiceArea.DATA,
            "title": "Questionario",
            "changelog": "Prima versione.",
            "questionnaire": json.dumps(wrong),
        },
    )
    assert response.status_code == 400 and "Il codice deve" in response.content.decode()


def test_upi_creates_and_publishes_a_model_through_the_pages(client, world):
    client.force_login(world.personas["dirigente_upi"])
    response = client.post(
        reverse("library:model_create"),
        {
            "kind": ModelKind.DETERMINA,
            "area": ServiceArea.SUA,
            "title": "Determina a contrarre tipo",
            "legal_basis": "D.Lgs. 36/2023, art. 17",
            "changelog": "Prima versione.",
            "uploads": [docx_upload("determina.docx")],
        },
    )
    model = LibraryModel.objects.get(title="Determina a contrarre tipo")
    assert response.status_code == 302
    client.post(reverse("library:version_publish", args=[model.versions.get().pk]))
    model.refresh_from_db()
    assert model.current_version.number == 1
    assert (
        client.get(reverse("library:file_download", args=[model.current_version.files.get().pk])).status_code
        == 200
    )


def test_adopting_a_superseded_version_is_refused_with_a_message(client, world, library):
    upi = upi_admin(world)
    first = library["national"].current_version
    new_version(upi, library["national"], "Seconda versione.")
    client.force_login(world.personas["funzionario_sua"])
    before = LibraryModel.objects.count()
    response = client.post(reverse("library:version_adopt", args=[first.pk]), follow=True)
    assert "Si può adottare solo la versione pubblicata" in response.content.decode()
    assert LibraryModel.objects.count() == before


def test_a_province_sees_the_update_and_what_changed_then_accepts_it(client, world, library):
    upi, admin = upi_admin(world), persona_actor(world, "amministratore_provincia")
    copy = services.adopt_version(admin, library["national"].current_version)
    new_version(
        upi,
        library["national"],
        "Aggiunto l'allegato sulle alberature.",
        uploads=[docx_upload("alberature.docx")],
        legal_basis="DM 63/2020",
    )
    client.force_login(world.personas["amministratore_provincia"])
    detail = client.get(reverse("library:model_detail", args=[copy.pk])).content.decode()
    assert "Aggiornamento disponibile" in detail
    update = client.get(reverse("library:update", args=[copy.pk])).content.decode()
    assert "File aggiunto: alberature.docx" in update and "La base giuridica" in update
    assert "Aggiunto l&#x27;allegato sulle alberature." in update
    client.post(reverse("library:update_accept", args=[copy.pk]))
    copy.refresh_from_db()
    assert copy.origin_version.number == 2 and copy.update_number is None
    assert sorted(copy.current_version.files.values_list("original_name", flat=True)) == [
        "alberature.docx",
        "modello.docx",
    ]


def test_the_data_office_starts_a_questionnaire_from_a_template(client, world):
    upi = upi_admin(world)
    template = make_model(
        upi, "Servizi digitali", kind=ModelKind.QUESTIONNAIRE, area=ServiceArea.DATA, questionnaire=SECTIONS
    )
    client.force_login(world.personas["funzionario_dati"])
    response = client.post(reverse("library:start_questionnaire", args=[template.current_version.pk]))
    questionnaire = Questionnaire.objects.get(province=world.home.province_org, title="Servizi digitali")
    assert response["Location"] == reverse("insights:questionnaire_detail", args=[questionnaire.pk])
    assert list(questionnaire.questions.values_list("code", flat=True)) == ["servizi_online", "spid"]
    assert ModelUse.objects.get().kind == "questionnaire"
    content = page(
        client, world, "dirigente_upi", reverse("library:model_detail", args=[template.pk])
    ).content.decode()
    assert "usato 1 volta" in content


def test_the_administrator_makes_the_agreements_template_from_a_convention_scheme(client, world, library):
    good = docx_upload("schema.docx", "Convenzione tra la {{ provincia.nome }} e il {{ ente.nome }}.")
    bad = docx_upload("sbagliato.docx", "Convenzione con {{ segreto }}.")
    upi = upi_admin(world)
    for name, upload in (("Schema corretto", good), ("Schema sbagliato", bad)):
        make_model(upi, name, kind=ModelKind.CONVENTION, area=ServiceArea.AGREEMENTS, files=[upload])
    client.force_login(world.personas["amministratore_provincia"])
    wrong = LibraryModel.objects.get(title="Schema sbagliato").current_version
    response = client.post(
        reverse("library:start_template", args=[wrong.pk]), {"file": wrong.files.get().pk}, follow=True
    )
    assert "segreto" in response.content.decode()
    assert not DocumentTemplate.objects.exists() and not ModelUse.objects.exists()
    right = LibraryModel.objects.get(title="Schema corretto").current_version
    client.post(reverse("library:start_template", args=[right.pk]), {"file": right.files.get().pk})
    template = DocumentTemplate.objects.get(owner=world.home.province_org)
    assert "Schema corretto" in template.note and ModelUse.objects.get().target_id == template.pk


def test_only_upi_opens_the_transfer_page_and_its_queries_do_not_grow(
    client, world, library, django_assert_max_num_queries
):
    services.adopt_version(
        persona_actor(world, "amministratore_provincia"), library["national"].current_version
    )
    assert page(client, world, "amministratore_provincia", reverse("library:transfer")).status_code == 403
    client.force_login(world.personas["dirigente_upi"])
    url = reverse("library:transfer")
    with django_assert_max_num_queries(12) as few:
        content = client.get(url).content.decode()
    assert "Capitolato nazionale del verde" in content
    upi = upi_admin(world)
    for number in range(4):
        model = make_model(upi, f"Altro modello {number}")
        services.adopt_version(persona_actor(world, "amministratore_provincia"), model.current_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_publishing_a_version_tells_the_administrators_of_the_adopting_provinces(
    world, library, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    services.adopt_version(persona_actor(world, "funzionario_sua"), library["national"].current_version)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(upi_admin(world), library["national"], "Penali aggiornate.")
    (mail,) = mailoutbox
    assert mail.to == [world.personas["amministratore_provincia"].email]
    assert "aggiornamento disponibile" in mail.subject.lower() and "Penali aggiornate." in mail.body
