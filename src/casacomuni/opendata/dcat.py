"""A Province's catalogue as RDF in the DCAT-AP_IT profile (rdflib), served as Turtle and JSON-LD.

Classes are typed both as DCAT (dcat:Catalog, dcat:Dataset, dcat:Distribution, foaf:Agent) and as their
DCAT-AP_IT subclasses (dcatapit:Catalog, …), as the Italian profile asks; every mandatory property of
rules.dcatapit.MANDATORY is written, with the EU vocabularies' URIs for themes, frequencies, file types
and language. Dates are xsd:date, as in the profile's examples.

``catalog_graph`` reads nothing from the database itself: pass the catalogue and its published datasets
(distributions prefetched) and a ``Links`` that knows the absolute addresses.
"""

from dataclasses import dataclass

from django.urls import reverse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from casacomuni.opendata.rules import dcatapit

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "dcatapit": DCATAPIT, "skos": SKOS, "xsd": XSD}
JSONLD_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
LANGUAGE = "it"
FORMATS = {"ttl": ("turtle", "text/turtle; charset=utf-8"), "jsonld": ("json-ld", "application/ld+json")}


def expand(compact: str) -> URIRef:
    """``"dct:title"`` -> the full URI, with this module's prefixes."""
    prefix, name = compact.split(":", 1)
    return PREFIXES[prefix][name]


@dataclass(frozen=True)
class Links:
    """The absolute addresses of a Province's public pages, from the site's base URL (``https://host``)."""

    base: str
    sigla: str

    def url(self, name: str, **kwargs) -> str:
        return self.base.rstrip("/") + reverse(
            f"opendata:{name}", kwargs={"sigla": self.sigla.lower(), **kwargs}
        )

    @property
    def catalog(self) -> str:
        return self.url("catalog_page")

    @property
    def publisher(self) -> str:
        return self.catalog + "#publisher"

    def dataset(self, dataset) -> str:
        return self.url("dataset_page", slug=dataset.slug)

    def download(self, distribution) -> str:
        return self.url("download", slug=distribution.dataset.slug, extension=distribution.extension)


def day(value) -> Literal:
    return Literal(value.date().isoformat(), datatype=XSD.date)


def catalog_graph(catalog, datasets, links: Links) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    catalog_ref = URIRef(links.catalog)
    publisher = add_agent(graph, links, catalog)
    graph.add((catalog_ref, RDF.type, DCAT.Catalog))
    graph.add((catalog_ref, RDF.type, DCATAPIT.Catalog))
    graph.add((catalog_ref, DCTERMS.title, Literal(catalog.title, lang=LANGUAGE)))
    graph.add((catalog_ref, DCTERMS.description, Literal(catalog.description, lang=LANGUAGE)))
    graph.add((catalog_ref, DCTERMS.publisher, publisher))
    graph.add((catalog_ref, FOAF.homepage, URIRef(catalog.homepage or links.catalog)))
    graph.add((catalog_ref, DCTERMS.language, URIRef(dcatapit.LANGUAGE_ITALIAN)))
    graph.add((catalog_ref, DCTERMS.issued, day(catalog.created_at)))
    last_change = catalog.updated_at
    for dataset in datasets:
        graph.add((catalog_ref, DCAT.dataset, add_dataset(graph, links, catalog, dataset, publisher)))
        last_change = max(last_change, dataset.modified or dataset.updated_at, dataset.updated_at)
    graph.add((catalog_ref, DCTERMS.modified, day(last_change)))
    return graph


def add_agent(graph: Graph, links: Links, catalog) -> URIRef:
    """The Province as publisher and rights holder: identified by its IPA code (DCAT-AP_IT dcatapit:Agent)."""
    agent = URIRef(links.publisher)
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, DCATAPIT.Agent))
    graph.add((agent, DCTERMS.identifier, Literal(catalog.ipa_code)))
    graph.add((agent, FOAF.name, Literal(catalog.province.name, lang=LANGUAGE)))
    return agent


def add_dataset(graph: Graph, links: Links, catalog, dataset, publisher: URIRef) -> URIRef:
    ref = URIRef(links.dataset(dataset))
    graph.add((ref, RDF.type, DCAT.Dataset))
    graph.add((ref, RDF.type, DCATAPIT.Dataset))
    graph.add((ref, DCTERMS.identifier, Literal(dataset.identifier(catalog.ipa_code))))
    graph.add((ref, DCTERMS.title, Literal(dataset.title, lang=LANGUAGE)))
    graph.add((ref, DCTERMS.description, Literal(dataset.description, lang=LANGUAGE)))
    graph.add((ref, DCTERMS.modified, day(dataset.modified or dataset.updated_at)))
    if dataset.issued:
        graph.add((ref, DCTERMS.issued, day(dataset.issued)))
    theme = URIRef(dcatapit.theme_uri(dataset.theme))
    graph.add((ref, DCAT.theme, theme))
    graph.add((theme, RDF.type, SKOS.Concept))
    frequency = URIRef(dcatapit.frequency_uri(dataset.accrual_periodicity))
    graph.add((ref, DCTERMS.accrualPeriodicity, frequency))
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    graph.add((ref, DCTERMS.rightsHolder, publisher))
    graph.add((ref, DCTERMS.publisher, publisher))
    graph.add((ref, DCTERMS.language, URIRef(dcatapit.LANGUAGE_ITALIAN)))
    graph.add((ref, DCAT.landingPage, URIRef(links.dataset(dataset))))
    for keyword in dataset.keywords:
        graph.add((ref, DCAT.keyword, Literal(keyword, lang=LANGUAGE)))
    for distribution in dataset.distributions.all():
        graph.add((ref, DCAT.distribution, add_distribution(graph, links, dataset, distribution)))
    return ref


def add_distribution(graph: Graph, links: Links, dataset, distribution) -> URIRef:
    download = URIRef(links.download(distribution))
    ref = download
    graph.add((ref, RDF.type, DCAT.Distribution))
    graph.add((ref, RDF.type, DCATAPIT.Distribution))
    file_type = URIRef(dcatapit.file_type_uri(distribution.format))
    graph.add((ref, DCTERMS.format, file_type))
    graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    graph.add((ref, DCAT.mediaType, Literal(distribution.media_type)))
    graph.add((ref, DCAT.accessURL, URIRef(links.dataset(dataset))))
    graph.add((ref, DCAT.downloadURL, download))
    graph.add((ref, DCTERMS.title, Literal(f"{dataset.title} ({distribution.format})", lang=LANGUAGE)))
    graph.add((ref, DCAT.byteSize, Literal(str(distribution.byte_size), datatype=XSD.nonNegativeInteger)))
    licence = URIRef(dataset.license)
    name, licence_type = dcatapit.LICENCES[dataset.license]
    graph.add((ref, DCTERMS.license, licence))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((licence, DCTERMS.type, URIRef(licence_type)))
    graph.add((licence, FOAF.name, Literal(name)))
    return ref


def serialize(graph: Graph, extension: str) -> str:
    rdf_format, _content_type = FORMATS[extension]
    if rdf_format == "json-ld":
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2)
    return graph.serialize(format=rdf_format)
