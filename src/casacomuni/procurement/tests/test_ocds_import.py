"""Importing ANAC's OCDS files into the market data (``casacomuni import_ocds``).

The sample is 12 real compiled releases of ANAC (publication 117 of the Open Contracting Data Registry,
CC BY 4.0; see procurement/data/SOURCES.md). Every one has ANAC's malformed release date
("2025-01-08 17:31:38.793T12:00:00Z", DOMAIN.md §4.9), which the import must tolerate and report.
"""

import copy
import gzip
import json
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from casacomuni.accounts.testing import make_municipality
from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.market.models import MarketRelease
from casacomuni.procurement.ocds import importer as ocds_import
from casacomuni.procurement.ocds.importer import Linker, parse_release, parse_release_date, read_releases

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "anac_ocds_sample.json"
ROME = ZoneInfo("Europe/Rome")
TRANI = "ocds-hu01ve-8114164"
PORT_AUTHORITY = "ocds-hu01ve-8390739"  # four lots, four awards


def sample_releases() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))["releases"]


def sample_release(ocid: str) -> dict:
    return next(release for release in sample_releases() if release["ocid"] == ocid)


def import_files(*paths) -> str:
    out = StringIO()
    call_command("import_ocds", *[str(path) for path in paths], stdout=out, stderr=out)
    return out.getvalue()


def write_lines(path: Path, documents) -> Path:
    path.write_text("".join(json.dumps(document) + "\n" for document in documents), encoding="utf-8")
    return path


# --- Dates, without the database -----------------------------------------------------------------------------


def test_anac_malformed_date_keeps_its_leading_date_time_and_is_flagged():
    parsed = parse_release_date("2025-01-08 17:31:38.793T12:00:00Z")
    assert parsed.malformed
    assert parsed.value == datetime(2025, 1, 8, 17, 31, 38, 793000, tzinfo=ROME)


