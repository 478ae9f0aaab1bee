"""The harvestable DCAT-AP_IT catalogues: both serialisations parse as RDF, every Catalog, Dataset,
Distribution and Agent carries every mandatory property (rules.dcatapit.MANDATORY, from DOMAIN.md §6 and
the DCAT-AP_IT profile), with the EU vocabularies' URIs; unknown or silent Provinces answer 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from casacomuni.opendata.dcat import DCATAPIT, expand
from casacomuni.opendata.rules import dcatapit
from casacomuni.opendata.testing import make_dataset
from casacomuni.procurement.testing import sua_adhesion

CLASSES = {
    "Catalog": DCAT.Catalog,
    "Dataset": DCAT.Dataset,
    "Distribution": DCAT.Distribution,
    "Agent": FOAF.Agent,
}


@pytest.fixture
def published(world):
    sua_adhesion(world.home, world.home.comune)
    sua_adhesion(world.home, world.home.union)
    datasets = [
        make_dataset(world.home.province_org, code, publish=True)
        for code in ("convenzioni", "adesioni", "copertura-servizi")
    ]
    hidden = make_dataset(world.home.province_org, "convenzioni", publish=False, slug="bozza")
    return datasets, hidden


def fetch(client, sigla, extension):
    name = "opendata:catalog_ttl" if extension == "ttl" else "opendata:catalog_jsonld"
    return client.get(reverse(name, args=[sigla]))


def parsed(response, rdf_format) -> Graph:
    graph = Graph()
    graph.parse(data=response.content.decode("utf-8"), format=rdf_format)
    return graph


def missing_mandatory(graph: Graph) -> list[str]:
    problems = []
    for kind, rdf_class in CLASSES.items():
        subjects = set(graph.subjects(RDF.type, rdf_class))
        if not subjects:
            problems.append(f"no {kind}")
        for subject in subjects:
            for compact in dcatapit.MANDATORY[kind]:
                if graph.value(subject, expand(compact)) is None:
                    problems.append(f"{kind} {subject} lacks {compact}")
    return problems


@pytest.mark.parametrize(
    ("sigla", "extension", "rdf_format"), [("tv", "ttl", "turtle"), ("TV", "jsonld", "json-ld")]
)
def test_the_catalogue_parses_and_has_every_mandatory_property(
    client, published, sigla, extension, rdf_format
):
    datasets, hidden = published
    response = fetch(client, sigla, extension)
    assert response.status_code == 200
    graph = parsed(response, rdf_format)
    assert missing_mandatory(graph) == []
    dataset_refs = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(dataset_refs) == 3
    assert set(graph.subjects(RDF.type, DCATAPIT.Dataset)) == dataset_refs
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == 6
    identifiers = {str(graph.value(ref, DCTERMS.identifier)) for ref in dataset_refs}
    assert identifiers == {f"p_tv:{d.slug}" for d in datasets}
    assert "p_tv:bozza" not in response.content.decode()


def test_vocabularies_agents_and_licences_are_the_profiles(client, published):
    graph = parsed(fetch(client, "tv", "ttl"), "turtle")
    (catalog,) = graph.subjects(RDF.type, DCATAPIT.Catalog)
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert (publisher, RDF.type, DCATAPIT.Agent) in graph
    assert str(graph.value(publisher, DCTERMS.identifier)) == "p_tv"
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert graph.value(dataset, DCTERMS.rightsHolder) == publisher
        assert str(graph.value(dataset, DCAT.theme)).startswith(dcatapit.EU_AUTHORITY + "data-theme/")
        assert str(graph.value(dataset, DCTERMS.accrualPeriodicity)).startswith(
            dcatapit.EU_AUTHORITY + "frequency/"
        )
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        assert str(graph.value(distribution, DCTERMS.format)) in {
            dcatapit.file_type_uri("CSV"),
            dcatapit.file_type_uri("JSON"),
        }
        licence = graph.value(distribution, DCTERMS.license)
        assert licence == URIRef(dcatapit.DEFAULT_LICENCE)
        assert (licence, RDF.type, DCATAPIT.LicenseDocument) in graph
        assert graph.value(distribution, DCAT.downloadURL) is not None


def test_turtle_and_json_ld_say_the_same(client, published):
    assert isomorphic(
        parsed(fetch(client, "tv", "ttl"), "turtle"), parsed(fetch(client, "tv", "jsonld"), "json-ld")
    )


def test_the_download_urls_of_the_catalogue_answer_with_the_files(client, published, settings):
    settings.CASACOMUNI_BASE_URL = "https://casacomuni.example.it"
    graph = parsed(fetch(client, "tv", "ttl"), "turtle")
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        url = str(graph.value(distribution, DCAT.downloadURL))
        assert url.startswith("https://casacomuni.example.it/opendata/tv/dataset/")
        response = client.get(url.removeprefix("https://casacomuni.example.it"))
        assert response.status_code == 200
        assert response["ETag"].strip('"') in {d.sha256 for d in _all_distributions()}


def _all_distributions():
    from casacomuni.opendata.models import Distribution

    return Distribution.objects.all()


def test_unknown_silent_or_unpublished_provinces_answer_404(client, world, published):
    for sigla in ("ZZ", "pd"):  # not a province; a Province on the platform without a catalogue
        assert fetch(client, sigla, "ttl").status_code == 404
        assert fetch(client, sigla, "jsonld").status_code == 404
    make_dataset(world.elsewhere.province_org, "convenzioni", publish=False)
    assert fetch(client, "pd", "ttl").status_code == 404  # a catalogue with nothing published


def test_the_catalogue_costs_the_same_queries_for_one_or_many_datasets(client, world):
    sua_adhesion(world.home, world.home.comune)
    make_dataset(world.home.province_org, "convenzioni", publish=True)
    with CaptureQueriesContext(connection) as one:
        assert fetch(client, "tv", "ttl").status_code == 200
    make_dataset(world.home.province_org, "adesioni", publish=True)
    make_dataset(world.home.province_org, "copertura-servizi", publish=True)
    with CaptureQueriesContext(connection) as many:
        assert fetch(client, "tv", "ttl").status_code == 200
    assert len(many) == len(one)
