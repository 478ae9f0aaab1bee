"""The winner's requirements to verify before the award and the contract, and the state of each.

D.Lgs. 36/2023:
- art. 17 c.5: the award is made "dopo aver verificato il possesso dei requisiti in capo all'offerente";
- art. 52 c.1: in direct awards below 40,000 euro the operator self-declares the requirements and the
  authority verifies the declarations by sample: there the documents are listed, none blocks the contract;
- artt. 94-95: the causes of exclusion. Among them the grave violations of the obligations to pay social
  security contributions (art. 94 c.6 when definitively ascertained, automatic; art. 95 c.2 otherwise, at the
  authority's assessment): the DURC ("documento unico di regolarità contributiva") is the document that
  certifies them absent. An expired or missing DURC proves no violation; it means the requirement is not
  verified;
- art. 100 c.4 and Allegato II.12: works of 150,000 euro or more need the SOA qualification, certified by the
  SOA certificate (with its own expiry).

The DURC is valid 120 days from its issue (DL 34/2014 art. 4 c.1, conv. L. 78/2014; DM 30 January 2015 art.
7 c.1, "DURC online"). That figure is not in the project's DOMAIN.md (which names art. 52 only): it is the
Ministry of Labour's decree, cited here; a DURC whose stated expiry is later than its issue plus 120 days is
read as expiring on the 120th day.

Insurance policies and the operator's other declarations come from the register and are listed with their
state, not required by the law itself (the tender documents may require them: the officer reads them).

A requirement is "valid", "expiring" (within ``EXPIRING_WITHIN_DAYS`` of the day checked), "expired" or
"missing". ``blocking`` lists the required ones expired or missing: the contract waits for them, or for the
officer's reasoned decision.

Pure: plain values in, plain values out.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# Document kinds (the register's ``DocumentKind`` values).
DURC = "durc"
SOA_CERTIFICATE = "soa_certificate"
INSURANCE = "insurance"
OTHER = "other"

# States.
VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
MISSING = "missing"

DURC_VALIDITY_DAYS = 120  # DM 30 January 2015 art. 7 c.1
EXPIRING_WITHIN_DAYS = 30  # the register's reminders (register.models.EXPIRY_WARNING_DAYS)
SOA_FROM_AMOUNT = Decimal("150000")  # art. 100 c.4, Allegato II.12
SAMPLE_CHECK_BELOW = Decimal("40000")  # art. 52 c.1

DURC_BASIS = "art. 94 c.6 e art. 95 c.2 D.Lgs. 36/2023; DM 30/01/2015 art. 7 c.1 (120 giorni)"
SOA_BASIS = "art. 100 c.4 e Allegato II.12 D.Lgs. 36/2023"
SAMPLE_BASIS = "art. 52 c.1 D.Lgs. 36/2023"


@dataclass(frozen=True)
class Document:
    kind: str
    issued_on: date | None
    expires_on: date | None
    name: str = ""


@dataclass(frozen=True)
class Requirement:
    kind: str
    required: bool
    state: str
    expires_on: date | None = None
    name: str = ""
    basis: str = ""


def expiry(document: Document) -> date | None:
    """The day the document stops being valid: its stated expiry; for a DURC at the latest 120 days after its
    issue (DM 30/01/2015 art. 7 c.1), and none when it states neither date."""
    if document.kind != DURC or document.issued_on is None:
        return document.expires_on
    limit = document.issued_on + timedelta(days=DURC_VALIDITY_DAYS)
    return min(document.expires_on, limit) if document.expires_on else limit


def state_on(document: Document | None, day: date) -> str:
    if document is None or (document.kind == DURC and expiry(document) is None):
        return MISSING
    ends = expiry(document)
    if ends is None:
        return VALID
    if ends < day:
        return EXPIRED
    return EXPIRING if ends <= day + timedelta(days=EXPIRING_WITHIN_DAYS) else VALID


def best(documents: list[Document], kind: str, day: date) -> Document | None:
    """Of the documents of ``kind`` already issued on ``day``, the one valid the longest (a renewed DURC
    supersedes the old one)."""
    issued = [d for d in documents if d.kind == kind and (d.issued_on is None or d.issued_on <= day)]
    if not issued:
        return None
    return max(issued, key=lambda d: (expiry(d) or date.max, d.issued_on or date.min))


def soa_required(works: bool, amount: Decimal) -> bool:
    """Art. 100 c.4: works of 150,000 euro or more need the SOA qualification."""
    return works and amount >= SOA_FROM_AMOUNT


def sample_checked(direct_award: bool, amount: Decimal) -> bool:
    """Art. 52 c.1: a direct award below 40,000 euro rests on the operator's self-declaration, checked by
    sample."""
    return direct_award and amount < SAMPLE_CHECK_BELOW


def requirement(documents, kind: str, day: date, required: bool, basis: str) -> Requirement:
    document = best(documents, kind, day)
    return Requirement(
        kind=kind,
        required=required,
        state=state_on(document, day),
        expires_on=expiry(document) if document else None,
        name=document.name if document else "",
        basis=basis,
    )


def check(
    documents: list[Document], day: date, *, works: bool, amount: Decimal, direct_award: bool = False
) -> list[Requirement]:
    """The winner's requirements on ``day``: the DURC (always), the SOA certificate (required for works of
    150,000 euro or more, else listed when there is one), the insurance policy when there is one, and every
    other declaration. In a direct award below 40,000 euro none is required (art. 52 c.1)."""
    by_sample = sample_checked(direct_award, amount)
    durc_basis = SAMPLE_BASIS if by_sample else DURC_BASIS
    rows = [requirement(documents, DURC, day, not by_sample, durc_basis)]
    needs_soa = soa_required(works, amount) and not by_sample
    if needs_soa or any(d.kind == SOA_CERTIFICATE for d in documents):
        rows.append(requirement(documents, SOA_CERTIFICATE, day, needs_soa, SOA_BASIS if needs_soa else ""))
    if any(d.kind == INSURANCE for d in documents):
        rows.append(requirement(documents, INSURANCE, day, False, ""))
    for document in documents:
        if document.kind == OTHER:
            rows.append(Requirement(OTHER, False, state_on(document, day), expiry(document), document.name))
    return rows


def blocking(requirements: list[Requirement]) -> list[Requirement]:
    """The required ones expired or missing: the contract waits for them or for a reasoned decision."""
    return [r for r in requirements if r.required and r.state in (EXPIRED, MISSING)]
