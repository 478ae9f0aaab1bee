"""The identifiers of procurement: CIG, CUP, CPV, codice fiscale and partita IVA.

CIG: ANAC, "Algoritmo di validazione CIG" (GitHub anticorruzione/npa, docs/Algoritmo validazione CIG/
algoritmoValidazioneCIG.md):
- Simog 1st version, ANNNNNNKKK with A a digit: KKK = Hex(ANNNNNN * 211 mod 4091), ANNNNNN not 0000000;
- Simog 2nd version and PCP, A in A-U: KKK = Hex((Dec(NNNNNN) + Ord(A)) * 211 mod 4091), Ord(A)=1 … J=10;
- SmartCIG, AKKCCCCCCC with A in {X, Y, Z}: KK = Hex(Dec(CCCCCCC) * 211 mod 251), C not 0000000.
"""

import os
import string
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.lib import identifiers
from casacomuni.lib.identifiers import check_cig, check_cpv, check_cup, check_fiscal_code, check_vat_number

# --- CIG ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, cig_format",
    [
        # B00012EADB: Ord(B) = 2, 0x00012E = 302; (302 + 2) * 211 = 64144; 64144 - 15 * 4091 = 2779 = 0xADB.
        ("B00012EADB", "cig"),
        # K00003EC3A: Ord(K) = 11, 0x3E = 62; (62 + 11) * 211 = 15403; 15403 - 3 * 4091 = 3130 = 0xC3A.
        ("K00003EC3A", "cig"),
        # L00003DC3A: Ord(L) = 12, 0x3D = 61; 61 + 12 = 73 again, hence the same C3A.
        ("L00003DC3A", "cig"),
        # 90940496A3: 9094049 * 211 = 1918844339; 1918844339 - 469040 * 4091 = 1699 = 0x6A3.
        ("90940496A3", "legacy"),
    ],
)
def test_real_cigs_named_in_the_domain_notes_are_valid(code, cig_format):
    check = check_cig(code)
    assert check.valid, check.reason
    assert check.format == cig_format


# Lot identifiers (= CIG) of the 12 ANAC OCDS releases of 2025 in the project's sample (ANAC open data,
# publication 117 of the Open Contracting Data Registry, CC BY 4.0): all of the legacy family.
ANAC_OCDS_LOT_CIGS = [
    "8949845DB9", "8998391B27", "9021934F72", "903035330A", "903037338B", "9030388FE8", "9030406EC3",
    "9030665482", "9033544C53", "9033777C9A", "90343071FC", "903907617D", "9081684AB6", "90940496A3",
    "9239378FE9",
]  # fmt: skip


@pytest.mark.parametrize("code", ANAC_OCDS_LOT_CIGS)
def test_cigs_published_by_anac_as_lot_ids_are_valid(code):
    assert check_cig(code) == identifiers.CigCheck(code, True, "legacy", "The check characters match.")


@pytest.mark.parametrize(
    "code, cig_format",
    [
        # A + 000001: (1 + 1) * 211 = 422 < 4091, 422 = 0x1A6.
        ("A0000011A6", "cig"),
        # J + 0ABCDE: 0x0ABCDE = 703710, Ord(J) = 10; 703720 * 211 = 148484920; - 36295 * 4091 = 2075 = 0x81B.
        ("J0ABCDE81B", "cig"),
        # U + FFFFFF: 16777215 + 21 = 16777236; * 211 = 3539996796; - 865313 * 4091 = 1313 = 0x521.
        ("UFFFFFF521", "cig"),
        # 0000001: 1 * 211 = 211 = 0x0D3 (three digits, zero-padded).
        ("00000010D3", "legacy"),
        # 9999999: * 211 = 2109999789; - 515766 * 4091 = 1083 = 0x43B.
        ("999999943B", "legacy"),
        # 1234567: * 211 = 260493637; - 63674 * 4091 = 3303 = 0xCE7.
        ("1234567CE7", "legacy"),
        # X + 0000001: 1 * 211 = 211 < 251, 211 = 0xD3.
        ("XD30000001", "smartcig"),
        # Z + 0000100: 256 * 211 = 54016; - 215 * 251 = 51 = 0x33.
        ("Z330000100", "smartcig"),
        # Y + FFFFFFF: 268435455 * 211 = 56639881005; - 225656896 * 251 = 109 = 0x6D.
        ("Y6DFFFFFFF", "smartcig"),
    ],
)
def test_worked_cig_examples_validate(code, cig_format):
    check = check_cig(code)
    assert (check.valid, check.format) == (True, cig_format), check.reason


