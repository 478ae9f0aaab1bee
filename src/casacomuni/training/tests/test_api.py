"""The training API as a client meets it: the catalogue's modules and editions, enrolment with its waiting
list and cancellation, the attendance register, completions and the 40-hour ledger; refusals in Italian with
nothing written; another Province's or Comune's objects out of reach; lists at a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.api.core import api
from casacomuni.api.testing import guideline_problems, operations_under
from casacomuni.training import ledger
from casacomuni.training.models import (
    Attendance,
    Completion,
    EditionState,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    ModuleMaterial,
    Session,
)
from casacomuni.training.testing import make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
PROBLEM = "application/problem+json"
YEAR = date.today().year


@pytest.fixture
def training(world):
    """At home: a published module with a material and a draft; an open edition of one seat with two sessions
    held and one next week; three people of the Comune (the first is the ``personale_comune`` persona) and one
    of the sibling Comune. Elsewhere: a published module with an edition and a person enrolled and certified."""
    home = world.home
    module = make_module(home.province_org, title="Appalti per i Comuni")
    ModuleMaterial.objects.create(module=module, title="Dispense", url="https://example.org/dispense.pdf")
    draft = make_module(home.province_org, title="Bozza sui dati", area="data", published=False)
    edition = make_edition(module, seats=1, past=True)
    start = timezone.now() + timedelta(days=7)
    future = Session.objects.create(
        edition=edition, starts_at=start, ends_at=start + timedelta(hours=2), place="Sala consiliare"
    )
    people = make_staff(home.comune, 3, users=[world.personas["personale_comune"]])
    (sibling,) = make_staff(home.sibling_comune, 1)
    foreign_module = make_module(world.elsewhere.province_org, title="Corso di un'altra Provincia")
    foreign_edition = make_edition(foreign_module, past=True)
    (stranger,) = make_staff(world.elsewhere.comune, 1)
    foreign_enrolment = Enrolment.objects.create(
        edition=foreign_edition, person=stranger, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    foreign_completion = Completion.objects.create(
        enrolment=foreign_enrolment, person=stranger, completed_on=date.today(), hours=Decimal(12)
    )
    return {
        "module": module,
        "draft": draft,
        "edition": edition,
        "held": edition.sessions.order_by("starts_at").first(),
        "future": future,
        "people": people,
        "sibling": sibling,
        "foreign_module": foreign_module,
        "foreign_edition": foreign_edition,
        "foreign_session": foreign_edition.sessions.first(),
        "foreign_enrolment": foreign_enrolment,
        "foreign_completion": foreign_completion,
    }


def enrolled(edition, person, state=EnrolmentState.ENROLLED) -> Enrolment:
    return Enrolment.objects.create(edition=edition, person=person, state=state, requested_at=timezone.now())


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


# --- The contract -------------------------------------------------------------------------------------------


def test_the_training_operations_keep_to_the_italian_api_guidelines():
    """The rules of the guidelines' Spectral ruleset an operation can break (``api.testing``), and the tag."""
    schema = api.get_openapi_schema()
    operations = list(operations_under(schema, API))
    assert len(operations) == 16
    assert not guideline_problems(schema, API)
    assert {tuple(operation["tags"]) for _name, _method, operation in operations} == {("training",)}


def test_anonymous_calls_are_refused(client, training):
    response = client.get(f"{API}/modules")
    assert problem_of(response, 401)["title"] == "Autenticazione richiesta"


# --- Modules and editions -----------------------------------------------------------------------------------


