"""Public checkers of procurement identifiers: CIG, CUP, CPV, codice fiscale / partita IVA.

A checker answers 200 with ``valid`` true or false for any code a person could type; only an absurd input
(longer than 32 characters) is a 400. The rules are in ``casacomuni.lib.identifiers``; here the reasons
are translated.
"""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from casacomuni.lib import identifiers

router = Router(tags=["codes"])

MAX_CODE_LENGTH = 32
CodePath = Path(
    ..., max_length=MAX_CODE_LENGTH, description="The code as typed; case and spaces around it do not matter"
)


def _reason(check) -> str:
    return _(check.reason) % check.params


class CigOut(Schema):
    code: str = Field(description="The code, upper case and trimmed")
    valid: bool
    format: Literal["cig", "legacy", "smartcig"] | None = Field(
        description="cig: letter A-U and hexadecimal progressive (Simog 2nd version, PCP); legacy: 7 digits "
        "(Simog 1st version); smartcig: X, Y or Z. Null when the first character fits none."
    )
    reason: str


class CupOut(Schema):
    code: str
    valid: bool
    no_cup: bool = Field(description="Fifteen zeros: the conventional 'no CUP'")
    reason: str


class CpvOut(Schema):
    code: str = Field(description="The 8 digits")
    check_digit: int | None = Field(description="Computed with the CPV rule (weights 3, 7, 1, modulo 10)")
    valid: bool
    description: str = Field(description="Italian description in the CPV 2008 vocabulary")
    kind: Literal["works", "supplies", "services"] | None
    reason: str


class FiscalOut(Schema):
    code: str
    valid: bool
    kind: Literal["person", "entity"] | None = Field(
        description="person: 16 characters; entity: 11 digits (also the form of every partita IVA)"
    )
    reason: str


@router.get("/cig/{code}", response=CigOut, auth=None, summary="Check a CIG")
def cig(request, code: str = CodePath):
    check = identifiers.check_cig(code)
    return {"code": check.code, "valid": check.valid, "format": check.format, "reason": _reason(check)}


@router.get("/cup/{code}", response=CupOut, auth=None, summary="Check the shape of a CUP")
def cup(request, code: str = CodePath):
    check = identifiers.check_cup(code)
    return {"code": check.code, "valid": check.valid, "no_cup": check.no_cup, "reason": _reason(check)}


@router.get("/cpv/{code}", response=CpvOut, auth=None, summary="Check a CPV code and describe it")
def cpv(request, code: str = CodePath):
    check = identifiers.check_cpv(code)
    return {
        "code": check.code,
        "check_digit": check.check_digit,
        "valid": check.valid,
        "description": check.description,
        "kind": check.kind,
        "reason": _reason(check),
    }


@router.get("/fiscal/{code}", response=FiscalOut, auth=None, summary="Check a codice fiscale or partita IVA")
def fiscal(request, code: str = CodePath):
    check = identifiers.check_fiscal_code(code)
    return {"code": check.code, "valid": check.valid, "kind": check.kind, "reason": _reason(check)}