@pytest.mark.parametrize(
    "code, cig_format",
    [("B00012EADC", "cig"), ("A0000011A7", "cig"), ("90940496A4", "legacy"), ("XD40000001", "smartcig")],
)
def test_cig_with_a_wrong_check_character_is_invalid_without_revealing_the_right_one(code, cig_format):
    check = check_cig(code)
    assert (check.valid, check.format) == (False, cig_format)
    assert check.reason == "The check characters do not match: the code contains a typing error."


@pytest.mark.parametrize("code", ["b00012eadb", "  B00012EADB\n", "\tb00012EaDb "])
def test_cig_is_read_whatever_its_case_and_surrounding_spaces(code):
    check = check_cig(code)
    assert (check.code, check.valid) == ("B00012EADB", True)


@pytest.mark.parametrize("code, length", [("B00012EAD", 9), ("B00012EADB0", 11), ("B 00012EADB", 11)])
def test_cig_of_the_wrong_length_is_invalid(code, length):
    check = check_cig(code)
    assert (check.valid, check.format, check.params) == (False, None, {"length": length})


@pytest.mark.parametrize("letter", ["V", "W", "-", "*"])
def test_cig_starting_with_a_letter_beyond_u_other_than_xyz_is_invalid(letter):
    # V and W belong to no family: A-U are the PCP letters, X Y Z the SmartCIG ones.
    check = check_cig(letter + "00012EADB")
    assert (check.valid, check.format) == (False, None)


@pytest.mark.parametrize(
    "code, cig_format",
    [
        ("12345A7CE7", "legacy"),  # the progressive of the first version is decimal
        ("1234567CEG", "legacy"),  # G is not hexadecimal
        ("B00012GADB", "cig"),
        ("XD3000000G", "smartcig"),
        ("XG30000001", "smartcig"),
    ],
)
def test_cig_with_a_character_outside_its_alphabet_is_invalid(code, cig_format):
    check = check_cig(code)
    assert (check.valid, check.format) == (False, cig_format)
    assert "continues with" in check.reason or "has 7 digits" in check.reason


@pytest.mark.parametrize("code", ["0000000000", "X000000000"])
def test_cig_with_a_zero_progressive_is_invalid_even_though_the_arithmetic_gives_zero(code):
    # 0 * 211 mod 4091 = 0 and 0 * 211 mod 251 = 0: the check alone would accept them; ANAC excludes them.
    check = check_cig(code)
    assert not check.valid
    assert check.reason == "The progressive number of a CIG cannot be zero."


def test_empty_cig_asks_for_one():
    assert check_cig("   ") == identifiers.CigCheck("", False, None, "Enter a CIG.")


HEX = "0123456789ABCDEF"
ALPHABET = string.digits + string.ascii_uppercase


def _new_cig(letter: str, progressive: int) -> str:
    # The arithmetic of the rule, written independently of the module: (N + Ord(A)) * 211 mod 4091.
    ordinal = ord(letter) - ord("A") + 1
    return f"{letter}{progressive:06X}{(progressive + ordinal) * 211 % 4091:03X}"


def _legacy_cig(progressive: int) -> str:
    return f"{progressive:07d}{progressive * 211 % 4091:03X}"