def test_the_office_lists_its_modules_drafts_included_and_filters_them(client, training, as_persona):
    headers = as_persona("funzionario_formazione")
    body = client.get(f"{API}/modules", headers=headers).json()
    assert [m["title"] for m in body["items"]] == ["Appalti per i Comuni", "Bozza sui dati"]
    assert body["count"] == 2
    assert body["items"][0]["hours"] == "12.0"
    drafts = client.get(f"{API}/modules?published=false", headers=headers).json()
    assert [m["title"] for m in drafts["items"]] == ["Bozza sui dati"]
    data = client.get(f"{API}/modules?area=data&level=intermediate", headers=headers).json()
    assert [m["title"] for m in data["items"]] == ["Bozza sui dati"]
    wrong = problem_of(client.get(f"{API}/modules?area=cucina", headers=headers), 400)
    assert wrong["errors"][0]["field"] == "area" and wrong["errors"][0]["message"].startswith(
        "Scegli uno tra"
    )


def test_a_comune_reads_its_provinces_published_modules_only(client, training, as_persona):
    headers = as_persona("referente_comune")
    body = client.get(f"{API}/modules", headers=headers).json()
    assert [m["title"] for m in body["items"]] == ["Appalti per i Comuni"]
    assert client.get(f"{API}/modules/{training['draft'].pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/modules/{training['foreign_module'].pk}", headers=headers).status_code == 404


def test_a_module_comes_with_its_competences_and_materials(client, training, as_persona):
    response = client.get(f"{API}/modules/{training['module'].pk}", headers=as_persona("referente_comune"))
    assert response.status_code == 200
    body = response.json()
    assert body["objectives"].startswith("Applicare il D.Lgs. 36/2023")
    assert [(c["code"], c["level"]) for c in body["competences"]] == [("SUA-2", "intermediate")]
    assert body["materials"] == [{"title": "Dispense", "url": "https://example.org/dispense.pdf"}]
    assert body["province"]["name"] == training["module"].province.name


def test_roles_without_training_are_refused(client, training, as_persona):
    headers = as_persona("dirigente_upi")
    for path in (
        "/modules",
        "/editions",
        f"/editions/{training['edition'].pk}",
        "/ledger",
        "/ledger/summary",
    ):
        detail = problem_of(client.get(f"{API}{path}", headers=headers), 403)["detail"]
        assert detail == "Il tuo ruolo non consente questa operazione.", path


def test_editions_are_listed_with_their_seats_and_filtered(client, training, as_persona):
    headers = as_persona("funzionario_formazione")
    edition = training["edition"]
    planned = make_edition(training["draft"], state=EditionState.PLANNED, code="2027/01")
    enrolled(edition, training["people"][0])
    body = client.get(f"{API}/editions", headers=headers).json()
    assert {e["id"] for e in body["items"]} == {edition.pk, planned.pk}
    (row,) = [e for e in body["items"] if e["id"] == edition.pk]
    assert (row["seats"], row["seats_taken"], row["state"]) == (1, 1, "open")
    by_module = client.get(f"{API}/editions?module={training['draft'].pk}", headers=headers).json()
    assert [e["id"] for e in by_module["items"]] == [planned.pk]
    by_state = client.get(f"{API}/editions?state=planned", headers=headers).json()
    assert [e["id"] for e in by_state["items"]] == [planned.pk]
    first_session = edition.sessions.order_by("starts_at").first().starts_at
    this_year = client.get(f"{API}/editions?year={first_session.year}", headers=headers).json()
    assert edition.pk in [e["id"] for e in this_year["items"]]
    assert client.get(f"{API}/editions?year=2001", headers=headers).json()["count"] == 0


def test_a_comune_does_not_see_a_planned_edition(client, training, as_persona):
    planned = make_edition(training["module"], state=EditionState.PLANNED, code="2027/01")
    headers = as_persona("referente_comune")
    listed = client.get(f"{API}/editions", headers=headers).json()["items"]
    assert [e["id"] for e in listed] == [training["edition"].pk]
    assert client.get(f"{API}/editions/{planned.pk}", headers=headers).status_code == 404


