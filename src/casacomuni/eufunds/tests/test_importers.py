"""The parsers, on the real samples and on broken or random input (they never raise)."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from casacomuni.eufunds.importers import PARSERS, BadRecord, ParsedCall, incentivi, regional, sedia
from casacomuni.eufunds.importers._common import deadline_in_text, parse_deadline, parse_moment
from casacomuni.eufunds.rules.money import parse_amount
from casacomuni.eufunds.testing import sample

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture(autouse=True)
def italian():
    """The reasons of a bad record are for the office that imports: in Italian."""
    with translation.override("it"):
        yield


def split(results):
    results = list(results)
    good = [r for r in results if isinstance(r, ParsedCall)]
    bad = [r for r in results if isinstance(r, BadRecord)]
    return good, bad


def test_sedia_sample_reads_every_topic_and_both_deadlines():
    good, bad = split(sedia.parse(sample("sedia_search_page.json")))
    assert bad == []
    assert len(good) == 9  # the API's duplicate last result included: the service counts it
    soil = good[0]
    assert soil.source_id == "HORIZON-MISS-2027-05-SOIL-01-two-stage"
    assert soil.programme == "Horizon Europe"
    assert soil.opens_on == date(2027, 2, 4)
    # Two-stage: both deadlines, a date-only midnight read as the end of that day in Italy.
    assert soil.deadline == datetime(2027, 4, 8, 23, 59, 59, tzinfo=ROME)
    assert soil.second_deadline == datetime(2027, 9, 14, 23, 59, 59, tzinfo=ROME)
    assert soil.funding_form == "HORIZON Action Grant Budget-Based"
    # A deadline with a time keeps it (17:00 UTC).
    transformations = good[1]
    assert transformations.deadline == datetime(2024, 2, 7, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert transformations.second_deadline is None


def test_sedia_budget_keeps_only_the_topics_own_actions():
    good, _ = split(sedia.parse(sample("sedia_search_page.json")))
    by_id = {g.source_id: g for g in good}
    # The sample's budgetOverview is cut at 600 characters: complete entries are salvaged.
    eccc = by_id["HORIZON-CL3-2026-02-CS-ECCC-01"]
    assert (eccc.budget_total, eccc.min_contribution, eccc.max_contribution) == (
        Decimal(20000000),
        Decimal(3000000),
        Decimal(4000000),
    )
    # SOIL-01's own entry is beyond the cut: SOIL-02's and SOIL-06's budgets are not taken for it.
    assert by_id["HORIZON-MISS-2027-05-SOIL-01-two-stage"].budget_total is None


def test_sedia_budget_from_complete_json():
    overview = json.dumps(
        {
            "budgetTopicActionMap": {
                "1": [
                    {
                        "action": "X-01 - RIA",
                        "minContribution": 1,
                        "maxContribution": 3,
                        "budgetYearMap": {"2026": "10"},
                    },
                    {
                        "action": "X-01 - RIA",
                        "minContribution": 2,
                        "maxContribution": 5,
                        "budgetYearMap": {"2027": "5"},
                    },
                    {
                        "action": "X-011 - RIA",
                        "minContribution": 9,
                        "maxContribution": 9,
                        "budgetYearMap": {"2026": "99"},
                    },
                ]
            }
        }
    )
    assert sedia.topic_budget("X-01", overview) == (Decimal(15), Decimal(1), Decimal(5))


def test_sedia_tender_and_missing_fields_are_bad_records():
    payload = {
        "results": [
            {"metadata": {"identifier": ["T-1"], "type": ["0"], "title": ["Tender"]}},
            {"metadata": {"identifier": ["G-1"], "type": ["1"]}},
            {"metadata": {"identifier": ["G-2"], "type": ["1"], "title": ["No dates"]}},
            "not a record",
        ]
    }
    good, bad = split(sedia.parse(json.dumps(payload)))
    assert good == []
    assert [b.ref for b in bad] == ["T-1", "G-1", "G-2", "risultato 4"]
    assert not any(b.fatal for b in bad)


def test_sedia_unreadable_file_is_fatal():
    (bad,) = sedia.parse(b"<html>error</html>")
    assert bad.fatal
    (bad,) = sedia.parse(b'{"totalResults": 0}')
    assert bad.fatal


def test_incentivi_raw_solr_sample():
    good, bad = split(incentivi.parse(sample("incentivi_sample.json")))
    assert bad == []
    assert len(good) == 13
    first = good[0]
    assert first.source_id == "3400"
    assert first.opens_on == date(2023, 3, 10)
    assert first.deadline == datetime(2026, 6, 30, 23, 59, 59, tzinfo=ROME)
    assert first.budget_total == Decimal("2066866.00")
    assert first.max_contribution == Decimal("300000.00")
    assert first.min_contribution is None  # "0": not stated
    assert first.funder == "Ministero delle Imprese e del Made in Italy"
    assert "Impresa" in first.beneficiaries
    assert first.url == "https://www.medisdih.it/wp/"
    comuni = next(g for g in good if g.source_id == "1133")
    assert "Grosseto" in comuni.territorial_scope


EXPORT_ROW = {
    "ID_Incentivo": "9001",
    "Titolo": "Bando per la rigenerazione dei borghi",
    "Descrizione": "Contributi ai Comuni",
    "Data_apertura": "2026-01-15",
    "Data_chiusura": "2026-12-31T00:00:00",
    "Tipologia_Soggetto": "Ente Pubblico",
    "Forma_agevolazione": "Contributo/Fondo perduto",
    "Soggetto_Concedente": "Ministero della Cultura",
    "Stanziamento_incentivo": "€ 20 milioni",
    "Agevolazione_Concedibile_max": "1.600.000,00",
    "Regioni": "Veneto; Lombardia",
    "Comuni": "Asolo; Possagno",
    "Link_istituzionale": "https://cultura.gov.it/borghi",
}


def test_incentivi_open_data_json_export():
    (call,) = incentivi.parse(json.dumps([EXPORT_ROW]).encode("utf-8-sig"))
    assert call.source_id == "9001"
    assert call.budget_total == Decimal("20000000.00")
    assert call.budget_text == "€ 20 milioni"
    assert call.max_contribution == Decimal("1600000.00")
    assert call.deadline == datetime(2026, 12, 31, 23, 59, 59, tzinfo=ROME)
    assert "Possagno" in call.territorial_scope


def test_incentivi_open_data_csv_with_bom_and_semicolons():
    header = ";".join(EXPORT_ROW)
    row = ";".join(v.replace(";", ",") for v in EXPORT_ROW.values())
    broken = ";".join(["", "Senza identificativo"] + [""] * (len(EXPORT_ROW) - 2))
    payload = ("\ufeff" + header + "\n" + row + "\n" + broken + "\n").encode("utf-8")
    good, bad = split(incentivi.parse(payload))
    assert [g.title for g in good] == ["Bando per la rigenerazione dei borghi"]
    assert good[0].opens_on == date(2026, 1, 15)
    assert bad[0].reason == "manca ID_Incentivo"


def test_incentivi_same_record_in_both_shapes_hashes_the_same():
    solr = {
        "zs_nid": "9001",
        "zs_title": EXPORT_ROW["Titolo"],
        "zs_body": EXPORT_ROW["Descrizione"],
        "zs_field_open_date": "2026-01-15T00:00:00",
        "zs_field_close_date": "2026-12-31T00:00:00",
        "zm_field_subject_type_value": ["Ente Pubblico"],
        "zm_field_support_form_value": ["Contributo/Fondo perduto"],
        "zs_field_subject_grant": EXPORT_ROW["Soggetto_Concedente"],
        "zs_field_budget_allocation": EXPORT_ROW["Stanziamento_incentivo"],
        "zs_field_support_grant_type_max": "1.600.000,00",
        "zm_field_regions_value": ["Veneto", "Lombardia"],
        "zs_field_comuni": "Asolo; Possagno",
        "zs_field_link": EXPORT_ROW["Link_istituzionale"],
    }
    (from_solr,) = incentivi.parse({"response": {"docs": [solr]}})
    (from_export,) = incentivi.parse([EXPORT_ROW])
    assert from_solr.content_hash() == from_export.content_hash()


def test_every_regional_sample_imports_with_reasons_for_the_skipped():
    expected = {
        "regional_basilicata.json": (6, 4),
        "regional_calabria.json": (6, 4),
        "regional_emilia_romagna.json": (18, 0),
        "regional_lazio.json": (14, 1),
        "regional_sicilia.json": (10, 5),
        "regional_trentino.json": (41, 0),
    }
    for name, (n_good, n_bad) in expected.items():
        good, bad = split(regional.parse(sample(name)))
        assert (len(good), len(bad)) == (n_good, n_bad), name
        assert len({g.source_id for g in good}) == n_good, name
        assert all(b.reason and not b.fatal for b in bad), name


def test_regional_shapes_map_their_fields():
    good, _ = split(regional.parse(sample("regional_emilia_romagna.json")))
    cittadinanza = next(g for g in good if g.source_id == "emilia-romagna:30334a5b3dac437d917a0ec73eb6e4a7")
    assert cittadinanza.opens_on == date(2026, 3, 26)
    assert cittadinanza.deadline == datetime(2026, 5, 20, 14, 0, tzinfo=ZoneInfo("UTC"))
    assert "Enti pubblici" in cittadinanza.beneficiaries
    assert cittadinanza.funder == "Regione Emilia-Romagna"

    trentino, _ = split(regional.parse(sample("regional_trentino.json")))
    first = trentino[0]
    assert (first.opens_on, first.deadline.date()) == (date(2025, 10, 1), date(2026, 2, 9))
    assert first.budget_total == Decimal("3200000.00")
    month_only = next(t for t in trentino if t.opens_on == date(2024, 4, 1))
    assert month_only.deadline.date() == date(2024, 5, 31)  # "maggio 2024": until the month's end

    sicilia, _ = split(regional.parse(sample("regional_sicilia.json")))
    proroga = next(s for s in sicilia if s.source_id == "sicilia:162453")
    assert proroga.deadline.date() == date(2026, 2, 28)  # "prorogato fino alle ore 12:00 del 28/02/2026"
    assert proroga.programme == "FSC 2021/2027"


def test_regional_record_without_title_or_date_is_bad():
    payload = {"records": [{"title": "", "deadline": "2026-01-01"}, {"title": "Avviso", "deadline": None}]}
    good, bad = split(regional.parse(payload))
    assert good == []
    assert [b.reason for b in bad] == ["manca il titolo", "nessuna data di apertura o scadenza utilizzabile"]


def test_regional_unknown_portal_with_similar_field_names():
    payload = [
        {
            "ID": 7,
            "Titolo": "Bando borghi",
            "Data_Scadenza": "31/12/2026",
            "Link": "https://regione.molise.it/x",
        }
    ]
    (call,) = regional.parse(payload)
    assert call.source_id == "molise:7"
    assert call.deadline.date() == date(2026, 12, 31)


def test_dates_and_amounts_as_sources_write_them():
    assert parse_moment("1/10/2025") == (date(2025, 10, 1), None)
    assert parse_moment("02/12/25") == (date(2025, 12, 2), None)
    assert parse_moment("aprile 2024") == (date(2024, 4, 1), None)
    assert parse_moment("aprile 2024", end_of_period=True) == (date(2024, 4, 30), None)
    assert parse_moment("21 aprile 2026") == (date(2026, 4, 21), None)
    assert parse_moment("31/02/2026") is None
    assert parse_moment("1500-01-01") is None
    assert parse_deadline("2026-05-20T14:00:00+00:00").hour == 14
    assert deadline_in_text("domande entro le ore 12:00 del 28/02/2026, poi") == datetime(
        2026, 2, 28, 23, 59, 59, tzinfo=ROME
    )
    # An extension is later than the first date: the latest counts.
    assert deadline_in_text("scadenza 28/02/2026, prorogata fino al 15/03/2026") == datetime(
        2026, 3, 15, 23, 59, 59, tzinfo=ROME
    )
    # The project's own end is not the call's deadline (regional_lazio.json, call 52660, says both).
    text = (
        "Le domande possono essere presentate entro il 5 marzo 2026. Il progetto dovrà essere concluso e "
        "rendicontato entro il 31/03/2029."
    )
    assert deadline_in_text(text) == datetime(2026, 3, 5, 23, 59, 59, tzinfo=ROME)
    assert parse_amount("€ 2.066.866") == Decimal("2066866.00")
    assert parse_amount("3.200.000,00") == Decimal("3200000.00")
    assert parse_amount("70047.34") == Decimal("70047.34")
    assert parse_amount("1,5 mln") == Decimal("1500000.00")
    assert parse_amount("10 milioni di euro") == Decimal("10000000.00")
    assert parse_amount("500 mila euro") == Decimal("500000.00")
    assert parse_amount("risorse non quantificate") is None
    assert parse_amount(-5) is None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
KEYS = st.sampled_from(
    [
        "identifier",
        "title",
        "deadlineDate",
        "startDate",
        "budgetOverview",
        "actions",
        "type",
        "zs_nid",
        "zs_title",
        "Data_apertura",
        "Data_chiusura",
        "Stanziamento_incentivo",
        "deadline",
        "scadenza_bando",
        "date",
        "content",
        "_post_id",
        "DATA CHIUSURA",
        "IMPORTO (Euro)",
        "value_amount",
        "link",
        "metadata",
    ]
)
RECORDS = st.dictionaries(KEYS, JSON_VALUES, max_size=8)


@settings(max_examples=150, deadline=None)
@given(records=st.lists(RECORDS | st.builds(lambda r: {"metadata": r}, RECORDS), max_size=4))
def test_parsers_never_raise_on_random_records(records):
    for parse in PARSERS.values():
        for payload in ({"results": records}, {"docs": records}, {"records": records}, records):
            for result in parse(payload):
                assert isinstance(result, (ParsedCall, BadRecord))


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(max_size=300) | st.text(max_size=300))
def test_parsers_never_raise_on_random_bytes(payload):
    for parse in PARSERS.values():
        for result in parse(payload):
            assert isinstance(result, (ParsedCall, BadRecord))


def test_incentivi_date_times_are_utc_even_without_an_offset():
    """DOMAIN.md §5: incentivi.gov.it writes date-times in UTC (Solr's convention) even without an offset:
    "2025-03-31T22:00:00" is 1 April 2025, 00:00 in Rome (summer time, UTC+2), so the call opens on 1 April,
    not on 31 March; a close at "2025-06-30T21:59:59" is 23:59:59 in Rome, not two hours earlier."""
    row = EXPORT_ROW | {"Data_apertura": "2025-03-31T22:00:00", "Data_chiusura": "2025-06-30T21:59:59"}
    (call,) = incentivi.parse([row])
    assert call.opens_on == date(2025, 4, 1)
    assert call.deadline == datetime(2025, 6, 30, 23, 59, 59, tzinfo=ROME)
    # A Rome midnight in UTC clothing is a date: the call is open through that day.
    (call,) = incentivi.parse([EXPORT_ROW | {"Data_chiusura": "2025-06-29T22:00:00"}])
    assert call.deadline == datetime(2025, 6, 30, 23, 59, 59, tzinfo=ROME)
    # In winter (UTC+1) the same rule: 23:00 UTC on 14 January is 15 January in Rome.
    (call,) = incentivi.parse([EXPORT_ROW | {"Data_apertura": "2026-01-14T23:00:00"}])
    assert call.opens_on == date(2026, 1, 15)


def test_other_sources_without_an_offset_stay_in_italian_time():
    # Regional portals write Italian local time: 14:00 without offset is 14:00 in Rome.
    assert parse_deadline("2026-05-20T14:00:00") == datetime(2026, 5, 20, 14, 0, tzinfo=ROME)


def test_incentivi_legal_basis_is_read_from_base_normativa_primaria():
    """The open-data download names the call's legal basis Base_normativa_primaria (zs_field_primary_ruleset
    in the raw Solr documents, DOMAIN §5): both shapes read it as the call's programme."""
    (call,) = incentivi.parse([EXPORT_ROW | {"Base_normativa_primaria": "Legge 30 dicembre 2018, n. 145"}])
    assert call.programme == "Legge 30 dicembre 2018, n. 145"
    good, _bad = split(incentivi.parse(sample("incentivi_sample.json")))
    assert good[0].programme.startswith("Misure urgenti rafforzamento della capacità amministrativa")
