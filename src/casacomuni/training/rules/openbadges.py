"""Open Badges 2.0 documents for a completion: the assertion, its badge class and the issuer, hosted by the
platform (verification "hosted": the assertion's id is the URL that serves it).

Specification: IMS Global (1EdTech) Open Badges v2.0, https://www.imsglobal.org/sites/default/files/Badges/
OBv2p0Final/index.html — required: Assertion (id, type, recipient, badge, verification, issuedOn); BadgeClass
(id, type, name, description, image, criteria, issuer); Profile (id, type, name, url). The recipient is hashed
(sha256 with a salt), so the public assertion names nobody: only who knows the identity can match it.
"""

import hashlib
from dataclasses import dataclass

CONTEXT = "https://w3id.org/openbadges/v2"


@dataclass(frozen=True)
class Recipient:
    """``kind`` is "email" when the person's e-mail is known, else "id" (the fiscal code as a URN)."""

    kind: str
    identity: str


def hashed_identity(identity: str, salt: str) -> str:
    """ "sha256$" and the hex digest of the identity followed by the salt, as the specification says; an e-mail
    is compared in lower case."""
    return "sha256$" + hashlib.sha256((identity.strip().lower() + salt).encode()).hexdigest()


def recipient(email: str, fiscal_code: str) -> Recipient:
    if email.strip():
        return Recipient("email", email)
    return Recipient("id", f"urn:it:codicefiscale:{fiscal_code.strip().upper()}")


def assertion(
    *,
    url: str,
    badge_url: str,
    recipient: Recipient,
    salt: str,
    issued_on: str,
    evidence_url: str,
    revocation_reason: str | None = None,
) -> dict:
    """The hosted assertion of one completion; ``revocation_reason`` given, it says it was revoked."""
    document: dict[str, object] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": url,
        "recipient": {
            "type": recipient.kind,
            "hashed": True,
            "salt": salt,
            "identity": hashed_identity(recipient.identity, salt),
        },
        "badge": badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": issued_on,
        "evidence": evidence_url,
    }
    if revocation_reason is not None:
        document["revoked"] = True
        document["revocationReason"] = revocation_reason
    return document


def badge_class(
    *,
    url: str,
    name: str,
    description: str,
    image_url: str,
    criteria: str,
    issuer_url: str,
    alignments: list[tuple[str, str, str]],
    tags: list[str],
) -> dict:
    """The badge of a module: ``alignments`` are (name, url, code) of the competences it builds."""
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": url,
        "name": name,
        "description": description,
        "image": image_url,
        "criteria": {"narrative": criteria},
        "issuer": issuer_url,
        "alignment": [
            {"targetName": name, "targetUrl": target, "targetCode": code} for name, target, code in alignments
        ],
        "tags": tags,
    }


def issuer(*, url: str, name: str, website: str, email: str) -> dict:
    return {"@context": CONTEXT, "type": "Issuer", "id": url, "name": name, "url": website, "email": email}