def test_rfc3339_date_is_read_as_is_and_not_flagged():
    parsed = parse_release_date("2025-01-08T17:31:38Z")
    assert not parsed.malformed
    assert parsed.value == datetime(2025, 1, 8, 17, 31, 38, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("text", [None, "", "n/d", "2025-13-45 10:00:00", 20250108])
def test_unreadable_or_missing_date_gives_no_date_and_is_flagged(text):
    assert parse_release_date(text) == ocds_import.ParsedDate(None, True)


def test_date_alone_is_read_at_midnight_and_flagged():
    assert parse_release_date("2025-02-14").value == datetime(2025, 2, 14, tzinfo=ROME)


# --- One release, without the database -----------------------------------------------------------------------


def test_release_with_four_lots_sums_its_awards_and_lists_its_cigs():
    parsed = parse_release(sample_release(PORT_AUTHORITY))
    assert parsed.buyer_fiscal_code == "92033190395"
    assert parsed.cigs == ("9030406EC3", "9030388FE8", "903035330A", "903037338B")
    # 11,369,082.96 + 8,117,943.72 + 9,416,789.66 + 9,839,047.74, the four awards of the file.
    assert parsed.award_amount == Decimal("38742864.08")
    assert parsed.award_currency == "EUR"
    assert len(parsed.supplier_names) == 6  # three joint ventures sharing members
    assert not parsed.delegated


def test_release_without_award_keeps_the_tender_value():
    parsed = parse_release(sample_release(TRANI))
    assert (parsed.buyer_name, parsed.buyer_fiscal_code) == ("COMUNE DI TRANI", "83000350724")
    assert parsed.value_amount == Decimal("196721.31")
    assert parsed.award_amount is None
    assert parsed.cpv == "72322000-8"
    assert parsed.main_procurement_category == "services"
    assert ocds_import.method_title(parsed.procurement_method_details) == (
        "PROCEDURA NEGOZIATA PER AFFIDAMENTI SOTTO SOGLIA"
    )


def test_procuring_entity_other_than_the_buyer_marks_the_release_delegated():
    release = sample_release(TRANI)
    release["parties"].append(
        {
            "id": "80004990727",
            "name": "PROVINCIA DI BARLETTA-ANDRIA-TRANI - SUA",
            "roles": ["procuringEntity"],
            "identifier": {"id": "80004990727", "scheme": "IT-CF"},
        }
    )
    release["tender"]["procuringEntity"] = {
        "id": "80004990727",
        "name": "PROVINCIA DI BARLETTA-ANDRIA-TRANI - SUA",
    }
    parsed = parse_release(release)
    assert parsed.delegated
    assert parsed.procuring_entity_fiscal_code == "80004990727"


def test_procuring_entity_equal_to_the_buyer_is_not_a_delegation():
    release = sample_release(TRANI)
    release["tender"]["procuringEntity"] = {"id": "83000350724", "name": "COMUNE DI TRANI"}
    assert not parse_release(release).delegated


def test_bid_count_comes_from_bids_statistics():
    release = sample_release(TRANI)
    release["bids"] = {
        "statistics": [
            {"id": "1", "measure": "bids", "value": 7, "relatedLot": "90940496A3"},
            {"id": "2", "measure": "validBids", "value": 5},
        ]
    }
    assert parse_release(release).bid_count == 7
    release["bids"]["statistics"].append({"id": "3", "measure": "bids", "value": 9})
    assert parse_release(release).bid_count == 9  # the whole-tender figure wins


@pytest.mark.parametrize("broken", [{"id": "x"}, {"ocid": "ocds-hu01ve-1"}, {"ocid": "", "id": "1"}, "text"])
def test_release_without_ocid_or_id_is_refused(broken):
    with pytest.raises(ocds_import.ReleaseError):
        parse_release(broken)


def test_linker_prefers_the_fiscal_code_and_refuses_ambiguous_names():
    linker = Linker(
        ocds_import.unique_index([("83000350724", (1, 10))]),
        ocds_import.unique_index([("trani", (None, 10)), ("peglio", (None, 20)), ("peglio", (None, 21))]),
    )
    trani = parse_release(sample_release(TRANI))
    assert linker.link(trani) == ocds_import.Link(1, 10)
    nameless = copy.deepcopy(sample_release(TRANI))
    nameless["buyer"]["id"] = nameless["parties"][0]["id"] = nameless["parties"][0]["identifier"]["id"] = "x"
    assert linker.link(parse_release(nameless)) == ocds_import.Link(None, 10)
    nameless["buyer"]["name"] = "COMUNE DI PEGLIO"  # two comuni are called Peglio (PU and CO)
    assert not linker.link(parse_release(nameless))


def test_buyer_name_matches_the_comune_despite_apostrophes_and_accents():
    assert ocds_import.municipality_name_key("COMUNE DI FIORENZUOLA D ARDA") == ocds_import.name_key(
        "Fiorenzuola d'Arda"
    )
    assert ocds_import.municipality_name_key("COMUNE DI CITTA' DI CASTELLO") == ocds_import.name_key(
        "Città di Castello"
    )
    assert ocds_import.municipality_name_key("AZIENDA SANITARIA LOCALE NAPOLI 1") == ""


def test_the_usual_short_forms_read_as_the_istat_name():
    """ANAC's buyers write "COMUNE DI REGGIO EMILIA" for the comune that ISTAT's Elenco comuni italiani calls
    "Reggio nell'Emilia" (and "Reggio Calabria" for "Reggio di Calabria"): the table of name variants in
    ocds_import maps the short form to the ISTAT name."""
    assert ocds_import.municipality_name_key("COMUNE DI REGGIO EMILIA") == ocds_import.name_key(
        "Reggio nell'Emilia"
    )
    assert ocds_import.municipality_name_key("Comune di Reggio Calabria") == ocds_import.name_key(
        "Reggio di Calabria"
    )
    assert ocds_import.municipality_name_key("COMUNE DI LA SPEZIA") == ocds_import.name_key("La Spezia")
    linker = Linker({}, ocds_import.unique_index([(ocds_import.name_key("Reggio nell'Emilia"), (None, 7))]))
    release = copy.deepcopy(sample_release(TRANI))
    release["buyer"]["name"] = "COMUNE DI REGGIO EMILIA"
    assert linker.link(parse_release(release)) == ocds_import.Link(None, 7)


# --- File shapes, without the database -----------------------------------------------------------------------


def test_every_shape_of_file_yields_its_releases(tmp_path):
    releases = sample_releases()
    package = SAMPLE
    lines = write_lines(tmp_path / "releases.jsonl", releases)
    packages = write_lines(
        tmp_path / "packages.jsonl", [{"releases": releases[:5]}, {"releases": releases[5:]}]
    )
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"records": [{"ocid": r["ocid"], "compiledRelease": r} for r in releases]}))
    single = tmp_path / "single.json"
    single.write_text(json.dumps(releases[0], indent=2))
    compressed = tmp_path / "releases.jsonl.gz"
    with gzip.open(compressed, "wt", encoding="utf-8") as stream:
        stream.write(lines.read_text())
    for path in (package, lines, packages, records, compressed):
        assert [r["ocid"] for _, r in read_releases(path)] == [r["ocid"] for r in releases], path.name
    assert [position for position, _ in read_releases(single)] == ["release 1"]
    assert [position for position, _ in read_releases(lines)][2] == "line 3"


