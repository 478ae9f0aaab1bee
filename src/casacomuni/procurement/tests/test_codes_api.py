"""The public checkers at /api/v1/codes: a verdict for anything a person could type, 400 only for the absurd."""

import string
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

BASE = "/api/v1/codes"


def check(client, kind: str, code: str):
    return client.get(f"{BASE}/{kind}/{quote(code, safe='')}")


def test_a_valid_cig_is_confirmed_without_logging_in(client):
    response = check(client, "cig", "B00012EADB")
    assert response.status_code == 200
    assert response.json() == {
        "code": "B00012EADB",
        "valid": True,
        "format": "cig",
        "reason": "I caratteri di controllo corrispondono.",
    }


def test_a_cig_typed_in_lower_case_with_spaces_is_normalised(client):
    body = check(client, "cig", " 90940496a3 ").json()
    assert (body["code"], body["valid"], body["format"]) == ("90940496A3", True, "legacy")


@pytest.mark.parametrize(
    "code, cig_format, reason",
    [
        (
            "B00012EADC",
            "cig",
            "I caratteri di controllo non corrispondono: il codice contiene un errore di battitura.",
        ),
        ("B00012EAD", None, "Un CIG ha 10 caratteri; questo ne ha 9."),
        (
            "V00012EADB",
            None,
            "Un CIG inizia con una cifra, con una lettera dalla A alla U oppure (se è uno SmartCIG) con X, Y o Z.",
        ),
    ],
)
def test_a_wrong_cig_is_a_200_with_the_reason(client, code, cig_format, reason):
    response = check(client, "cig", code)
    assert response.status_code == 200
    assert response.json() == {"code": code, "valid": False, "format": cig_format, "reason": reason}


def test_a_cup_and_the_no_cup_convention(client):
    assert check(client, "cup", "g59f19000090007").json()["code"] == "G59F19000090007"
    assert check(client, "cup", "G59F19000090007").json()["valid"] is True
    body = check(client, "cup", "000000000000000").json()
    assert (body["valid"], body["no_cup"]) == (True, True)
    wrong = check(client, "cup", "G59F1900009000X").json()
    assert (wrong["valid"], wrong["no_cup"]) == (False, False)


def test_a_cpv_with_its_check_digit_is_described_with_its_kind(client):
    assert check(client, "cpv", "45233120-6").json() == {
        "code": "45233120",
        "check_digit": 6,
        "valid": True,
        "description": "lavori di costruzione di strade",
        "kind": "works",
        "reason": "Codice del vocabolario CPV 2008.",
    }


def test_a_cpv_without_check_digit_gets_it(client):
    body = check(client, "cpv", "72000000").json()
    assert (body["check_digit"], body["valid"], body["kind"]) == (5, True, "services")


def test_a_cpv_outside_the_vocabulary_says_so(client):
    body = check(client, "cpv", "46000000").json()
    assert (body["valid"], body["description"], body["reason"]) == (
        False,
        "",
        "46000000 non è un codice del vocabolario CPV 2008.",
    )


def test_a_malformed_cpv_has_no_check_digit(client):
    body = check(client, "cpv", "4523-3120").json()
    assert (body["valid"], body["check_digit"], body["kind"]) == (False, None, None)


@pytest.mark.parametrize(
    "code, valid, kind",
    [
        ("RCCMNL83S18D969H", True, "person"),
        ("00743110157", True, "entity"),
        ("RCCMNL83S18D969X", False, None),
    ],
)
def test_fiscal_codes(client, code, valid, kind):
    body = check(client, "fiscal", code).json()
    assert (body["code"], body["valid"], body["kind"]) == (code, valid, kind)


@pytest.mark.parametrize("kind", ["cig", "cup", "cpv", "fiscal"])
def test_more_than_32_characters_is_a_bad_request(client, kind):
    response = check(client, kind, "A" * 33)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "code"


@pytest.mark.parametrize("kind", ["cig", "cup", "cpv", "fiscal"])
def test_exactly_32_characters_still_gets_a_verdict(client, kind):
    response = check(client, kind, "A" * 32)
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_reasons_follow_the_language_of_the_request(client):
    # The Italian catalogue is produced at the end: until then an Italian request still gets the English
    # source, never a message id or a %(placeholder)s.
    body = client.get(f"{BASE}/cig/B00012EAD", HTTP_ACCEPT_LANGUAGE="it").json()
    assert "%(" not in body["reason"] and "9" in body["reason"]


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["cig", "cup", "cpv", "fiscal"]),
    code=st.text(alphabet=string.ascii_letters + string.digits + " -.", min_size=1, max_size=32),
)
def test_anything_up_to_32_characters_gets_a_200_verdict(kind, code):
    response = check(Client(), kind, code)
    assert response.status_code == 200, response.content
    assert isinstance(response.json()["valid"], bool)