def test_an_edition_comes_with_its_sessions_in_order(client, training, as_persona):
    response = client.get(f"{API}/editions/{training['edition'].pk}", headers=as_persona("referente_comune"))
    body = response.json()
    assert [s["id"] for s in body["sessions"]] == list(
        training["edition"].sessions.order_by("starts_at").values_list("pk", flat=True)
    )
    assert body["sessions"][0]["minutes"] == 120
    assert body["signatory"].startswith("Dott.ssa Anna Verdi")


def test_another_provinces_edition_is_not_found(client, training, as_persona):
    headers = as_persona("funzionario_formazione")
    foreign = training["foreign_edition"].pk
    for path in (f"/editions/{foreign}", f"/editions/{foreign}/enrolments"):
        assert problem_of(client.get(f"{API}{path}", headers=headers), 404)["title"] == "Non trovato"
    assert foreign not in [e["id"] for e in client.get(f"{API}/editions", headers=headers).json()["items"]]


# --- Enrolment ----------------------------------------------------------------------------------------------


def test_the_referent_enrols_its_staff_beyond_the_seats_on_the_waiting_list(client, training, as_persona):
    headers = as_persona("referente_comune")
    path = f"{API}/editions/{training['edition'].pk}/enrolments"
    first, second = training["people"][:2]
    response = client.post(path, {"person_id": first.pk}, content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert (response.json()["state"], response.json()["person"]["last_name"]) == ("enrolled", "Cognome0")
    response = client.post(path, {"person_id": second.pk}, content_type="application/json", headers=headers)
    assert response.json()["state"] == "waiting"
    listed = client.get(path, headers=headers).json()
    assert [(e["person"]["id"], e["state"]) for e in listed["items"]] == [
        (first.pk, "enrolled"),
        (second.pk, "waiting"),
    ]


def test_enrolling_twice_is_refused_in_italian(client, training, as_persona):
    headers = as_persona("referente_comune")
    person = training["people"][0]
    enrolled(training["edition"], person)
    path = f"{API}/editions/{training['edition'].pk}/enrolments"
    response = client.post(path, {"person_id": person.pk}, content_type="application/json", headers=headers)
    assert problem_of(response, 400)["detail"] == "Nome0 Cognome0 è già iscritto o in lista d'attesa."
    assert Enrolment.objects.filter(person=person).count() == 1


def test_enrolment_in_a_closed_edition_is_refused_and_nothing_written(client, training, as_persona):
    edition = training["edition"]
    edition.state = EditionState.CLOSED
    edition.save()
    response = client.post(
        f"{API}/editions/{edition.pk}/enrolments",
        {"person_id": training["people"][0].pk},
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    assert problem_of(response, 400)["detail"] == "Le iscrizioni a questa edizione non sono aperte."
    assert not Enrolment.objects.filter(edition=training["edition"]).exists()


def test_a_referent_cannot_enrol_another_comunes_person(client, training, as_persona):
    response = client.post(
        f"{API}/editions/{training['edition'].pk}/enrolments",
        {"person_id": training["sibling"].pk},
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    body = problem_of(response, 400)
    assert body["errors"] == [
        {"field": "person_id", "message": "Scegli una persona del personale che gestisci."}
    ]
    assert not Enrolment.objects.filter(edition=training["edition"]).exists()


def test_a_member_of_staff_cannot_enrol_itself_directly(client, training, as_persona):
    response = client.post(
        f"{API}/editions/{training['edition'].pk}/enrolments",
        {"person_id": training["people"][0].pk},
        content_type="application/json",
        headers=as_persona("personale_comune"),
    )
    problem_of(response, 403)
    assert not Enrolment.objects.filter(edition=training["edition"]).exists()


def test_a_cancellation_gives_the_seat_to_the_first_waiting(client, training, as_persona, mailoutbox):
    edition = training["edition"]
    first = enrolled(edition, training["people"][0])
    waiting = enrolled(edition, training["people"][1], EnrolmentState.WAITING)
    response = client.post(f"{API}/enrolments/{first.pk}/cancel", headers=as_persona("referente_comune"))
    assert response.status_code == 200
    body = response.json()
    assert body["enrolment"]["state"] == "cancelled" and body["enrolment"]["ended_at"]
    assert [(e["id"], e["state"]) for e in body["promoted"]] == [(waiting.pk, "enrolled")]
    again = client.post(f"{API}/enrolments/{first.pk}/cancel", headers=as_persona("referente_comune"))
    assert problem_of(again, 400)["detail"] == "Questa iscrizione non è più in vigore."


def test_another_comunes_or_provinces_enrolment_cannot_be_cancelled(client, training, as_persona):
    sibling = enrolled(training["edition"], training["sibling"])
    headers = as_persona("referente_comune")
    for enrolment in (sibling, training["foreign_enrolment"]):
        problem_of(client.post(f"{API}/enrolments/{enrolment.pk}/cancel", headers=headers), 404)
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.ENROLLED


# --- Attendance ---------------------------------------------------------------------------------------------


def put_minutes(client, headers, session, enrolment, minutes):
    return client.put(
        f"{API}/sessions/{session.pk}/register/{enrolment.pk}",
        {"minutes": minutes},
        content_type="application/json",
        headers=headers,
    )


def test_the_office_records_minutes_and_reads_the_register(client, training, as_persona):
    headers = as_persona("funzionario_formazione")
    enrolment = enrolled(training["edition"], training["people"][0])
    session = training["held"]
    register = client.get(f"{API}/sessions/{session.pk}/register", headers=headers).json()
    assert register["held"] is True
    assert [(p["enrolment_id"], p["minutes"]) for p in register["participants"]] == [(enrolment.pk, None)]
    response = put_minutes(client, headers, session, enrolment, 90)
    assert response.status_code == 200
    assert (response.json()["minutes"], response.json()["method"]) == (90, "register")
    assert put_minutes(client, headers, session, enrolment, 100).json()["minutes"] == 100
    register = client.get(f"{API}/sessions/{session.pk}/register", headers=headers).json()
    assert [(p["minutes"], p["method"]) for p in register["participants"]] == [(100, "register")]
    assert Attendance.objects.get().minutes == 100


def test_minutes_on_a_session_not_held_yet_are_refused(client, training, as_persona):
    enrolment = enrolled(training["edition"], training["people"][0])
    response = put_minutes(client, as_persona("funzionario_formazione"), training["future"], enrolment, 60)
    assert (
        problem_of(response, 400)["detail"] == "Le presenze si registrano solo dopo l'inizio della sessione."
    )
    assert not Attendance.objects.exists()


def test_minutes_beyond_the_sessions_length_are_refused(client, training, as_persona):
    enrolment = enrolled(training["edition"], training["people"][0])
    headers = as_persona("funzionario_formazione")
    body = problem_of(put_minutes(client, headers, training["held"], enrolment, 121), 400)
    assert body["errors"] == [
        {"field": "minutes", "message": "La sessione dura 120 minuti: non se ne possono registrare di più."}
    ]
    negative = problem_of(put_minutes(client, headers, training["held"], enrolment, -5), 400)
    assert negative["errors"][0]["message"] == "Inserisci un valore maggiore o uguale a 0."
    assert not Attendance.objects.exists()


def test_the_register_is_the_offices(client, training, as_persona):
    enrolment = enrolled(training["edition"], training["people"][0])
    session = training["held"]
    referent = as_persona("referente_comune")
    problem_of(client.get(f"{API}/sessions/{session.pk}/register", headers=referent), 403)
    problem_of(put_minutes(client, referent, session, enrolment, 60), 403)
    office = as_persona("funzionario_formazione")
    problem_of(client.get(f"{API}/sessions/{training['foreign_session'].pk}/register", headers=office), 404)
    foreign = training["foreign_enrolment"]
    problem_of(put_minutes(client, office, training["foreign_session"], foreign, 60), 404)
    problem_of(put_minutes(client, office, session, foreign, 60), 404)
    assert not Attendance.objects.exists()


# --- Completions --------------------------------------------------------------------------------------------


@pytest.fixture
def certified(training):
    """Two people of the home Comune completed the edition; the second's certificate was revoked."""
    edition, (first, second, _third) = training["edition"], training["people"]
    result = []
    for person, revoked in ((first, None), (second, timezone.now())):
        result.append(
            Completion.objects.create(
                enrolment=enrolled(edition, person),
                person=person,
                completed_on=date(YEAR, 1, 10),
                hours=Decimal(12),
                revoked_at=revoked,
                revocation_reason="Presenze non veritiere" if revoked else "",
            )
        )
    ledger.rebuild_hours()
    return result


def test_the_office_lists_completions_by_edition_person_and_year(client, training, certified, as_persona):
    headers = as_persona("funzionario_formazione")
    kept, revoked = certified
    body = client.get(f"{API}/completions?edition={training['edition'].pk}", headers=headers).json()
    assert {c["code"] for c in body["items"]} == {kept.code, revoked.code}
    assert training["foreign_completion"].code not in str(
        client.get(f"{API}/completions", headers=headers).json()
    )
    by_person = client.get(f"{API}/completions?person={revoked.person_id}", headers=headers).json()["items"]
    assert [(c["code"], c["revocation_reason"]) for c in by_person] == [
        (revoked.code, "Presenze non veritiere")
    ]
    assert by_person[0]["revoked_at"] and by_person[0]["module"]["title"] == "Appalti per i Comuni"
    assert client.get(f"{API}/completions?year={YEAR - 1}", headers=headers).json()["count"] == 0


def test_a_person_reads_its_own_completions_only(client, training, certified, as_persona):
    headers = as_persona("personale_comune")
    listed = client.get(f"{API}/completions", headers=headers).json()["items"]
    assert [c["code"] for c in listed] == [certified[0].code]
    detail = client.get(f"{API}/completions/{certified[0].pk}", headers=headers).json()
    assert (detail["hours"], detail["completed_on"]) == ("12.0", f"{YEAR}-01-10")
    problem_of(client.get(f"{API}/completions/{certified[1].pk}", headers=headers), 404)
    problem_of(client.get(f"{API}/completions/{training['foreign_completion'].pk}", headers=headers), 404)


# --- The ledger ---------------------------------------------------------------------------------------------


@pytest.fixture
def hours(world, training):
    """41 hours imported this year for the first person of the Comune, 2 for the second."""
    run = ImportRun.objects.create(organization=world.home.comune, file_name="syllabus.csv")
    for person, amount in zip(training["people"], ("41", "2"), strict=False):
        ExternalHours.objects.create(
            person=person,
            provider="Syllabus",
            course="Competenze digitali",
            hours=Decimal(amount),
            completed_on=date(YEAR, 1, 1),
            import_run=run,
        )
    ledger.rebuild_hours()  # written here, not through the services that keep the ledger


def test_the_referent_reads_its_ledger_sorted_filtered_and_paginated(client, training, hours, as_persona):
    headers = as_persona("referente_comune")
    body = client.get(f"{API}/ledger?sort=-hours", headers=headers).json()
    assert body["count"] == 3
    assert [(r["person"]["last_name"], r["hours"]) for r in body["items"]] == [
        ("Cognome0", "41.0"),
        ("Cognome1", "2.0"),
        ("Cognome2", "0.0"),
    ]
    assert body["items"][0]["standing"] == "reached"
    page = client.get(f"{API}/ledger?sort=hours&limit=1&offset=1", headers=headers).json()
    assert page["count"] == 3 and [r["person"]["last_name"] for r in page["items"]] == ["Cognome1"]
    reached = client.get(f"{API}/ledger?standing=reached", headers=headers).json()
    assert [r["person"]["last_name"] for r in reached["items"]] == ["Cognome0"]
    assert client.get(f"{API}/ledger?year={YEAR - 1}", headers=headers).json()["items"][0]["hours"] == "0.0"


def test_the_ledger_refuses_bad_filters_in_italian(client, world, training, hours, as_persona):
    headers = as_persona("referente_comune")
    foreign = problem_of(
        client.get(f"{API}/ledger?organization={world.home.sibling_comune.pk}", headers=headers), 400
    )
    assert foreign["errors"] == [{"field": "organization", "message": "Scegli uno dei tuoi enti."}]
    assert problem_of(client.get(f"{API}/ledger?standing=bravo", headers=headers), 400)["errors"][0][
        "message"
    ].startswith("Scegli uno tra")
    assert (
        problem_of(client.get(f"{API}/ledger?year=2019", headers=headers), 400)["errors"][0]["field"]
        == "year"
    )


def test_the_office_reads_its_territorys_ledger_and_summary(client, world, training, hours, as_persona):
    headers = as_persona("funzionario_formazione")
    body = client.get(f"{API}/ledger?organization={world.home.comune.pk}", headers=headers).json()
    assert body["count"] == 3
    names = [
        r["person"]["last_name"]
        for r in client.get(f"{API}/ledger?limit=500", headers=headers).json()["items"]
    ]
    assert "Cognome0" in names and len(names) == 4  # the sibling Comune's too, never the other Province's
    summary = client.get(f"{API}/ledger/summary", headers=headers).json()
    (comune,) = [s for s in summary if s["organization"]["id"] == world.home.comune.pk]
    assert (comune["people"], comune["reached"], comune["hours"], comune["reached_share"]) == (
        3,
        1,
        "43.0",
        "33.3",
    )
    assert world.elsewhere.comune.pk not in [s["organization"]["id"] for s in summary]


def test_a_person_reads_its_own_hours_with_the_courses(client, training, hours, certified, as_persona):
    body = client.get(f"{API}/ledger/me", headers=as_persona("personale_comune")).json()
    (record,) = body
    assert (record["hours"], record["platform_hours"], record["imported_hours"]) == ("53.0", "12.0", "41.0")
    assert Decimal(record["missing"]) == 0
    assert [(c["title"], c["certificate_code"]) for c in record["courses"]] == [
        ("Competenze digitali", None),
        ("Appalti per i Comuni", certified[0].code),
    ]
    assert client.get(f"{API}/ledger/me", headers=as_persona("dirigente_upi")).json() == []
    problem_of(client.get(f"{API}/ledger", headers=as_persona("personale_comune")), 403)


# --- Queries ------------------------------------------------------------------------------------------------


def test_the_lists_take_the_same_queries_whatever_their_length(client, world, training, as_persona):
    """Each list operation costs a fixed number of queries: one more module, edition, enrolment, completion
    or person adds none."""
    headers = as_persona("funzionario_formazione")
    edition = training["edition"]
    paths = [
        "/modules",
        "/editions",
        f"/editions/{edition.pk}/enrolments",
        "/completions",
        "/ledger",
        "/ledger/summary",
        f"/sessions/{training['held'].pk}/register",
    ]

    def queries() -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{API}{path}", headers=headers).status_code == 200, path
            counts.append(len(captured))
        return counts

    def add_rows(number: int):
        module = make_module(world.home.province_org, title=f"Modulo {number}")
        make_edition(module, past=True)
        (person,) = make_staff(world.home.union, 1) if number == 1 else make_staff(world.home.province_org, 1)
        enrolment = enrolled(edition, person)
        Completion.objects.create(enrolment=enrolment, person=person, completed_on=date.today(), hours=1)

    client.get(f"{API}/modules", headers=headers)  # the token's first use of the minute is recorded
    add_rows(1)
    one = queries()
    add_rows(2)
    assert queries() == one