@pytest.mark.parametrize(
    "content",
    ['{"releases": [', '{"ocid": "a", "id": "1"}\n{"ocid": "b", "id": 2\n', "", "42", b"\xff\xfe\x00{"],
)
def test_unreadable_file_is_refused(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ocds_import.OcdsFileError):
        list(read_releases(path))


# --- The command ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_twelve_anac_releases_import_and_their_malformed_dates_are_reported():
    out = import_files(SAMPLE)
    assert MarketRelease.objects.count() == 12
    assert "create: 12" in out
    assert "date non valide o mancanti: 12" in out
    release = MarketRelease.objects.get(ocid=PORT_AUTHORITY)
    assert release.buyer_name == "AUTORITA' DI SISTEMA PORTUALE DEL MARE ADRIATICO CENTRO-SETTENTRIONALE"
    assert release.buyer_fiscal_code == "92033190395"
    assert release.cigs == ["9030406EC3", "9030388FE8", "903035330A", "903037338B"]
    assert release.lot_count == 4
    assert release.award_amount == Decimal("38742864.08")
    assert release.date_malformed and release.date_text == "2025-01-02 17:30:04.772T12:00:00Z"
    assert release.year == 2025
    assert release.release == sample_release(PORT_AUTHORITY)
    assert AuditEvent.objects.filter(action="market.import").count() == 1


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    import_files(SAMPLE)
    before = dict(MarketRelease.objects.values_list("pk", "imported_at"))
    out = import_files(SAMPLE)
    assert "Nessuna modifica" in out and "invariate: 12" in out
    assert dict(MarketRelease.objects.values_list("pk", "imported_at")) == before
    assert AuditEvent.objects.filter(action="market.import").count() == 1


@pytest.mark.django_db
def test_a_changed_release_updates_its_row_only(tmp_path):
    import_files(SAMPLE)
    releases = sample_releases()
    releases[0]["tender"]["value"]["amount"] = 200000
    out = import_files(write_lines(tmp_path / "changed.jsonl", releases))
    assert "aggiornate: 1" in out and "invariate: 11" in out
    assert MarketRelease.objects.get(ocid=TRANI).value_amount == Decimal("200000.00")


@pytest.mark.django_db
def test_json_lines_and_a_single_release_import(tmp_path):
    releases = sample_releases()
    write_lines(tmp_path / "first.jsonl", releases[:3])
    (tmp_path / "one.json").write_text(json.dumps(releases[3], indent=2))
    out = import_files(tmp_path / "first.jsonl", tmp_path / "one.json")
    assert "create: 4" in out
    assert MarketRelease.objects.count() == 4


@pytest.mark.django_db
def test_a_broken_file_raises_and_writes_nothing(tmp_path):
    # Good lines first, more than one batch of them, and the fault on the last line: still nothing written.
    good = [dict(release, ocid=f"{release['ocid']}-{n}") for n in range(100) for release in sample_releases()]
    path = write_lines(tmp_path / "broken.jsonl", good)
    with path.open("a") as stream:
        stream.write('{"ocid": "ocds-hu01ve-1", "id": \n')
    with pytest.raises(CommandError, match="riga 1201"):
        call_command("import_ocds", str(SAMPLE), str(path), stdout=StringIO())
    assert not MarketRelease.objects.exists()
    assert not AuditEvent.objects.filter(action="market.import").exists()


@pytest.mark.django_db
def test_a_zip_archive_is_refused_saying_to_unpack_it(tmp_path):
    """ANAC's bulk files come zipped: the message says so, instead of "not UTF-8 text"."""
    import zipfile

    path = tmp_path / "2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(SAMPLE, "2025.json")
    with pytest.raises(CommandError, match="2025.zip è un archivio ZIP: estrarlo e importare") as refused:
        call_command("import_ocds", str(path), stdout=StringIO())
    assert "UTF-8" not in str(refused.value)
    assert not MarketRelease.objects.exists()


