"""The certificate of a completion as the people around it meet it: the PDF an officer files as it is (to its
holder, its Comune's referent and the Province's training office only, never once revoked), the public page the
QR code leads to (valid, revoked, or no such certificate: the same answer for any unknown code), the Open
Badges 2.0 hosted documents (checked against the terms of the 2.0 JSON-LD context) and the iCal file of an
edition (RFC 5545: CRLF, folded lines, UTC times)."""

import io
import json
import re
from datetime import UTC
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef

from casacomuni.training import certificates, services
from casacomuni.training.models import EditionState
from casacomuni.training.rules import openbadges
from casacomuni.training.testing import make_edition, make_module, make_staff, persona_actor
from casacomuni.web.testing import italian_problems

pytestmark = pytest.mark.django_db

BASE = "https://casacomuni.example.test"
OBI = Namespace("https://w3id.org/openbadges#")
SCHEMA = Namespace("http://schema.org/")
CONTEXT = json.loads((Path(__file__).parent / "data" / "openbadges-v2-context.json").read_text())["@context"]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CASACOMUNI_BASE_URL = BASE


@pytest.fixture
def completions(world):
    """A module of 12 hours of the home Province held in two sessions; two people of its Comune attended both
    (the first is the ``personale_comune`` persona) and completed it."""
    module = make_module(world.home.province_org, title="Il nuovo codice dei contratti pubblici", hours="12")
    edition = make_edition(module, seats=5, sessions=2, past=True, code="2026/07")
    people = make_staff(world.home.comune, 2, users=[world.personas["personale_comune"]])
    office = persona_actor(world, "funzionario_formazione")
    for person in people:
        enrolment = services.enrol(office, edition, person)
        for session in edition.sessions.all():
            services.record_attendance(office, session, enrolment, 120)
    return services.complete_edition(office, edition)


@pytest.fixture
def completion(completions):
    return completions[0]


def login(client, world, persona):
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()
    return client


def pdf_url(completion) -> str:
    return reverse("training:certificate_pdf", args=[completion.code])


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- The certificate PDF -----------------------------------------------------------------------------------


def test_the_holder_downloads_a_one_page_certificate_with_all_an_officer_files(client, world, completion):
    response = login(client, world, "personale_comune").get(pdf_url(completion))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="attestato-{completion.code}.pdf"' in response["Content-Disposition"]
    pages, text = pdf_text(response.content)
    assert pages == 1
    for expected in (
        "ATTESTATO DI PARTECIPAZIONE",
        "Nome0 Cognome0",
        "Il nuovo codice dei contratti pubblici",
        "2026/07",
        "Ore di formazione 12",
        "SUA-2",
        "livello intermedio",
        world.home.province_org.name,
        "Dott.ssa Anna Verdi, dirigente del Servizio formazione",
        completion.code,
        f"{BASE}/formazione/attestati/verifica/{completion.code}/",
        completion.completed_on.strftime("%d/%m/%Y"),
    ):
        assert expected in text, expected
    assert completion.person.fiscal_code not in text


def test_the_qr_code_on_the_certificate_leads_to_its_verification_page(completion):
    context = certificates.certificate_context(completion)
    assert context["verification_url"] == f"{BASE}/formazione/attestati/verifica/{completion.code}/"
    assert context["qr"].startswith("data:image/svg+xml")
    # The drawing is made here (segno), for exactly that URL: nothing is fetched when printing.
    import segno

    assert context["qr"] == segno.make(context["verification_url"], error="m").svg_data_uri(scale=4, border=2)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("referente_comune", 200),
        ("funzionario_formazione", 200),
        ("referente_unione", 404),
        ("funzionario_sua", 404),
        ("dirigente_upi", 404),
        ("operatore_economico", 404),
    ],
)
def test_only_the_holder_its_referent_and_the_training_office_download_it(
    client, world, completion, persona, status
):
    assert login(client, world, persona).get(pdf_url(completion)).status_code == status


def test_a_colleague_of_the_holder_does_not_get_its_certificate(client, world, completions):
    response = login(client, world, "personale_comune").get(pdf_url(completions[1]))
    assert response.status_code == 404