def _smartcig(letter: str, progressive: int) -> str:
    return f"{letter}{progressive * 211 % 251:02X}{progressive:07X}"


def _other_character(draw, original: str) -> str:
    return draw(st.sampled_from([char for char in ALPHABET if char != original]))


@given(st.sampled_from(identifiers.NEW_CIG_LETTERS), st.integers(0, 16**6 - 1), st.data())
def test_any_new_format_cig_validates_and_no_single_change_keeps_it_valid(letter, progressive, data):
    code = _new_cig(letter, progressive)
    assert check_cig(code) == identifiers.CigCheck(code, True, "cig", "The check characters match.")
    position = data.draw(st.integers(0, 9))
    changed = code[:position] + _other_character(data.draw, code[position]) + code[position + 1 :]
    check = check_cig(changed)
    # 4091 is prime and 211 < 4091: one hexadecimal digit changed moves N by d * 16^k, another letter moves
    # Ord(A) by 1..20, never a multiple of 4091, so the check always changes. Only a changed first character
    # can, by chance, make a code of another family (a digit: legacy; X Y Z: SmartCIG).
    assert not (check.valid and check.format == "cig")
    if position > 0:
        assert not check.valid


@given(st.integers(1, 10**7 - 1), st.data())
def test_any_legacy_cig_validates_and_no_single_change_of_its_body_keeps_it_valid(progressive, data):
    code = _legacy_cig(progressive)
    assert check_cig(code).valid
    position = data.draw(st.integers(0, 9))
    changed = code[:position] + _other_character(data.draw, code[position]) + code[position + 1 :]
    check = check_cig(changed)
    # d * 10^k is never a multiple of the prime 4091.
    assert not (check.valid and check.format == "legacy")
    if position > 0:
        assert not check.valid


@given(st.sampled_from("XYZ"), st.integers(1, 16**7 - 1), st.data())
def test_any_smartcig_validates_and_no_single_change_after_its_letter_keeps_it_valid(
    letter, progressive, data
):
    code = _smartcig(letter, progressive)
    assert check_cig(code) == identifiers.CigCheck(code, True, "smartcig", "The check characters match.")
    position = data.draw(st.integers(1, 9))
    changed = code[:position] + _other_character(data.draw, code[position]) + code[position + 1 :]
    # 251 is prime: d * 16^k is never a multiple of it.
    assert not check_cig(changed).valid


@given(st.integers(1, 16**7 - 1))
def test_smartcig_letter_is_outside_the_check_so_x_y_z_are_interchangeable(progressive):
    # ANAC's KK depends on C only: swapping X, Y and Z cannot be detected.
    assert all(check_cig(_smartcig(letter, progressive)).valid for letter in "XYZ")


@given(st.sampled_from(identifiers.NEW_CIG_LETTERS[:-1]), st.integers(1, 16**6 - 1))
def test_next_letter_with_progressive_one_lower_gives_the_same_check(letter, progressive):
    # The pair K00003E / L00003D of the real codes above: the check sees only N + Ord(A).
    following = chr(ord(letter) + 1)
    assert _new_cig(letter, progressive)[7:] == _new_cig(following, progressive - 1)[7:]
    assert check_cig(_new_cig(following, progressive - 1)).valid


@given(st.text(max_size=40))
def test_cig_check_never_raises_and_is_valid_only_for_ten_characters(text):
    check = check_cig(text)
    assert not check.valid or len(check.code) == 10


# --- CUP ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["G59F19000090007", " g59f19000090007 ", "J31B21000990006"])
def test_cup_with_the_right_shape_is_valid(code):
    check = check_cup(code)
    assert (check.valid, check.no_cup) == (True, False)
    assert check.code == code.strip().upper()


def test_fifteen_zeros_are_a_valid_no_cup_flagged_as_such():
    check = check_cup("000000000000000")
    assert (check.valid, check.no_cup, check.reason) == (
        True,
        True,
        "Fifteen zeros mean that there is no CUP.",
    )


