"""API of the open data: public reads of published datasets, officers' creation and regeneration."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casacomuni.agreements.models import Agreement
from casacomuni.opendata.models import Dataset
from casacomuni.opendata.testing import make_catalog, make_dataset
from casacomuni.procurement.testing import sua_adhesion

BASE = "/api/v1/opendata"


@pytest.fixture
def joined(world):
    sua_adhesion(world.home, world.home.comune)


def test_published_datasets_are_public_with_their_files(client, world, joined):
    published = make_dataset(world.home.province_org, "convenzioni", publish=True)
    make_dataset(world.home.province_org, "adesioni", publish=False)
    make_dataset(world.elsewhere.province_org, "convenzioni", publish=True)
    response = client.get(f"{BASE}/datasets", {"province": "tv"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == published.pk
    assert item["identifier"] == "p_tv:convenzioni"
    assert item["theme_uri"].endswith("/data-theme/GOVE")
    assert {d["format"] for d in item["distributions"]} == {"CSV", "JSON"}
    assert item["distributions"][0]["download_url"].startswith(
        "http://testserver/opendata/tv/dataset/convenzioni."
    )
    assert client.get(f"{BASE}/datasets").json()["count"] == 2
    assert client.get(f"{BASE}/datasets/{published.pk}").status_code == 200


def test_an_unpublished_dataset_is_404(client, world, joined):
    hidden = make_dataset(world.home.province_org, "adesioni", publish=False)
    response = client.get(f"{BASE}/datasets/{hidden.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_public_list_costs_the_same_queries_for_one_or_many(client, world, joined):
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    with CaptureQueriesContext(connection) as one:
        client.get(f"{BASE}/datasets")
    make_dataset(world.home.province_org, "adesioni", publish=True)
    make_dataset(world.elsewhere.province_org, "copertura-servizi", publish=True)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{BASE}/datasets").json()["count"] == 3
    assert len(many) == len(one)


def test_an_officer_creates_and_publishes_a_dataset(client, world, joined, as_persona):
    make_catalog(world.home.province_org)
    response = client.post(
        f"{BASE}/datasets",
        {"generator": "copertura-servizi", "keywords": ["comuni"], "publish": True},
        content_type="application/json",
        headers=as_persona("funzionario_dati"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["published"] and body["slug"] == "copertura-servizi"
    assert body["keywords"] == ["comuni"]
    assert body["distributions"][0]["row_count"] == 4  # the four comuni of the home province


def test_invalid_creation_is_a_problem_and_writes_nothing(client, world, as_persona):
    headers = as_persona("funzionario_dati")
    for payload in ({"generator": "nothing"}, {"generator": "convenzioni", "theme": "XX"}, {}):
        response = client.post(f"{BASE}/datasets", payload, content_type="application/json", headers=headers)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
    assert not Dataset.objects.exists()


def test_personal_data_refuse_the_creation(client, world, joined, as_persona):
    Agreement.objects.update(title="Referente: RSSMRA85T10A562S")
    response = client.post(
        f"{BASE}/datasets",
        {"generator": "convenzioni"},
        content_type="application/json",
        headers=as_persona("funzionario_dati"),
    )
    assert response.status_code == 400
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    "persona", ["funzionario_sua", "referente_comune", "dirigente_upi", "operatore_economico"]
)
def test_other_roles_may_not_write(client, world, as_persona, persona):
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=True)
    headers = as_persona(persona)
    response = client.post(
        f"{BASE}/datasets", {"generator": "adesioni"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert client.post(f"{BASE}/datasets/{dataset.pk}/regenerate", headers=headers).status_code == 403


def test_writes_need_a_token(client, world):
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=True)
    assert client.post(f"{BASE}/datasets", {}, content_type="application/json").status_code == 401
    assert client.post(f"{BASE}/datasets/{dataset.pk}/regenerate").status_code == 401


def test_an_officer_regenerates_only_its_own_provinces_datasets(client, world, joined, as_persona):
    mine = make_dataset(world.home.province_org, "convenzioni", publish=True)
    theirs = make_dataset(world.elsewhere.province_org, "convenzioni", publish=True)
    headers = as_persona("funzionario_dati")
    response = client.post(f"{BASE}/datasets/{mine.pk}/regenerate", headers=headers)
    assert response.status_code == 200
    assert response.json()["modified"] is not None
    assert client.post(f"{BASE}/datasets/{theirs.pk}/regenerate", headers=headers).status_code == 404