def test_logged_out_the_certificate_asks_for_the_login(client, completion):
    response = client.get(pdf_url(completion))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_revoked_certificate_is_not_served_even_to_its_holder(client, world, completion):
    services.revoke_certificate(
        persona_actor(world, "funzionario_formazione"), completion, "Presenze errate."
    )
    assert login(client, world, "personale_comune").get(pdf_url(completion)).status_code == 404
    assert login(client, world, "funzionario_formazione").get(pdf_url(completion)).status_code == 404


# --- The public verification page --------------------------------------------------------------------------


def verify(client, code):
    return client.get(reverse("training:certificate_verify", args=[code]))


def test_logged_out_the_verification_page_says_valid_with_the_name_only(client, world, completion):
    response = verify(client, completion.code)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="valid"' in page and "Valido" in page
    for expected in (
        "Nome0 Cognome0",
        "Il nuovo codice dei contratti pubblici",
        'id="certificate-hours">12<',
        completion.completed_on.strftime("%d/%m/%Y"),
        world.home.province_org.name,
    ):
        assert expected in page, expected
    person = completion.person
    assert person.fiscal_code not in page and person.email not in page
    assert not italian_problems(page)


def main_of(page: str) -> str:
    """What the page says (the layout around it carries the session's token and the time)."""
    return page.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def test_a_forged_code_gets_the_same_no_such_certificate_page_as_any_unknown_code(client, completion):
    forged = completion.code[:-1] + ("A" if completion.code[-1] != "A" else "B")
    answers = [verify(client, code) for code in (forged, "ZZZZZZZZZZZZ", "not-a-code")]
    assert {response.status_code for response in answers} == {404}
    pages = [main_of(response.content.decode()) for response in answers]
    assert "Attestato inesistente" in pages[0]
    assert pages[0] == pages[1] == pages[2]
    assert "Nome0" not in pages[0]
    assert not italian_problems(pages[0])


def test_a_revoked_certificate_says_when_and_why(client, world, completion):
    services.revoke_certificate(
        persona_actor(world, "funzionario_formazione"), completion, "Presenze registrate per errore."
    )
    page = verify(client, completion.code).content.decode()
    day = timezone.localdate().strftime("%d/%m/%Y")
    assert 'data-status="revoked"' in page and 'data-status="valid"' not in page
    assert f"revocato il {day}: Presenze registrate per errore." in page