@pytest.mark.parametrize(
    "code",
    [
        "959F19000090007",  # first character a digit
        "GA9F19000090007",  # year not numeric
        "G59119000090007",  # fourth character not a letter
        "G59F1900009000A",  # tail not numeric
    ],
)
def test_cup_with_the_wrong_shape_is_invalid(code):
    check = check_cup(code)
    assert not check.valid
    assert "a letter, 2 digits, a letter and 11 digits" in check.reason


@pytest.mark.parametrize("code, length", [("G59F1900009000", 14), ("G59F190000900070", 16), ("", 0)])
def test_cup_of_the_wrong_length_is_invalid(code, length):
    check = check_cup(code)
    assert (check.valid, check.params) == (False, {"length": length})


# --- CPV ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code8, digit",
    [
        ("45000000", 7),  # 4*3 + 5*7 = 47
        ("30200000", 1),  # 3*3 + 0*7 + 2*1 = 11
        ("72000000", 5),  # 7*3 + 2*7 = 35
        ("79000000", 4),  # 7*3 + 9*7 = 84
        ("03000000", 1),  # 0*3 + 3*7 = 21
        ("48000000", 8),  # 4*3 + 8*7 = 68
        ("50000000", 5),  # 5*3 = 15
        ("90000000", 7),  # 9*3 = 27
        ("33600000", 6),  # 3*3 + 3*7 + 6*1 = 36
        ("45233120", 6),  # 12 + 35 + 2 + 3*3 + 3*7 + 1*1 + 2*3 + 0*7 = 86
    ],
)
def test_cpv_check_digit_matches_the_published_one(code8, digit):
    # Digits as printed in Regulation (EC) 213/2008, Annex I; weights 3, 7, 1 repeated, sum modulo 10.
    assert identifiers.cpv_check_digit(code8) == digit


@pytest.mark.parametrize("code8", ["4500000", "450000000", "4500000A", ""])
def test_cpv_check_digit_refuses_anything_but_eight_digits(code8):
    with pytest.raises(ValueError):
        identifiers.cpv_check_digit(code8)


@given(st.text(alphabet=string.digits, min_size=8, max_size=8), st.integers(0, 7), st.integers(1, 9))
def test_cpv_check_digit_detects_every_single_digit_change(code8, position, shift):
    # Every weight (3, 7, 1) is coprime with 10, so d * w is never 0 modulo 10 for d in 1..9.
    digit = (int(code8[position]) + shift) % 10
    changed = code8[:position] + str(digit) + code8[position + 1 :]
    assert identifiers.cpv_check_digit(changed) != identifiers.cpv_check_digit(code8)


@pytest.mark.parametrize("code", ["45233120-6", "45233120", "452331206", " 45233120 6 "])
def test_cpv_is_accepted_with_or_without_its_check_digit(code):
    check = check_cpv(code)
    assert check == identifiers.CpvCheck(
        "45233120", 6, True, "lavori di costruzione di strade", "works", "Code of the CPV 2008 vocabulary."
    )


def test_cpv_with_a_wrong_check_digit_is_invalid_but_still_described():
    check = check_cpv("45233120-7")
    assert (check.valid, check.check_digit, check.params) == (False, 6, {"given": "7"})
    assert check.description == "lavori di costruzione di strade"


def test_cpv_electricity_as_printed_in_the_official_list_is_flagged_with_the_way_out():
    # The official list prints 09310000-5, while the rule gives 0*3 + 9*7 + 3*1 + 1*3 = 69 -> 9: one of the
    # digits the Commission acknowledged as wrong since the 2008 revision. The 8 digits alone are accepted.
    flagged = check_cpv("09310000-5")
    assert (flagged.valid, flagged.check_digit, flagged.description) == (False, 9, "elettricita")
    assert "enter only its 8 digits" in flagged.reason
    assert check_cpv("09310000").valid


