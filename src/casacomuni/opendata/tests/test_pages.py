"""The public pages (no login) and the officers' pages: who sees what, forms and actions, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.opendata.models import Catalog, Dataset
from casacomuni.opendata.testing import make_catalog, make_dataset
from casacomuni.procurement.testing import sua_adhesion

OFFICER_URLS = ["opendata:manage", "opendata:dataset_create", "opendata:catalog_edit"]


@pytest.fixture
def joined(world):
    sua_adhesion(world.home, world.home.comune)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Public -----------------------------------------------------------------------------------------------


def test_public_pages_show_published_datasets_without_login(client, world, joined):
    published = make_dataset(world.home.province_org, "convenzioni", publish=True)
    hidden = make_dataset(world.home.province_org, "adesioni", publish=False)
    index = client.get(reverse("opendata:index"))
    assert index.status_code == 200
    assert world.home.province_org.name in index.content.decode()
    assert world.elsewhere.province_org.name not in index.content.decode()
    page = client.get(reverse("opendata:catalog_page", args=["TV"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-slug="{published.slug}"' in body
    assert f'data-slug="{hidden.slug}"' not in body
    detail = client.get(reverse("opendata:dataset_page", args=["tv", published.slug]))
    assert detail.status_code == 200
    assert "p_tv:convenzioni" in detail.content.decode()
    download = client.get(reverse("opendata:download", args=["tv", published.slug, "csv"]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert b"id_convenzione" in b"".join(download.streaming_content)


def test_unpublished_and_unknown_answer_404(client, world, joined):
    hidden = make_dataset(world.home.province_org, "adesioni", publish=False)
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    assert client.get(reverse("opendata:dataset_page", args=["tv", hidden.slug])).status_code == 404
    assert client.get(reverse("opendata:download", args=["tv", hidden.slug, "json"])).status_code == 404
    assert client.get(reverse("opendata:dataset_page", args=["pd", "convenzioni"])).status_code == 404
    assert client.get(reverse("opendata:catalog_page", args=["zz"])).status_code == 404
    assert client.get("/opendata/tv/dataset/convenzioni.xlsx").status_code == 404


def test_public_lists_cost_the_same_queries_for_one_or_many_rows(client, world, joined):
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    urls = [reverse("opendata:index"), reverse("opendata:catalog_page", args=["tv"])]
    before = [queries(client, url) for url in urls]
    make_dataset(world.home.province_org, "adesioni", publish=True)
    make_dataset(world.home.province_org, "copertura-servizi", publish=True)
    make_dataset(world.elsewhere.province_org, "copertura-servizi", publish=True)
    assert [queries(client, url) for url in urls] == before


# --- Officers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["funzionario_sua", "referente_comune", "dirigente_upi", "operatore_economico"]
)
def test_officer_pages_refuse_other_roles(login_as, persona):
    client = login_as(persona)
    for name in OFFICER_URLS:
        assert client.get(reverse(name)).status_code == 403


def test_officer_pages_need_login(client, world):
    for name in OFFICER_URLS:
        assert client.get(reverse(name)).status_code == 302


def test_an_officer_sets_the_catalogue_creates_and_publishes_a_dataset(login_as, world, joined):
    client = login_as("funzionario_dati")
    response = client.post(
        reverse("opendata:catalog_edit"),
        {"ipa_code": "p tv", "title": "Dati aperti", "description": "Il catalogo"},
    )
    assert response.status_code == 400
    assert not Catalog.objects.exists()
    response = client.post(
        reverse("opendata:catalog_edit"),
        {"ipa_code": "p_tv", "title": "Dati aperti", "description": "Il catalogo", "homepage": ""},
    )
    assert response.status_code == 302
    assert client.get(reverse("opendata:dataset_create") + "?generator=convenzioni").status_code == 200
    data = {
        "generator": "convenzioni",
        "slug": "",
        "title": "Convenzioni",
        "description": "Le convenzioni",
        "theme": "GOVE",
        "accrual_periodicity": "MONTHLY",
        "keywords": "convenzioni, comuni",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publish": "on",
    }
    response = client.post(reverse("opendata:dataset_create"), data)
    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert dataset.published and dataset.slug == "convenzioni"
    assert dataset.keywords == ["convenzioni", "comuni"]
    edit = client.get(reverse("opendata:dataset_edit", args=[dataset.pk]))
    assert 'data-published="true"' in edit.content.decode()
    response = client.post(
        reverse("opendata:dataset_edit", args=[dataset.pk]),
        data | {"title": "Convenzioni SUA", "theme": "XX"},
    )
    assert response.status_code == 400
    assert Dataset.objects.get().title == "Convenzioni"
    response = client.post(
        reverse("opendata:dataset_edit", args=[dataset.pk]), data | {"title": "Convenzioni SUA"}
    )
    assert response.status_code == 302
    assert Dataset.objects.get().title == "Convenzioni SUA"
    for action, published in (("regenerate", True), ("unpublish", False), ("publish", True)):
        response = client.post(reverse("opendata:dataset_action", args=[dataset.pk, action]))
        assert response.status_code == 302
        assert Dataset.objects.get().published is published
    assert client.post(reverse("opendata:dataset_action", args=[dataset.pk, "delete"])).status_code == 404
    assert client.get(reverse("opendata:dataset_action", args=[dataset.pk, "publish"])).status_code == 405


def test_a_refused_creation_says_why_on_the_form(login_as, world, joined):
    client = login_as("amministratore_provincia")
    response = client.post(
        reverse("opendata:dataset_create"), {"generator": "convenzioni", "slug": "Bad Slug"}
    )
    assert response.status_code == 400
    assert not Dataset.objects.exists()


def test_publishing_without_an_ipa_code_shows_the_reason(login_as, world, joined):
    client = login_as("funzionario_dati")
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=False)
    Catalog.objects.all().delete()
    response = client.post(reverse("opendata:dataset_action", args=[dataset.pk, "publish"]))
    assert response.status_code == 400
    assert 'id="dataset-error"' in response.content.decode()
    assert not Dataset.objects.get().published


def test_another_provinces_dataset_is_404_for_the_officer(login_as, world):
    theirs = make_dataset(world.elsewhere.province_org, "convenzioni", publish=True)
    client = login_as("funzionario_dati")
    assert client.get(reverse("opendata:dataset_edit", args=[theirs.pk])).status_code == 404
    for action in ("publish", "unpublish", "regenerate"):
        assert client.post(reverse("opendata:dataset_action", args=[theirs.pk, action])).status_code == 404
    assert Dataset.objects.get(pk=theirs.pk).published
    manage = client.get(reverse("opendata:manage")).content.decode()
    assert reverse("opendata:dataset_edit", args=[theirs.pk]) not in manage


def test_the_officers_list_costs_the_same_queries_for_one_or_many_datasets(login_as, world, joined):
    client = login_as("funzionario_dati")
    make_catalog(world.home.province_org)
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    client.get(reverse("opendata:manage"))  # the first request after the login also touches the session
    before = queries(client, reverse("opendata:manage"))
    make_dataset(world.home.province_org, "adesioni", publish=False)
    make_dataset(world.home.province_org, "copertura-servizi", publish=True)
    assert queries(client, reverse("opendata:manage")) == before


def test_the_dashboard_card_counts_the_provinces_datasets(login_as, world, joined):
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    make_dataset(world.home.province_org, "adesioni", publish=False)
    make_dataset(world.elsewhere.province_org, "convenzioni", publish=True)
    body = login_as("funzionario_dati").get(reverse("web:dashboard")).content.decode()
    assert '<p class="figure-value mb-1" id="opendata-published">1</p>' in body
    assert 'id="opendata-refused">0<' in body
    other = login_as("referente_comune").get(reverse("web:dashboard")).content.decode()
    assert 'id="opendata-published"' not in other
