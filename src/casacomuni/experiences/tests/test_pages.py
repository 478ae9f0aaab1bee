"""The experiences' pages as their readers meet them: anybody, logged out too, searches and reads the published
experiences and their documents, never a draft; the Province writes with clear errors and nothing written on bad
input; UPI reviews; another Province says "Vogliamo replicarla"; the national map counts per Province."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casacomuni.experiences.models import Experience, ExperienceState, Replication
from casacomuni.experiences.testing import make_document, make_experience, pdf_upload_bytes

pytestmark = pytest.mark.django_db

LIST = reverse("experiences:list")


def login(client, world, persona):
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()
    return client


@pytest.fixture
def experiences(world):
    """Treviso's published experience with a document and its draft; Padova's published one in another area."""
    published = make_experience(
        world.home.province_org,
        "Centrale unica di committenza per i piccoli Comuni",
        solution="La stazione unica appaltante bandisce le gare aggregate per i Comuni montani.",
    )
    return {
        "published": published,
        "document": make_document(published),
        "draft": make_experience(
            world.home.province_org,
            "Bozza: gare aggregate per le mense scolastiche",
            state=ExperienceState.DRAFT,
        ),
        "elsewhere": make_experience(
            world.elsewhere.province_org,
            "Ufficio europa di area vasta",
            area="eu_funds",
            solution="Un ufficio provinciale scrive le candidature ai bandi con i Comuni.",
        ),
    }


def test_a_visitor_finds_a_published_experience_by_text_and_never_a_draft(client, experiences):
    page = client.get(LIST, {"q": "gare aggregate"}).content.decode()
    assert experiences["published"].title in page
    assert experiences["draft"].title not in page
    assert experiences["elsewhere"].title not in page

    detail = client.get(reverse("experiences:detail", args=[experiences["published"].pk]))
    assert detail.status_code == 200 and "Gare aggregate" in detail.content.decode()
    document = experiences["document"]
    download = client.get(reverse("experiences:document", args=[experiences["published"].pk, document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert client.get(reverse("experiences:detail", args=[experiences["draft"].pk])).status_code == 404


def test_the_list_filters_by_area_region_and_province(client, world, experiences):
    by_area = client.get(LIST, {"area": "eu_funds"}).content.decode()
    assert experiences["elsewhere"].title in by_area and experiences["published"].title not in by_area
    by_region = client.get(LIST, {"region": world.home.province.region.code}).content.decode()
    assert experiences["elsewhere"].title in by_region and experiences["published"].title in by_region
    by_province = client.get(LIST, {"province": "pd"}).content.decode()
    assert experiences["elsewhere"].title in by_province and experiences["published"].title not in by_province
    assert "Esperienze della Provincia di Padova." in by_province


def test_the_list_answers_htmx_with_its_results_only(client, experiences):
    response = client.get(LIST, {"q": "europa"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="experience-results">')
    assert experiences["elsewhere"].title in body and "HX-Request" in response["Vary"]


def test_the_list_reads_the_same_queries_whatever_the_number_of_experiences(
    client, world, experiences, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for number in range(15):
        make_experience(world.elsewhere.province_org, f"Esperienza numero {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_the_province_and_upi_see_the_draft_others_do_not(client, world, experiences):
    draft = reverse("experiences:detail", args=[experiences["draft"].pk])
    for persona, status in (
        ("funzionario_formazione", 200),
        ("dirigente_upi", 200),
        ("referente_comune", 404),
        ("operatore_economico", 404),
    ):
        assert login(client, world, persona).get(draft).status_code == status, persona
    own = login(client, world, "amministratore_provincia").get(LIST, {"state": "draft"}).content.decode()
    assert experiences["draft"].title in own and experiences["published"].title not in own


def form_data(**changes) -> dict:
    data = {
        "title": "Sportello unico per i bandi PNRR",
        "area": "eu_funds",
        "problem": "I Comuni perdevano le scadenze dei bandi.",
        "solution": "Uno sportello provinciale segue i Comuni dalla candidatura alla rendicontazione.",
        "organisation": "Due funzionari dell'ufficio europa.",
        "staff": "2",
        "cost_amount": "45.000,50",
        "cost_notes": "",
        "start_year": "2023",
        "comuni_count": "30",
        "contact_name": "Giulia Neri",
        "contact_role": "Responsabile",
        "contact_email": "europa@provincia.example.it",
        "risultati-TOTAL_FORMS": "3",
        "risultati-INITIAL_FORMS": "0",
        "risultati-0-indicator": "Progetti finanziati",
        "risultati-0-value": "12",
        "risultati-0-unit": "",
        "risultati-1-indicator": "Risparmio medio",
        "risultati-1-value": "8.3",
        "risultati-1-unit": "%",
    }
    return data | changes


def test_the_province_writes_an_experience_and_bad_input_writes_nothing(client, world):
    login(client, world, "funzionario_europa")
    refused = client.post(
        reverse("experiences:create"),
        form_data(cost_amount="quarantamila", start_year="1066", **{"risultati-2-value": "5"}),
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Inserisci un numero." in page
    assert "Indica che cosa misura questo valore." in page
    assert not Experience.objects.exists()

    saved = client.post(reverse("experiences:create"), form_data())
    experience = Experience.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "experiences:detail", args=[experience.pk]
    )
    assert str(experience.cost_amount) == "45000.50"
    assert [(r.indicator, str(r.value), r.unit) for r in experience.results.all()] == [
        ("Progetti finanziati", "12.00", ""),
        ("Risparmio medio", "8.30", "%"),
    ]


def test_a_comune_cannot_open_the_form(client, world):
    assert login(client, world, "referente_comune").get(reverse("experiences:create")).status_code == 403


def test_a_renamed_file_is_refused_on_the_page(client, world, experiences):
    login(client, world, "amministratore_provincia")
    draft = experiences["draft"]
    response = client.post(
        reverse("experiences:document_add", args=[draft.pk]),
        {"title": "Delibera", "file": SimpleUploadedFile("delibera.pdf", b"not a pdf at all")},
    )
    assert response.status_code == 400 and "non è un file PDF, ODT o DOCX" in response.content.decode()
    assert not draft.documents.exists()
    client.post(
        reverse("experiences:document_add", args=[draft.pk]),
        {"title": "Delibera", "file": SimpleUploadedFile("delibera.pdf", pdf_upload_bytes())},
    )
    assert draft.documents.get().title == "Delibera"


def test_the_province_submits_and_upi_publishes_through_the_pages(client, world, experiences):
    draft = experiences["draft"]
    login(client, world, "funzionario_sua")
    client.post(reverse("experiences:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == ExperienceState.SUBMITTED
    assert client.post(reverse("experiences:publish", args=[draft.pk])).status_code == 403

    login(client, world, "dirigente_upi")
    listed = client.get(LIST).content.decode()
    assert "attende la tua revisione" in listed
    refused = client.post(reverse("experiences:return", args=[draft.pk]), {"note": ""})
    assert refused.status_code == 400
    client.post(reverse("experiences:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == ExperienceState.PUBLISHED
    client.logout()
    assert draft.title in client.get(LIST).content.decode()


def test_another_province_replicates_and_the_count_shows(client, world, experiences):
    elsewhere = experiences["elsewhere"]
    login(client, world, "amministratore_provincia")
    url = reverse("experiences:replicate", args=[elsewhere.pk])
    assert client.post(url, {"message": ""}).status_code == 400
    client.post(url, {"message": "Vorremmo replicarla nei Comuni montani."})
    assert Replication.objects.filter(experience=elsewhere, province=world.home.province_org).exists()
    page = client.get(reverse("experiences:detail", args=[elsewhere.pk])).content.decode()
    assert 'id="already-replicated"' in page and "Replicata da 1 Provincia" in page
    own = client.get(reverse("experiences:detail", args=[experiences["published"].pk])).content.decode()
    assert 'id="replicate-form"' not in own

    client.logout()
    public = client.get(reverse("experiences:detail", args=[elsewhere.pk])).content.decode()
    assert "Replicata da 1 Provincia" in public and "Provincia di Treviso" not in public


def test_the_map_counts_the_published_experiences_of_each_province(client, world, experiences):
    make_experience(world.elsewhere.province_org, "Seconda esperienza di Padova")
    page = client.get(reverse("experiences:map")).content.decode()
    table = page.split('id="experiences-by-province"')[1].split("</table>")[0]
    assert "Padova (PD)" in table and "Treviso (TV)" in table
    assert f'href="{LIST}?province=PD"' in table
    assert '"sigla":"PD","name":"Padova","count":2' in page.replace("&quot;", '"')


API = "/api/v1/experiences"


def test_the_api_answers_published_experiences_only_to_anybody(client, experiences):
    from casacomuni.api.core import api
    from casacomuni.api.testing import guideline_problems

    listed = client.get(API, {"q": "gare aggregate"}).json()
    assert [item["title"] for item in listed["items"]] == [experiences["published"].title]
    assert listed["items"][0]["province"] == "TV"
    detail = client.get(f"{API}/{experiences['published'].pk}").json()
    assert detail["results"][0] == {"indicator": "Gare aggregate", "value": "42.00", "unit": ""}
    assert detail["documents"][0]["url"].endswith(
        reverse("experiences:document", args=[experiences["published"].pk, experiences["document"].pk])
    )
    draft = client.get(f"{API}/{experiences['draft'].pk}")
    assert draft.status_code == 404 and draft["Content-Type"].startswith("application/problem+json")
    assert not guideline_problems(api.get_openapi_schema(), API)


def test_the_province_edits_its_draft_and_removes_a_document_but_not_once_published(
    client, world, experiences
):
    login(client, world, "amministratore_provincia")
    draft = experiences["draft"]
    form = client.get(reverse("experiences:edit", args=[draft.pk])).content.decode()
    assert draft.title in form and 'value="Gare aggregate"' in form
    client.post(reverse("experiences:edit", args=[draft.pk]), form_data(title="Mense scolastiche aggregate"))
    draft.refresh_from_db()
    assert draft.title == "Mense scolastiche aggregate" and draft.results.count() == 2

    document = make_document(draft)
    client.post(reverse("experiences:document_remove", args=[draft.pk, document.pk]))
    assert not draft.documents.exists()

    published = experiences["published"]
    refused = client.get(reverse("experiences:edit", args=[published.pk]), follow=True)
    assert "non si può più modificare" in refused.content.decode()
    client.post(reverse("experiences:document_remove", args=[published.pk, experiences["document"].pk]))
    assert published.documents.exists()