@pytest.mark.parametrize("code", ["46000000", "99999999", "45233999"])
def test_cpv_code_outside_the_vocabulary_is_invalid(code):
    check = check_cpv(code)
    assert (check.valid, check.description, check.params) == (False, "", {"code": code})


@pytest.mark.parametrize("code", ["", "4523312", "45233120-", "45233120-67", "CPV45233120", "45.23.31.20"])
def test_malformed_cpv_is_invalid_with_the_expected_format(code):
    check = check_cpv(code)
    assert (check.valid, check.check_digit) == (False, None)
    assert check.reason == "A CPV code has 8 digits, optionally followed by a dash and its check digit."


@pytest.mark.parametrize(
    "code8, kind",
    [
        ("45000000", "works"),
        ("03000000", "supplies"),
        ("33600000", "supplies"),
        ("44000000", "supplies"),
        ("48000000", "supplies"),
        ("50000000", "services"),
        ("79000000", "services"),
        ("98000000", "services"),
        ("01000000", None),
        ("99000000", None),
    ],
)
def test_cpv_division_gives_the_kind_of_contract(code8, kind):
    assert identifiers.cpv_kind(code8) == kind


def test_every_code_of_the_vocabulary_has_eight_digits_and_a_kind():
    vocabulary = identifiers.cpv_vocabulary()
    assert len(vocabulary) == 9453
    assert all(len(code) == 8 and code.isdecimal() and identifiers.cpv_kind(code) for code in vocabulary)


def test_cpv_vocabulary_is_read_once_on_first_use():
    identifiers.cpv_vocabulary.cache_clear()
    first = identifiers.cpv_vocabulary()
    assert identifiers.cpv_vocabulary() is first
    assert identifiers.cpv_vocabulary.cache_info().hits == 1


@pytest.mark.once  # a fresh interpreter, no database
def test_starting_django_and_loading_the_urls_does_not_read_the_cpv_vocabulary():
    script = (
        "import django; django.setup(); import casacomuni.urls; "
        "from casacomuni.lib import identifiers; print(identifiers.cpv_vocabulary.cache_info().currsize)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "casacomuni.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "0"


# --- Codice fiscale and partita IVA ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, kind",
    [
        ("RCCMNL83S18D969H", "person"),  # python-stdnum's documented example
        ("rccmnl 83s18d969h", "person"),
        ("00743110157", "entity"),
    ],
)
def test_valid_fiscal_codes_are_recognised_with_their_kind(code, kind):
    check = check_fiscal_code(code)
    assert (check.valid, check.kind) == (True, kind)


@pytest.mark.parametrize(
    "code, reason",
    [
        ("RCCMNL83S18D969X", "The check character does not match: the code contains a typing error."),
        ("00743110158", "The check character does not match: the code contains a typing error."),
        (
            "RCCMNL83S18D96",
            "A codice fiscale has 16 characters (a person) or 11 digits (an entity, or a partita IVA).",
        ),
        ("", "Enter a code."),
    ],
)
def test_invalid_fiscal_codes_say_why(code, reason):
    check = check_fiscal_code(code)
    assert (check.valid, check.kind, check.reason) == (False, None, reason)


@pytest.mark.parametrize("code", ["00743110157", "IT00743110157", "IT 007 431 101 57"])
def test_partita_iva_is_accepted_with_or_without_the_country_prefix(code):
    check = check_vat_number(code)
    assert (check.code, check.valid, check.kind) == ("00743110157", True, "entity")


def test_partita_iva_with_an_unknown_office_code_is_invalid():
    # Digits 8-10 are the office code (python-stdnum accepts 001-100, 120, 121, 888, 999): 200 is none of
    # them, whatever the last digit.
    check = check_vat_number("00743112000")
    assert (check.valid, check.reason) == (
        False,
        "Part of the code is impossible (a birth date that does not exist, or an unknown office code).",
    )
