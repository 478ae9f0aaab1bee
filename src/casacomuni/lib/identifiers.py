"""Checks of the identifiers of Italian public procurement: CIG, CUP, CPV, codice fiscale and partita IVA.

Pure: plain functions on strings returning frozen dataclasses, no Django. Each result carries ``reason``, an
English source string marked for the catalogue with ``gettext_noop``, and ``params`` for its %(name)s
placeholders: the caller translates (``gettext(result.reason) % result.params``).

Sources: the CIG algorithm is ANAC's ("Algoritmo di validazione CIG", GitHub anticorruzione/npa,
docs/Algoritmo validazione CIG/algoritmoValidazioneCIG.md); the CPV vocabulary and its check digit are
those of Regulation (EC) No 213/2008; the codice fiscale is D.P.R. 605/1973 and D.M. 23 December 1976, the
partita IVA D.P.R. 633/1972 art. 35, both checked by python-stdnum.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale, iva

from casacomuni.lib.i18n import gettext_noop

HEX_DIGITS = "0123456789ABCDEF"


def _normalise(code: str) -> str:
    return (code or "").strip().upper()


def _is_hex(text: str) -> bool:
    return bool(text) and all(char in HEX_DIGITS for char in text)


# --- CIG ------------------------------------------------------------------------------------------------

CIG_LENGTH = 10
CIG_FORMAT_NEW = "cig"  # Simog second version and PCP: ANNNNNNKKK, A in A-U, N hexadecimal
CIG_FORMAT_LEGACY = "legacy"  # Simog first version: NNNNNNNKKK, N decimal
CIG_FORMAT_SMART = "smartcig"  # SmartCIG: AKKCCCCCCC, A in X Y Z, C hexadecimal
NEW_CIG_LETTERS = "ABCDEFGHIJKLMNOPQRSTU"
SMARTCIG_LETTERS = "XYZ"


@dataclass(frozen=True)
class CigCheck:
    code: str
    valid: bool
    format: str | None
    reason: str
    params: dict = field(default_factory=dict)


def new_cig_check(letter: str, progressive: int) -> str:
    """KKK of a CIG ``ANNNNNNKKK``: Hex((Dec(NNNNNN) + Ord(A)) * 211 mod 4091), Ord on the English alphabet
    (A=1 … U=21), as 3 upper-case hexadecimal digits (ANAC, Simog second version and PCP)."""
    return f"{(progressive + NEW_CIG_LETTERS.index(letter) + 1) * 211 % 4091:03X}"


def legacy_cig_check(progressive: int) -> str:
    """KKK of a CIG ``NNNNNNNKKK`` (7 decimal digits): Hex(NNNNNNN * 211 mod 4091) (ANAC, Simog first
    version)."""
    return f"{progressive * 211 % 4091:03X}"


def smartcig_check(progressive: int) -> str:
    """KK of a SmartCIG ``AKKCCCCCCC``: Hex(Dec(CCCCCCC) * 211 mod 251), 2 hexadecimal digits (ANAC)."""
    return f"{progressive * 211 % 251:02X}"


def check_cig(code: str) -> CigCheck:
    """Whether ``code`` is a CIG whose check characters match, per ANAC's algorithm for its three families.

    Case and surrounding spaces do not matter. The check detects any single wrong character of the
    progressive, but not every pair: K00003EC3A and L00003DC3A are both valid (a letter one further on and a
    progressive one lower give the same sum). The letter of a SmartCIG is outside the check altogether.
    """
    cig = _normalise(code)
    if not cig:
        return CigCheck(cig, False, None, gettext_noop("Enter a CIG."))
    if len(cig) != CIG_LENGTH:
        return CigCheck(
            cig,
            False,
            None,
            gettext_noop("A CIG has 10 characters; this one has %(length)s."),
            {"length": len(cig)},
        )
    first = cig[0]
    if first.isdigit():
        return _check_legacy_cig(cig)
    if first in NEW_CIG_LETTERS:
        return _check_new_cig(cig)
    if first in SMARTCIG_LETTERS:
        return _check_smartcig(cig)
    return CigCheck(
        cig,
        False,
        None,
        gettext_noop("A CIG starts with a digit, with a letter from A to U, or (a SmartCIG) with X, Y or Z."),
    )


def _check_legacy_cig(cig: str) -> CigCheck:
    progressive, check = cig[:7], cig[7:]
    if not progressive.isdecimal() or not _is_hex(check):
        return CigCheck(
            cig,
            False,
            CIG_FORMAT_LEGACY,
            gettext_noop(
                "A CIG that starts with a digit has 7 digits followed by 3 check characters (0-9, A-F)."
            ),
        )
    if int(progressive) == 0:
        return _zero_progressive(cig, CIG_FORMAT_LEGACY)
    return _compare(cig, CIG_FORMAT_LEGACY, legacy_cig_check(int(progressive)), check)


def _check_new_cig(cig: str) -> CigCheck:
    progressive, check = cig[1:7], cig[7:]
    if not _is_hex(progressive) or not _is_hex(check):
        return CigCheck(
            cig,
            False,
            CIG_FORMAT_NEW,
            gettext_noop(
                "A CIG that starts with a letter from A to U continues with 6 hexadecimal characters "
                "and 3 check characters (0-9, A-F)."
            ),
        )
    return _compare(cig, CIG_FORMAT_NEW, new_cig_check(cig[0], int(progressive, 16)), check)


def _check_smartcig(cig: str) -> CigCheck:
    check, progressive = cig[1:3], cig[3:]
    if not _is_hex(check) or not _is_hex(progressive):
        return CigCheck(
            cig,
            False,
            CIG_FORMAT_SMART,
            gettext_noop(
                "A SmartCIG (X, Y or Z) continues with 2 check characters and 7 hexadecimal characters "
                "(0-9, A-F)."
            ),
        )
    if int(progressive, 16) == 0:
        return _zero_progressive(cig, CIG_FORMAT_SMART)
    return _compare(cig, CIG_FORMAT_SMART, smartcig_check(int(progressive, 16)), check)


def _zero_progressive(cig: str, cig_format: str) -> CigCheck:
    # ANAC: "N diverso da '0000000'" (legacy) and "C diverso da '0000000'" (SmartCIG).
    return CigCheck(cig, False, cig_format, gettext_noop("The progressive number of a CIG cannot be zero."))


def _compare(cig: str, cig_format: str, expected: str, found: str) -> CigCheck:
    if expected != found:
        # The expected characters are not shown: "fixing" them would hide the real typo in the progressive.
        return CigCheck(
            cig,
            False,
            cig_format,
            gettext_noop("The check characters do not match: the code contains a typing error."),
        )
    return CigCheck(cig, True, cig_format, gettext_noop("The check characters match."))


# --- CUP ------------------------------------------------------------------------------------------------

CUP_LENGTH = 15
CUP_NONE = "0" * CUP_LENGTH
CUP_SHAPE = re.compile(r"[A-Z][0-9]{2}[A-Z][0-9]{11}")


@dataclass(frozen=True)
class CupCheck:
    code: str
    valid: bool
    no_cup: bool
    reason: str
    params: dict = field(default_factory=dict)


def check_cup(code: str) -> CupCheck:
    """Whether ``code`` has the shape of a CUP (letter, 2 digits, letter, 11 digits; L. 3/2003 art. 11).

    A CUP has no public check character, so only its shape is checked. Fifteen zeros is the conventional
    "no CUP" (valid, with ``no_cup`` set).
    """
    cup = _normalise(code)
    if cup == CUP_NONE:
        return CupCheck(cup, True, True, gettext_noop("Fifteen zeros mean that there is no CUP."))
    if len(cup) != CUP_LENGTH:
        return CupCheck(
            cup,
            False,
            False,
            gettext_noop("A CUP has 15 characters; this one has %(length)s."),
            {"length": len(cup)},
        )
    if not CUP_SHAPE.fullmatch(cup):
        return CupCheck(
            cup,
            False,
            False,
            gettext_noop("A CUP is a letter, 2 digits, a letter and 11 digits (e.g. G59F19000090007)."),
        )
    return CupCheck(
        cup,
        True,
        False,
        gettext_noop(
            "The CUP has the right shape. A CUP has no check character: only the CUP system can confirm "
            "that it exists."
        ),
    )


# --- CPV ------------------------------------------------------------------------------------------------

CPV_VOCABULARY_PATH = Path(__file__).resolve().parent.parent / "procurement" / "data" / "cpv_it.json"
CPV_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
CPV_INPUT = re.compile(r"([0-9]{8})(?:[-\s]?([0-9]))?")
KIND_WORKS = "works"
KIND_SUPPLIES = "supplies"
KIND_SERVICES = "services"


@dataclass(frozen=True)
class CpvCheck:
    code: str
    check_digit: int | None
    valid: bool
    description: str
    kind: str | None
    reason: str
    params: dict = field(default_factory=dict)


def cpv_check_digit(code8: str) -> int:
    """The check digit of an 8-digit CPV code: the digits weighted 3, 7, 1, 3, 7, 1, 3, 7, summed, modulo 10.

    This is the rule behind the digits of Regulation (EC) 213/2008 (45000000-7, 45233120-6, 72000000-5…).
    The official list departs from it for some codes (09310000-5 "electricity" computes to 9; the
    Commission acknowledged errors made in the 2008 revision), so a mismatch is reported as such.
    """
    if len(code8) != 8 or not code8.isdecimal():
        raise ValueError(f"a CPV code has 8 digits, got {code8!r}")
    return sum(int(digit) * weight for digit, weight in zip(code8, CPV_WEIGHTS, strict=True)) % 10


def cpv_kind(code8: str) -> str | None:
    """The kind of contract of a CPV division: 45 works; 03-44 and 48 supplies; 50-98 services.

    This is the kind of one code, not of a procedure: a mixed contract takes the kind of its main object.
    """
    division = int(code8[:2])
    if division == 45:
        return KIND_WORKS
    if 3 <= division <= 44 or division == 48:
        return KIND_SUPPLIES
    if 50 <= division <= 98:
        return KIND_SERVICES
    return None


@cache
def cpv_vocabulary() -> dict[str, str]:
    """8-digit code -> Italian description of the CPV 2008 vocabulary; read once, on first use."""
    with CPV_VOCABULARY_PATH.open(encoding="utf-8") as handle:
        by_description = json.load(handle)
    return {code: description for description, code in by_description.items()}


def check_cpv(code: str) -> CpvCheck:
    """Whether ``code`` (``45233120-6``, ``45233120`` or ``452331206``) is a code of the CPV 2008 vocabulary,
    with its check digit matching when one is given."""
    text = _normalise(code)
    match = CPV_INPUT.fullmatch(text)
    if not match:
        return CpvCheck(
            text,
            None,
            False,
            "",
            None,
            gettext_noop("A CPV code has 8 digits, optionally followed by a dash and its check digit."),
        )
    code8, given = match.group(1), match.group(2)
    computed = cpv_check_digit(code8)
    description = cpv_vocabulary().get(code8, "")
    kind = cpv_kind(code8)
    if not description:
        return CpvCheck(
            code8,
            computed,
            False,
            "",
            kind,
            gettext_noop("%(code)s is not a code of the CPV 2008 vocabulary."),
            {"code": code8},
        )
    if given is not None and int(given) != computed:
        return CpvCheck(
            code8,
            computed,
            False,
            description,
            kind,
            gettext_noop(
                "The check digit %(given)s does not match the CPV rule. The official list prints a different "
                "digit for a few codes: if you copied the code from there, enter only its 8 digits."
            ),
            {"given": given},
        )
    return CpvCheck(
        code8, computed, True, description, kind, gettext_noop("Code of the CPV 2008 vocabulary.")
    )


# --- Codice fiscale and partita IVA ---------------------------------------------------------------------

KIND_PERSON = "person"
KIND_ENTITY = "entity"


@dataclass(frozen=True)
class FiscalCheck:
    code: str
    valid: bool
    kind: str | None
    reason: str
    params: dict = field(default_factory=dict)


_FISCAL_ERRORS = {
    stdnum_errors.InvalidLength: gettext_noop(
        "A codice fiscale has 16 characters (a person) or 11 digits (an entity, or a partita IVA)."
    ),
    stdnum_errors.InvalidFormat: gettext_noop("The code does not have the format of a codice fiscale."),
    stdnum_errors.InvalidChecksum: gettext_noop(
        "The check character does not match: the code contains a typing error."
    ),
    stdnum_errors.InvalidComponent: gettext_noop(
        "Part of the code is impossible (a birth date that does not exist, or an unknown office code)."
    ),
}


def check_fiscal_code(code: str) -> FiscalCheck:
    """Whether ``code`` is a valid codice fiscale: 16 characters for a person (omocodia included), 11 digits
    for an entity. An 11-digit code is also the form of every partita IVA, a sole trader's included."""
    text = codicefiscale.compact(code or "")
    kind = KIND_PERSON if len(text) == 16 else KIND_ENTITY if len(text) == 11 else None
    return _stdnum_check(codicefiscale.validate, text, kind)


def check_vat_number(code: str) -> FiscalCheck:
    """Whether ``code`` is a valid partita IVA (11 digits, office code, Luhn check digit)."""
    text = iva.compact(code or "")  # drops an "IT" prefix (the VIES form)
    return _stdnum_check(iva.validate, text, KIND_ENTITY)


def _stdnum_check(validate, text: str, kind: str | None) -> FiscalCheck:
    if not text:
        return FiscalCheck(text, False, None, gettext_noop("Enter a code."))
    try:
        validate(text)
    except stdnum_errors.ValidationError as error:
        reason = next(
            (
                message
                for kind_of_error, message in _FISCAL_ERRORS.items()
                if isinstance(error, kind_of_error)
            ),
            _FISCAL_ERRORS[stdnum_errors.InvalidFormat],
        )
        return FiscalCheck(text, False, None, reason)
    return FiscalCheck(text, True, kind, gettext_noop("The check character matches."))
