"""Criteria read from the records (rules.applicants): worked examples quoted from the shipped samples.

Sources (eufunds/data/samples, see SOURCES.md): incentivi_sample.json (incentivi.gov.it Solr documents,
fields ``zm_field_subject_type_value`` = Tipologia_Soggetto and ``zm_field_regions_value`` = Regioni),
regional_emilia_romagna.json (Plone ``destinatari``), regional_calabria.json and regional_basilicata.json
(``eligibility_text``), regional_trentino.json (``BENEFICIARI``, ``AREA GEOGRAFICA``), regional_lazio.json
(``class_list`` terms ``destinatari-*``).
"""

import pytest

from casacomuni.eufunds.rules import applicants as a
from casacomuni.eufunds.rules import eligibility as e

TREVISO = e.Profile(e.MUNICIPALITY, "026086", "Treviso", 84000, "05", "TV")
BOLOGNA = e.Profile(e.MUNICIPALITY, "037006", "Bologna", 390000, "08", "BO")


def test_a_business_only_call_excludes_a_comune_with_its_reason():
    # incentivi.gov.it 3400, zm_field_subject_type_value: ["Impresa"].
    criteria = a.from_labels("Tipologia soggetto", ["Impresa"])
    assert criteria == [e.Criterion(e.ENTITY_TYPE, {"types": ["enterprise"]}, "Tipologia soggetto: Impresa")]
    verdict = e.verdict(criteria, TREVISO)
    assert verdict.outcome == e.NOT_ELIGIBLE
    assert verdict.reasons[0].message == "The call is open only to: %(types)s."


def test_several_business_labels_are_one_type():
    # incentivi.gov.it 1341: "Consorzio", "Cooperative/Associazioni Non Profit", "Impresa - SU/PMI innovativa"…
    labels = [
        "Consorzio",
        "Cooperative/Associazioni Non Profit",
        "Impresa - SU/PMI innovativa",
        "Professionista",
    ]
    [criterion] = a.from_labels("Tipologia soggetto", labels)
    assert criterion.value == {"types": ["enterprise", "non_profit"]}
    assert e.verdict([criterion], TREVISO).outcome == e.NOT_ELIGIBLE


def test_another_regions_call_excludes_a_comune():
    # incentivi.gov.it 3400, zm_field_regions_value: ["Campania", "Puglia"].
    criteria = a.from_region_names("Regioni", ["Campania", "Puglia"])
    assert criteria[0].value == {"codes": ["15", "16"]}
    assert criteria[0].excerpt == "Regioni: Campania, Puglia"
    assert e.verdict(criteria, TREVISO).outcome == e.NOT_ELIGIBLE


def test_region_names_as_istat_writes_them():
    # incentivi.gov.it 3265 and 5525: bilingual names.
    assert a.region_code("Trentino-Alto Adige/Südtirol") == "04"
    assert a.region_code("Valle d'Aosta/Vallée d'Aoste") == "02"
    assert a.region_code("Friuli-Venezia Giulia") == "06"
    # One unreadable name: no regions criterion at all (the call may be open there).
    assert a.from_region_names("Regioni", ["Veneto", "Atlantide"]) == []


def test_public_bodies_of_the_comunes_region_are_eligible():
    # regional_emilia_romagna.json, "Bando per la promozione della cittadinanza europea 2026":
    # destinatari ["Enti del Terzo settore", "Enti pubblici"]; published by Regione Emilia-Romagna.
    criteria = [
        *a.from_labels("destinatari", ["Enti del Terzo settore", "Enti pubblici"]),
        *a.from_area("Portale", "Regione Emilia-Romagna (politicheterritoriali.regione.emilia-romagna.it)"),
    ]
    assert [c.value for c in criteria] == [{"types": ["non_profit", "public_body"]}, {"codes": ["08"]}]
    assert e.verdict(criteria, BOLOGNA).outcome == e.ELIGIBLE
    assert e.verdict(criteria, TREVISO).outcome == e.NOT_ELIGIBLE


def test_a_label_the_platform_cannot_classify_keeps_the_verdict_unknown():
    # regional_sicilia.json, post 154585: destinatari-enti-pubblici, destinatari-imprese, destinatari-media.
    [covered] = a.from_labels("destinatari", ["enti pubblici", "imprese", "media"])
    assert covered.value == {"types": ["enterprise", "public_body"], "other": ["media"]}
    assert e.verdict([covered], TREVISO).outcome == e.ELIGIBLE
    # Without the public bodies, a Comune might be among the "media": unknown, not excluded.
    [open_question] = a.from_labels("destinatari", ["imprese", "media"])
    verdict = e.verdict([open_question], TREVISO)
    assert verdict.outcome == e.UNKNOWN
    assert verdict.reasons[0].params["other"] == "media"
    # Only unclassifiable labels: the record says nothing the platform can read.
    assert a.from_labels("destinatari", ["Scuole"]) == []


def test_a_sentence_is_read_for_its_applicants_only():
    # regional_basilicata.json 102251, eligibility_text: the requirements name the "amministrazione comunale"
    # and "i Comuni", who are not applicants.
    text = (
        "Imprese private autorizzate non convenzionate che gestiscono servizi educativi per la prima infanzia "
        "(0-36 mesi). Requisiti: possesso dell'autorizzazione al funzionamento della competente "
        "amministrazione comunale. I soggetti non convenzionati possono candidarsi esclusivamente per il "
        "numero di posti che non siano convenzionati con i Comuni."
    )
    [criterion] = a.from_sentence("eligibility_text", text)
    assert criterion.value == {"types": ["enterprise"]}
    assert criterion.excerpt.endswith("(0-36 mesi)")
    # regional_calabria.json 61781: the Comuni costieri and their Unioni.
    [comuni] = a.from_sentence(
        "eligibility_text",
        "Comuni costieri della Regione Calabria in forma singola o Unioni di Comuni costieri in forma associata.",
    )
    assert comuni.value == {"types": ["municipality", "union"]}


def test_the_european_union_is_not_a_unione_di_comuni():
    # regional_calabria.json 56779: "cittadino italiano o di uno Stato membro dell'Unione Europea".
    [criterion] = a.from_sentence(
        "eligibility_text", "Essere cittadino italiano o di uno Stato membro dell'Unione Europea"
    )
    assert criterion.value == {"types": ["citizen"]}


def test_a_sentence_naming_no_applicant_says_nothing():
    # regional_trentino.json, BENEFICIARI "Gruppi di Azione Locale (GAL)".
    assert a.from_sentence("BENEFICIARI", "Gruppi di Azione Locale (GAL)") == []


@pytest.mark.parametrize(
    ("area", "kind", "value"),
    [
        # regional_trentino.json, AREA GEOGRAFICA.
        ("Provincia autonoma di Trento", e.PROVINCES, {"siglas": ["TN"]}),
        # regional_sicilia.json is published by the Regione Siciliana.
        ("Regione Siciliana (www.euroinfosicilia.it)", e.REGIONS, {"codes": ["19"]}),
        ("Lazio Innova – Regione Lazio (www.lazioinnova.it)", e.REGIONS, {"codes": ["12"]}),
    ],
)
def test_the_area_of_a_regional_call(area, kind, value):
    [criterion] = a.from_area("AREA GEOGRAFICA", area)
    assert (criterion.kind, criterion.value) == (kind, value)


def test_an_area_naming_no_region_says_nothing():
    assert a.from_area("Portale", "www.example.org") == []
