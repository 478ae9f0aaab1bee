"""The privacy guard (rules/privacy.py): e-mail addresses and personal codici fiscali are found, company
codes and look-alikes are not. Codes: valid check characters computed with python-stdnum; the omocodic
variant is the same person's code with digits replaced by letters (D.M. 23 dicembre 1976, art. 7)."""

import pytest
from stdnum.it import codicefiscale

from casacomuni.opendata.rules.privacy import (
    EMAIL,
    FISCAL_CODE,
    PersonalDataFound,
    check_publishable,
    find_personal_data,
    is_personal_fiscal_code,
)

PERSON = "RSSMRA85T10A562S"  # Mario Rossi, born 10/12/1985 in Abano Terme (valid check character)
COMPANY_VAT = "00743110157"
OMOCODIC = "RSSMRA85T10A56NH"  # A562 -> A56N (2 -> N), check character recomputed


def test_the_omocodic_sample_is_valid_per_stdnum():
    assert codicefiscale.is_valid(OMOCODIC)
    assert codicefiscale.calc_check_digit(OMOCODIC[:15]) == OMOCODIC[15]


@pytest.mark.parametrize(
    "text",
    [
        f"id,rup\n1,{PERSON}\n",
        f'[{{"rup": "{PERSON.lower()}"}}]',
        f"codice;{OMOCODIC};",
        f"({PERSON})",
    ],
)
def test_personal_fiscal_codes_are_found(text):
    assert [finding.kind for finding in find_personal_data(text)] == [FISCAL_CODE]


@pytest.mark.parametrize(
    "text",
    [
        f"partita_iva\n{COMPANY_VAT}\n",  # a company's 11 digits are not personal data
        "RSSMRA85T10A562X",  # wrong check character: not a codice fiscale
        f"X{PERSON}",  # part of a longer token
        f"{PERSON}9",
        "ABCDEFGHIJKLMNOP",  # 16 letters: not the pattern
        "CIG B00012EADB, CUP J11B22000010006",
    ],
)
def test_what_is_not_a_personal_fiscal_code_is_not_reported(text):
    assert [f for f in find_personal_data(text) if f.kind == FISCAL_CODE] == []


@pytest.mark.parametrize(
    "address",
    [
        "mario.rossi@comune.treviso.it",
        "protocollo@pec.provincia.tv.it",
        "a+b@example.co.uk",
        "X_Y@Dominio.IT",
    ],
)
def test_email_addresses_are_found(address):
    findings = find_personal_data(f'"note","scrivere a {address} entro il 5"')
    assert [(f.kind, f.value) for f in findings] == [(EMAIL, address)]


@pytest.mark.parametrize("text", ["5@2023", "user@localhost", "@provincia", "importo 1.200@ 3%", "a@b.c"])
def test_what_is_not_an_email_address_is_not_reported(text):
    assert find_personal_data(text) == []


def test_findings_come_in_order_of_position():
    text = f"mario@example.it,{PERSON},luca@example.it"
    assert [f.kind for f in find_personal_data(text)] == [EMAIL, FISCAL_CODE, EMAIL]
    assert [f.position for f in find_personal_data(text)] == [0, 17, 34]


def test_check_publishable_refuses_personal_data_and_passes_clean_text():
    check_publishable(f"ente,partita_iva\nImpresa Alfa,{COMPANY_VAT}\n")
    with pytest.raises(PersonalDataFound) as refused:
        check_publishable(f"{PERSON} mario@example.it")
    assert {f.kind for f in refused.value.findings} == {EMAIL, FISCAL_CODE}


def test_is_personal_fiscal_code_needs_sixteen_characters():
    assert is_personal_fiscal_code(PERSON)
    assert not is_personal_fiscal_code(COMPANY_VAT)
    assert not is_personal_fiscal_code(PERSON[:15])