def test_the_form_takes_a_typed_code_to_its_page(client, completion):
    form = client.get(reverse("training:certificate_verify_form"))
    assert form.status_code == 200 and not italian_problems(form.content.decode())
    typed = " ".join([completion.code[:6].lower(), completion.code[6:]])
    response = client.get(reverse("training:certificate_verify_form"), {"codice": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("training:certificate_verify", args=[completion.code])


# --- Open Badges 2.0 ---------------------------------------------------------------------------------------


def fetch_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].split(";")[0] in ("application/ld+json", "application/json")
    document = json.loads(response.content)
    assert document["@context"] == openbadges.CONTEXT
    return document


def graph_of(document: dict) -> Graph:
    """The document as RDF, its context replaced by the Open Badges 2.0 terms kept offline in data/."""
    return Graph().parse(data=json.dumps(document | {"@context": CONTEXT}), format="json-ld")


def test_the_assertion_badge_class_and_issuer_carry_the_required_properties(client, world, completion):
    assertion = fetch_json(client, reverse("training:badge_assertion", args=[completion.code]))
    assert assertion["id"] == f"{BASE}/formazione/attestati/{completion.code}/badge.json"
    graph, node = graph_of(assertion), URIRef(assertion["id"])
    assert (node, RDF.type, OBI.Assertion) in graph
    for prop in (OBI.recipient, OBI.badge, OBI.verify, OBI.issueDate):
        assert graph.value(node, prop) is not None, prop
    assert graph.value(node, OBI.issueDate).datatype == XSD.dateTime
    recipient = graph.value(node, OBI.recipient)
    assert graph.value(recipient, OBI.hashed) == Literal(True)
    assert (graph.value(node, OBI.verify), RDF.type, OBI.HostedBadge) in graph
    assert graph.value(node, OBI.revoked) is None

    badge = fetch_json(client, assertion["badge"])
    graph, node = graph_of(badge), URIRef(badge["id"])
    assert (node, RDF.type, OBI.BadgeClass) in graph
    for prop in (SCHEMA.name, SCHEMA.description, SCHEMA.image, OBI.criteria, OBI.issuer):
        assert graph.value(node, prop) is not None, prop
    assert str(graph.value(node, SCHEMA.name)) == "Il nuovo codice dei contratti pubblici"
    assert [a["targetCode"] for a in badge["alignment"]] == ["SUA-2"]
    assert badge["image"] == f"{BASE}/static/training/badge.svg" and finders.find("training/badge.svg")

    issuer = fetch_json(client, badge["issuer"])
    graph, node = graph_of(issuer), URIRef(issuer["id"])
    assert (node, RDF.type, OBI.Issuer) in graph
    for prop in (SCHEMA.name, SCHEMA.url, SCHEMA.email):
        assert graph.value(node, prop) is not None, prop
    assert issuer["name"] == world.home.province_org.name
    assert all(url.startswith(BASE) for url in (badge["issuer"], issuer["url"], assertion["evidence"]))


def test_the_recipient_is_hashed_with_a_stable_salt_of_its_own(client, completions):
    first, second = completions
    url = reverse("training:badge_assertion", args=[first.code])
    recipient = fetch_json(client, url)["recipient"]
    assert fetch_json(client, url)["recipient"] == recipient  # the same on every request
    assert recipient["identity"] == openbadges.hashed_identity(first.person.email, recipient["salt"])
    assert first.person.email not in json.dumps(recipient)
    other = fetch_json(client, reverse("training:badge_assertion", args=[second.code]))["recipient"]
    assert other["salt"] != recipient["salt"]


def test_a_revoked_assertion_says_so_with_the_reason(client, world, completion):
    services.revoke_certificate(persona_actor(world, "funzionario_formazione"), completion, "Test annullato.")
    assertion = fetch_json(client, reverse("training:badge_assertion", args=[completion.code]))
    graph, node = graph_of(assertion), URIRef(assertion["id"])
    assert graph.value(node, OBI.revoked) == Literal(True)
    assert str(graph.value(node, OBI.revocationReason)) == "Test annullato."


def test_badges_of_draft_modules_unknown_codes_and_non_provinces_are_not_found(client, world):
    draft = make_module(world.home.province_org, title="In preparazione", published=False)
    assert client.get(reverse("training:badge_class", args=[draft.pk])).status_code == 404
    assert client.get(reverse("training:badge_assertion", args=["ZZZZZZZZZZZZ"])).status_code == 404
    assert client.get(reverse("training:badge_issuer", args=[world.home.comune.pk])).status_code == 404


# --- iCal ---------------------------------------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_edition_calendar_has_one_event_per_session_in_utc(client, world):
    title = "Gestione dei fondi europei: rendicontazione, controlli di primo livello e verifiche " * 2
    module = make_module(world.home.province_org, title=title.strip(), hours="4")
    edition = make_edition(module, sessions=2)
    response = login(client, world, "referente_comune").get(
        reverse("training:edition_calendar", args=[edition.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = unfold(raw.decode())
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    sessions = list(edition.sessions.all())
    assert lines.count("BEGIN:VEVENT") == len(sessions) == 2
    for session in sessions:
        start = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{start}" in lines
        assert f"DTEND:{session.ends_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}" in lines
        assert any(line.startswith(f"UID:training-session-{session.pk}@") for line in lines)
    assert sum(bool(re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line)) for line in lines) == 2
    summary = title.strip().replace(",", "\\,")  # commas escaped in a TEXT value
    assert f"SUMMARY:{summary} ({edition.code}) - incontro 1" in lines
    assert "LOCATION:Sala consiliare" in lines


def test_only_who_reads_the_edition_gets_its_calendar(client, world):
    draft = make_edition(make_module(world.home.province_org, published=False), state=EditionState.PLANNED)
    url = reverse("training:edition_calendar", args=[draft.pk])
    assert login(client, world, "funzionario_formazione").get(url).status_code == 200
    assert login(client, world, "referente_comune").get(url).status_code == 404
    assert login(client, world, "funzionario_sua").get(url).status_code == 404


def test_text_values_are_escaped_and_long_lines_folded_between_characters():
    assert (
        certificates.ical_text("Aula 1, piano; terra\\nord\nsud") == "Aula 1\\, piano\\; terra\\\\nord\\nsud"
    )
    line = "SUMMARY:" + "è" * 80
    folded = certificates.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
