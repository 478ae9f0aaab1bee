"""The generators' tables from each pillar's data, and the files built from them (files.py)."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from casacomuni.opendata import files
from casacomuni.opendata.generators import REGISTRY, Generator, Table, available_generators, get_generator
from casacomuni.opendata.platform_generators import discount_percent
from casacomuni.procurement.testing import sua_adhesion


def rows_by(table: Table, key: str) -> list[dict]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


# --- Registry and files ----------------------------------------------------------------------------------


def test_every_registered_generator_is_available_here():
    assert {g.code for g in available_generators()} == set(REGISTRY)
    assert len(REGISTRY) == 8


def test_a_generator_needing_a_missing_model_is_not_offered():
    missing = Generator(
        "x", "X", "X", "GOVE", "ANNUAL", (), lambda p: Table((), []), requires=("nowhere.Model",)
    )
    assert not missing.available
    assert get_generator("not-registered") is None


def test_a_row_of_the_wrong_width_is_a_programming_error():
    with pytest.raises(ValueError):
        Table(("a", "b"), [(1,)])


def test_csv_is_utf8_crlf_with_header_and_neutralised_formulas():
    table = Table(
        ("testo", "numero", "data", "flag", "vuoto"),
        [("=SOMMA(A1)", Decimal("-12.50"), date(2026, 1, 2), True, None), ("Città", 3, None, False, "")],
    )
    content = files.render_csv(table)
    assert content.decode("utf-8").split("\r\n")[:3] == [
        "testo,numero,data,flag,vuoto",
        "'=SOMMA(A1),-12.50,2026-01-02,true,",
        "Città,3,,false,",
    ]
    assert list(csv.reader(io.StringIO(content.decode())))[2][0] == "Città"


def test_json_is_an_array_of_objects_with_numbers_as_numbers():
    table = Table(("a", "b", "c"), [(Decimal("1.50"), Decimal("2.00"), date(2026, 1, 2))])
    assert json.loads(files.render_json(table)) == [{"a": 1.5, "b": 2, "c": "2026-01-02"}]


def test_the_same_data_give_the_same_bytes():
    table = Table(("a",), [("x",), ("y",)])
    assert files.render_csv(table) == files.render_csv(Table(("a",), [("x",), ("y",)]))
    assert files.render_json(table) == files.render_json(Table(("a",), [("x",), ("y",)]))


@pytest.mark.parametrize(
    ("base", "awarded", "expected"),
    [("100000", "85000", "15.00"), ("150000", "130750.50", "12.83"), ("0", "10", None), ("100", None, None)],
)
def test_discount_percent(base, awarded, expected):
    result = discount_percent(Decimal(base), Decimal(awarded) if awarded else None)
    assert result == (Decimal(expected) if expected else None)


# --- Agreements -------------------------------------------------------------------------------------------


def test_agreements_adhesions_and_coverage(world):
    sua_adhesion(world.home, world.home.comune)
    sua_adhesion(world.home, world.home.union)
    sua_adhesion(world.elsewhere, world.elsewhere.comune)
    agreements = rows_by(get_generator("convenzioni").build(world.home.province_org), "ente")
    assert {row["ente"] for row in agreements} == {world.home.comune.name, world.home.union.name}
    assert {row["servizi"] for row in agreements} == {"sua"}
    comune_row = next(row for row in agreements if row["ente"] == world.home.comune.name)
    assert comune_row["codice_istat"] == world.home.comune.municipality.istat_code
    adhesions = get_generator("adesioni").build(world.home.province_org)
    assert len(adhesions.rows) == 2
    coverage = {
        row["codice_istat"]: row
        for row in rows_by(get_generator("copertura-servizi").build(world.home.province_org), "")
    }
    assert len(coverage) == 4  # every comune of the territory
    union_members = {m.istat_code for m in world.home.union.member_municipalities.all()}
    for code, row in coverage.items():
        joined = code == world.home.comune.municipality.istat_code or code in union_members
        assert row["sua"] is joined
        assert row["servizi_attivi"] == (1 if joined else 0)


# --- Other pillars ---------------------------------------------------------------------------------------


def test_procedures_one_row_per_lot_with_award_and_savings(world):
    from casacomuni.procurement.testing import make_procedure

    awarded = make_procedure(world.home, world, state="awarded")
    make_procedure(world.home, world, state="draft", title="Bozza riservata")
    make_procedure(world.elsewhere, world, state="published")
    table = get_generator("gare-sua").build(world.home.province_org)
    (row,) = rows_by(table, "")
    lot = awarded.lots.get()
    assert row["id_procedura"] == awarded.pk
    assert row["cig"] == lot.cig
    assert row["importo_aggiudicazione"] == lot.awarded_amount
    assert row["ribasso_euro"] == lot.base_amount - lot.awarded_amount
    assert row["ribasso_percentuale"] == discount_percent(lot.base_amount, lot.awarded_amount)
    assert row["aggiudicatario"] == lot.awarded_operator.name


def test_a_procedure_published_late_in_the_evening_is_dated_as_in_rome(world):
    from casacomuni.procurement.testing import make_procedure

    procedure = make_procedure(world.home, world, state="published")
    procedure.published_at = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 01:30 on 1 April in Rome
    procedure.save(update_fields=["published_at"])
    (row,) = rows_by(get_generator("gare-sua").build(world.home.province_org), "")
    assert row["data_pubblicazione"] == date(2026, 4, 1)


def test_calls_of_the_province_only(world):
    from casacomuni.eufunds.testing import add_eufunds

    mine = add_eufunds(world.home, world)["call"]
    add_eufunds(world.elsewhere, world)
    rows = rows_by(get_generator("bandi-provincia").build(world.home.province_org), "")
    assert [row["id_bando"] for row in rows] == [mine.pk]


def test_projects_with_their_financing(world):
    from casacomuni.projects.testing import add_projects

    project = add_projects(world.home, world)["project"]
    rows = rows_by(get_generator("progetti-finanziati").build(world.home.province_org), "")
    assert [row["cup"] for row in rows] == [project.cup]
    assert rows[0]["finanziamento_totale"] > 0


def test_indicators_per_comune_and_year(world):
    from casacomuni.indicators.testing import YEARS, add_indicators

    add_indicators(world.home, world)
    add_indicators(world.elsewhere, world)
    rows = rows_by(get_generator("indicatori-comuni").build(world.home.province_org), "")
    assert len(rows) == len(YEARS) * len(world.home.municipalities)
    assert {row["codice_istat"] for row in rows} == {m.istat_code for m in world.home.municipalities}


def test_campaign_aggregates_count_only_submitted_responses_and_no_text(world):
    from casacomuni.insights.testing import add_insights

    objects = add_insights(world.home, world)
    table = get_generator("rilevazioni-aggregate").build(world.home.province_org)
    rows = rows_by(table, "")
    campaign = objects["campaign"]
    mine = [row for row in rows if row["id_campagna"] == campaign.pk]
    assert mine
    assert {row["tipo"] for row in rows} <= {
        "yes_no",
        "single_choice",
        "multiple_choice",
        "integer",
        "decimal",
        "index",
    }
    spid = [row for row in mine if row["codice_domanda"] == "spid_cie_login"]
    assert {row["opzione"] for row in spid} == {"si", "no"}
    assert {row["risposte"] for row in spid} == {1}  # one submitted response
    assert sum(row["conteggio"] for row in spid) == 1
    # The campaign of the file question has no submitted response: its integer question counts none.
    other = [row for row in rows if row["codice_domanda"] == "registrations"]
    assert all(row["risposte"] == 0 for row in other)
    assert "manual" not in {row["codice_domanda"] for row in rows}