@pytest.mark.django_db
def test_a_file_without_ocds_releases_is_refused_not_reported_as_unchanged(tmp_path):
    """A TED notice (JSON of another standard) holds no release with an ocid: the import says that no OCDS
    release was found and fails (a CommandError: non-zero exit), rather than "nothing changed"."""
    notice = {
        "notice-identifier": "00123456-2025",
        "notice-type": "cn-standard",
        "publication-date": "2025-01-08",
    }
    path = tmp_path / "ted.json"
    path.write_text(json.dumps(notice), encoding="utf-8")
    with pytest.raises(CommandError, match="nessuna release OCDS trovata in ted.json") as refused:
        call_command("import_ocds", str(path), stdout=StringIO())
    assert "Nessuna modifica" not in str(refused.value)
    # With a good file beside it, still refused whole: nothing is written.
    with pytest.raises(CommandError):
        call_command("import_ocds", str(SAMPLE), str(path), stdout=StringIO())
    assert not MarketRelease.objects.exists()


@pytest.mark.django_db
def test_a_release_without_id_is_skipped_and_reported_by_position(tmp_path):
    releases = sample_releases()
    del releases[1]["id"]
    out = import_files(write_lines(tmp_path / "some.jsonl", releases))
    assert "Scartato: some.jsonl, riga 2: ocid o id mancante." in out
    assert "scartate: 1" in out
    assert MarketRelease.objects.count() == 11


@pytest.mark.django_db
def test_releases_link_to_a_comune_by_fiscal_code_then_by_name(world):
    comune = world.home.comune
    comune.fiscal_code = "83000350724"  # Trani's codice fiscale, as ANAC publishes it
    comune.save()
    fiorenzuola = make_municipality(world.home.province, "033021", "Fiorenzuola d'Arda", 15000)
    retired = make_municipality(world.home.province, "097999", "Bergamo", 1, valid_to="2020-01-01")
    out = import_files(SAMPLE)
    assert "collegate a un comune: 2" in out
    trani = MarketRelease.objects.get(ocid=TRANI)
    assert (trani.organization, trani.municipality) == (comune, comune.municipality)
    by_name = MarketRelease.objects.get(buyer_name="COMUNE DI FIORENZUOLA D ARDA")
    assert (by_name.organization, by_name.municipality) == (None, fiorenzuola)
    assert not MarketRelease.objects.filter(municipality=retired).exists()


@pytest.mark.django_db
def test_a_new_link_is_an_update_on_the_next_import(world):
    import_files(SAMPLE)
    world.home.comune.fiscal_code = "83000350724"
    world.home.comune.save()
    out = import_files(SAMPLE)
    assert "aggiornate: 1" in out
    assert MarketRelease.objects.get(ocid=TRANI).organization == world.home.comune


@pytest.mark.django_db
def test_reggio_emilia_is_linked_and_the_buyers_left_unmatched_are_listed(world, tmp_path):
    """Buyers are matched by codice fiscale where the comune's organisation has one, else by name with the
    usual short forms; the comuni and Unioni left unmatched are listed in the import report."""
    reggio = make_municipality(world.home.province, "035033", "Reggio nell'Emilia", 170000)
    release = copy.deepcopy(sample_release(TRANI))
    release["ocid"], release["id"] = "ocds-hu01ve-1", "ocds-hu01ve-1-1"
    release["buyer"] = {"id": "IT-CF-00145920351", "name": "COMUNE DI REGGIO EMILIA"}
    release["parties"][0] |= {"id": "IT-CF-00145920351", "name": "COMUNE DI REGGIO EMILIA"}
    release["parties"][0]["identifier"] = {"scheme": "IT-CF", "id": "00145920351"}
    out = import_files(write_lines(tmp_path / "reggio.jsonl", [release]), SAMPLE)
    assert MarketRelease.objects.get(ocid="ocds-hu01ve-1").municipality == reggio
    # The sample's comuni are not in this test's territory: each is listed with its codice fiscale; the
    # Unione too; the health authority, the port authority and the region are not comuni, so not listed.
    assert "Acquirenti che si dichiarano comune o Unione non collegati ad alcuno (9):" in out
    assert "- COMUNE DI TRANI (codice fiscale 83000350724), release: 1" in out
    assert "- UNIONE DEI COMUNI DEL PRATOMAGNO (codice fiscale 90024210511), release: 1" in out
    assert "AZIENDA SANITARIA" not in out and "REGGIO EMILIA (codice" not in out
