"""The documents of a completion and of an edition: the certificate PDF (with the QR code of its public
verification page), the Open Badges 2.0 hosted documents (assertion, badge class, issuer) and the iCal file
of an edition's sessions. Absolute URLs come from ``settings.CASACOMUNI_BASE_URL``."""

import hashlib
import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from weasyprint import HTML

from casacomuni.agreements.documents import offline_fetcher
from casacomuni.training.models import Completion, Edition, Module
from casacomuni.training.rules import openbadges

ROME = ZoneInfo("Europe/Rome")


def absolute(path: str) -> str:
    return settings.CASACOMUNI_BASE_URL + path


def verification_url(code: str) -> str:
    return absolute(reverse("training:certificate_verify", args=[code]))


# --- The certificate PDF -----------------------------------------------------------------------------------


def qr_svg_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data: URI, drawn here (segno, pure Python): nothing is fetched."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_context(completion: Completion) -> dict:
    edition = completion.enrolment.edition
    module = edition.module
    sessions = list(edition.sessions.all())
    url = verification_url(completion.code)
    return {
        "completion": completion,
        "person": completion.person,
        "edition": edition,
        "module": module,
        "province": module.province,
        "competences": list(module.module_competences.select_related("competence")),
        "first_day": timezone.localdate(sessions[0].starts_at, ROME) if sessions else None,
        "last_day": timezone.localdate(sessions[-1].ends_at, ROME) if sessions else None,
        "verification_url": url,
        "qr": qr_svg_data_uri(url),
    }


def certificate_pdf(completion: Completion) -> bytes:
    """An A4 certificate in Italian, printed offline with the system fonts: an officer files it as it is."""
    with translation.override("it"):
        html = render_to_string("training/certificate_print.html", certificate_context(completion))
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()


def certificate_filename(completion: Completion) -> str:
    return f"attestato-{completion.code}.pdf"


# --- Open Badges 2.0 ---------------------------------------------------------------------------------------


def recipient_salt(code: str) -> str:
    """Derived from the certificate's code with the secret key: stable across requests, not guessable, and
    different for every completion (the same person's assertions cannot be linked to one another)."""
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()[:32]


def assertion_url(completion: Completion) -> str:
    return absolute(reverse("training:badge_assertion", args=[completion.code]))


def badge_class_url(module: Module) -> str:
    return absolute(reverse("training:badge_class", args=[module.pk]))


def issuer_url(province) -> str:
    return absolute(reverse("training:badge_issuer", args=[province.pk]))


def assertion_document(completion: Completion) -> dict:
    person = completion.person
    return openbadges.assertion(
        url=assertion_url(completion),
        badge_url=badge_class_url(completion.enrolment.edition.module),
        recipient=openbadges.recipient(person.email, person.fiscal_code),
        salt=recipient_salt(completion.code),
        issued_on=completion.issued_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        evidence_url=verification_url(completion.code),
        revocation_reason=completion.revocation_reason if completion.revoked_at else None,
    )


def badge_class_document(module: Module) -> dict:
    with translation.override("it"):
        criteria = (
            f"Frequenza di almeno la quota minima delle ore del modulo ({module.hours} ore) in un'edizione "
            f"organizzata da {module.province.name}, ed eventuale test finale superato."
        )
        tags = [str(module.get_area_display()), str(module.get_level_display())]
    competences = module.module_competences.select_related("competence")
    return openbadges.badge_class(
        url=badge_class_url(module),
        name=module.title,
        description=module.objectives,
        image_url=absolute(static("training/badge.svg")),
        criteria=criteria,
        issuer_url=issuer_url(module.province),
        alignments=[
            (
                item.competence.name,
                f"{badge_class_url(module)}#{item.competence.code}",
                item.competence.code,
            )
            for item in competences
        ],
        tags=tags,
    )


def issuer_document(province) -> dict:
    sigla = province.province.sigla if province.province_id else ""
    website = absolute(reverse("territory:province", args=[sigla])) if sigla else settings.CASACOMUNI_BASE_URL
    # A Province without a PEC on file: the platform's own address answers for it.
    email = province.pec or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return openbadges.issuer(url=issuer_url(province), name=province.name, website=website, email=email)


# --- iCal (RFC 5545) ---------------------------------------------------------------------------------------


def ical_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
    ).replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF and a space (RFC 5545 §3.1), never inside a character."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def edition_calendar(edition: Edition) -> str:
    """One VEVENT per session: UID stable per session, times in UTC, the place or the video link."""
    host = settings.CASACOMUNI_BASE_URL.split("://", 1)[-1].split("/", 1)[0]
    stamp = utc_stamp(timezone.now())
    summary = ical_text(f"{edition.module.title} ({edition.code})")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Casa dei Comuni//Formazione//IT",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{summary}",
    ]
    for number, session in enumerate(edition.sessions.all(), start=1):
        lines += [
            "BEGIN:VEVENT",
            f"UID:training-session-{session.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(session.starts_at)}",
            f"DTEND:{utc_stamp(session.ends_at)}",
            f"SUMMARY:{summary} - incontro {number}",
        ]
        if session.place:
            lines.append(f"LOCATION:{ical_text(session.place)}")
        if session.video_link:
            lines.append(f"URL:{session.video_link}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
