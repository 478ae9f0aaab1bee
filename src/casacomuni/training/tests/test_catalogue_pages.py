"""The training pages as their users meet them: the office writes modules, editions, sessions and registers; a
Comune's referent reads the published catalogue, enrols its staff (beyond the seats on the waiting list) and
decides its staff's requests; a member of staff asks to take part and signs in with the teacher's code. Other
roles are refused; bad input shows the Italian error and writes nothing; the lists' queries do not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.training.models import (
    Attendance,
    Completion,
    Edition,
    Enrolment,
    EnrolmentState,
    Module,
    Session,
    StaffMember,
)
from casacomuni.training.testing import FISCAL_CODES, make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db

OFFICE = ("funzionario_formazione", "amministratore_provincia")
NOT_TRAINING = ("funzionario_sua", "dirigente_upi", "operatore_economico")


def as_persona(client, world, persona):
    client.force_login(world.personas[persona])
    return client


def text(response) -> str:
    return response.content.decode()


def rows(prefix: str, forms: list[dict], total: int = 3) -> dict:
    """A formset's POST data: ``forms`` filled, the rest of ``total`` rows left empty."""
    data = {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": 0}
    for number, form in enumerate(forms):
        data.update({f"{prefix}-{number}-{name}": value for name, value in form.items()})
    return data


MODULE = {
    "title": "Rendicontare un progetto PNRR",
    "area": "eu_funds",
    "level": "base",
    "mode": "online_live",
    "hours": "8",
    "objectives": "Rendicontare le spese nel sistema ReGiS.",
    "contents": "Milestone e target; la domanda di rimborso.",
}


@pytest.fixture
def edition(world):
    """A published module of the home Province with an open edition of 2 seats, from next week."""
    return make_edition(make_module(world.home.province_org), seats=2)


# --- Catalogue and modules ----------------------------------------------------------------------------------


def test_the_office_writes_a_module_with_competences_and_materials_and_publishes_it(client, world):
    as_persona(client, world, "funzionario_formazione")
    data = MODULE | rows("competenze", [{"competence": "SUA-2", "level": "advanced"}])
    data |= rows("materiali", [{"title": "Linee guida", "url": "https://example.it/linee-guida.pdf"}], 2)
    response = client.post(reverse("training:module_create"), data)
    module = Module.objects.get(title=MODULE["title"])
    assert response.status_code == 302
    assert module.province == world.home.province_org and not module.published
    assert list(module.module_competences.values_list("competence__code", "level")) == [("SUA-2", "advanced")]
    assert list(module.materials.values_list("title", flat=True)) == ["Linee guida"]
    page = text(client.get(reverse("training:module_detail", args=[module.pk])))
    assert "Avanzato" in page and "Linee guida" in page

    referent = as_persona(client, world, "referente_comune")
    assert referent.get(reverse("training:module_detail", args=[module.pk])).status_code == 404
    assert MODULE["title"] not in text(referent.get(reverse("training:module_list")))

    as_persona(client, world, "funzionario_formazione")
    client.post(reverse("training:module_publish", args=[module.pk]))
    as_persona(client, world, "referente_comune")
    assert MODULE["title"] in text(client.get(reverse("training:module_list")))
    actions = AuditEvent.objects.filter(organization=world.home.province_org, action__startswith="training.")
    assert list(actions.order_by("pk").values_list("action", flat=True)) == [
        "training.module.create",
        "training.module.publish",
    ]


def test_the_office_edits_a_module_and_its_competences(client, world):
    module = make_module(world.home.province_org)
    as_persona(client, world, "amministratore_provincia")
    assert "SUA-2" in text(client.get(reverse("training:module_edit", args=[module.pk])))
    data = MODULE | rows("competenze", [{"competence": "SUA-1", "level": "base"}]) | rows("materiali", [], 2)
    assert client.post(reverse("training:module_edit", args=[module.pk]), data).status_code == 302
    module.refresh_from_db()
    assert module.title == MODULE["title"]
    assert list(module.module_competences.values_list("competence__code", flat=True)) == ["SUA-1"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"hours": "0"}, "Assicurati che questo valore sia maggiore o uguale a 0.5"),
        (
            rows("competenze", [{"competence": "SUA-2", "level": ""}]),
            "Scegli il livello di ciascuna competenza",
        ),
        (
            rows(
                "competenze",
                [{"competence": "SUA-2", "level": "base"}, {"competence": "SUA-2", "level": "base"}],
            ),
            "Scegli ciascuna competenza del quadro una sola volta",
        ),
        (rows("materiali", [{"title": "", "url": "https://example.it/a.pdf"}], 2), "Ogni materiale richiede"),
    ],
)
def test_a_bad_module_shows_the_italian_error_and_writes_nothing(client, world, change, error):
    as_persona(client, world, "funzionario_formazione")
    data = MODULE | rows("competenze", []) | rows("materiali", [], 2) | change
    response = client.post(reverse("training:module_create"), data)
    assert response.status_code == 400
    assert error in text(response)
    assert not Module.objects.exists()


@pytest.mark.parametrize("persona", OFFICE + ("referente_comune", "personale_comune", "referente_unione"))
def test_the_catalogue_lists_the_modules_the_persona_reads_with_filters(client, world, persona):
    make_module(world.home.province_org, title="Appalti sotto soglia")
    make_module(world.home.province_org, title="Open data per i Comuni", area="data", level="base")
    make_module(world.home.province_org, title="Modulo in bozza", published=False)
    make_module(world.elsewhere.province_org, title="Modulo di un'altra Provincia")
    as_persona(client, world, persona)
    page = text(client.get(reverse("training:module_list")))
    assert "Appalti sotto soglia" in page and "Open data per i Comuni" in page
    assert "Modulo di un&#x27;altra Provincia" not in page and "altra Provincia" not in page
    assert ("Modulo in bozza" in page) == (persona in OFFICE)
    filtered = text(client.get(reverse("training:module_list"), {"area": "data", "level": "base"}))
    assert "Open data per i Comuni" in filtered and "Appalti sotto soglia" not in filtered


@pytest.mark.parametrize("persona", NOT_TRAINING + ("funzionario_europa",))
def test_roles_outside_training_are_refused(client, world, persona, edition):
    as_persona(client, world, persona)
    for name, args in (
        ("training:module_list", []),
        ("training:module_create", []),
        ("training:module_detail", [edition.module_id]),
        ("training:edition_detail", [edition.pk]),
        ("training:staff_list", []),
        ("training:staff_add", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name


@pytest.mark.parametrize("persona", ("referente_comune", "personale_comune"))
def test_a_comune_cannot_write_the_catalogue(client, world, persona, edition):
    as_persona(client, world, persona)
    module = edition.module
    assert client.get(reverse("training:module_create")).status_code == 403
    assert client.get(reverse("training:module_edit", args=[module.pk])).status_code == 403
    assert client.post(reverse("training:module_publish", args=[module.pk])).status_code == 403
    assert client.get(reverse("training:edition_create", args=[module.pk])).status_code == 403
    assert client.post(reverse("training:edition_action", args=[edition.pk, "annulla"])).status_code == 403
    assert client.get(reverse("training:register", args=[edition.sessions.first().pk])).status_code == 403
    edition.refresh_from_db()
    assert edition.state == "open"


# --- Editions -----------------------------------------------------------------------------------------------

EDITION = {
    "code": "2026/05",
    "seats": "20",
    "enrolment_deadline": "2026-12-20",
    "teachers": "Mario Bianchi",
    "min_attendance_percent": "80",
    "final_test": "on",
    "pass_mark_percent": "60",
    "signatory": "Dott. Luca Neri, dirigente",
}


def test_the_office_creates_an_edition_adds_a_session_and_opens_and_closes_enrolment(client, world):
    module = make_module(world.home.province_org)
    as_persona(client, world, "funzionario_formazione")
    response = client.post(reverse("training:edition_create", args=[module.pk]), EDITION)
    edition = Edition.objects.get(module=module)
    assert response.status_code == 302
    assert (edition.code, edition.seats, edition.final_test, edition.state) == (
        "2026/05",
        20,
        True,
        "planned",
    )

    again = client.post(reverse("training:edition_create", args=[module.pk]), EDITION)
    assert again.status_code == 400 and "Il modulo ha già un&#x27;edizione con questo codice" in text(again)
    assert Edition.objects.filter(module=module).count() == 1

    starts = (timezone.localtime() + timedelta(days=10)).replace(second=0, microsecond=0)
    session = {"starts_at": f"{starts:%Y-%m-%dT%H:%M}", "ends_at": f"{starts:%Y-%m-%dT}23:59", "place": ""}
    refused = client.post(reverse("training:session_add", args=[edition.pk]), session)
    assert refused.status_code == 400 and "Indica il luogo o il collegamento video" in text(refused)
    assert not Session.objects.exists()
    client.post(reverse("training:session_add", args=[edition.pk]), session | {"place": "Sala Giunta"})
    assert Session.objects.get().place == "Sala Giunta"

    client.post(reverse("training:edition_action", args=[edition.pk, "apri"]))
    edition.refresh_from_db()
    assert edition.state == "open"
    client.post(reverse("training:edition_action", args=[edition.pk, "chiudi"]))
    edition.refresh_from_db()
    assert edition.state == "closed"
    page = text(client.get(reverse("training:edition_detail", args=[edition.pk])))
    assert "Iscrizioni chiuse" in page and "Sala Giunta" in page


def test_a_bad_edition_shows_the_italian_error_and_writes_nothing(client, world):
    module = make_module(world.home.province_org)
    as_persona(client, world, "funzionario_formazione")
    response = client.post(
        reverse("training:edition_create", args=[module.pk]), EDITION | {"seats": "0", "signatory": ""}
    )
    assert response.status_code == 400
    assert "Questo campo è obbligatorio" in text(response)
    assert not Edition.objects.exists()


def test_cancelling_an_edition_ends_its_enrolments(client, world, edition):
    person = make_staff(world.home.comune, 1)[0]
    as_persona(client, world, "referente_comune")
    client.post(reverse("training:enrol", args=[edition.pk]), {"people": [person.pk]})
    as_persona(client, world, "funzionario_formazione")
    client.post(reverse("training:edition_action", args=[edition.pk, "annulla"]))
    edition.refresh_from_db()
    assert edition.state == "cancelled"
    assert list(edition.enrolments.values_list("state", flat=True)) == ["cancelled"]
    again = client.post(reverse("training:edition_action", args=[edition.pk, "apri"]), follow=True)
    assert "non può compiere questo passaggio" in text(again)


def test_completing_the_edition_shows_the_outcome_per_participant(client, world):
    edition = make_edition(make_module(world.home.province_org), seats=3, past=True)
    present, absent = make_staff(world.home.comune, 2)
    as_persona(client, world, "funzionario_formazione")
    client.post(reverse("training:enrol", args=[edition.pk]), {"people": [present.pk, absent.pk]})
    enrolments = {e.person_id: e for e in edition.enrolments.all()}
    for session in edition.sessions.all():
        client.post(
            reverse("training:register", args=[session.pk]),
            {f"minuti_{enrolments[present.pk].pk}": "120", f"minuti_{enrolments[absent.pk].pk}": "0"},
        )
    page = text(client.get(reverse("training:edition_detail", args=[edition.pk])))
    assert "frequenza sotto il minimo" in page and "Completa il percorso" in page
    response = client.post(reverse("training:edition_action", args=[edition.pk, "completa"]), follow=True)
    assert "1 partecipante l&#x27;ha completata" in text(response)
    assert list(Completion.objects.values_list("person", flat=True)) == [present.pk]


# --- Enrolment ----------------------------------------------------------------------------------------------


def test_the_referent_enrols_its_staff_beyond_the_seats_on_the_waiting_list(client, world, edition):
    people = make_staff(world.home.comune, 3)
    as_persona(client, world, "referente_comune")
    page = text(client.get(reverse("training:edition_detail", args=[edition.pk])))
    assert all(person.last_name in page for person in people)
    response = client.post(
        reverse("training:enrol", args=[edition.pk]), {"people": [p.pk for p in people]}, follow=True
    )
    page = text(response)
    assert "Iscritti: 2." in page
    assert "I posti sono esauriti: 1 in lista d&#x27;attesa" in page
    assert sorted(edition.enrolments.values_list("state", flat=True)) == ["enrolled", "enrolled", "waiting"]
    assert "In lista d&#x27;attesa" in page and 'id="seats-left">0<' in page

    enrolled = edition.enrolments.get(person=people[0])
    client.post(reverse("training:enrolment_cancel", args=[enrolled.pk]))
    assert edition.enrolments.get(person=people[2]).state == "enrolled"


def test_the_referent_enrols_only_its_own_staff_and_nobody_twice(client, world, edition):
    mine = make_staff(world.home.comune, 1)[0]
    sibling = StaffMember.objects.create(
        organization=world.home.sibling_comune,
        fiscal_code=FISCAL_CODES[4],
        first_name="Sara",
        last_name="Galli",
    )
    as_persona(client, world, "referente_comune")
    response = client.post(reverse("training:enrol", args=[edition.pk]), {"people": [mine.pk, sibling.pk]})
    assert response.status_code == 400
    assert not Enrolment.objects.exists()
    client.post(reverse("training:enrol", args=[edition.pk]), {"people": [mine.pk]})
    again = client.post(reverse("training:enrol", args=[edition.pk]), {"people": [mine.pk]})
    assert again.status_code == 400 and Enrolment.objects.count() == 1


def test_the_office_enrols_anyone_of_its_territory(client, world, edition):
    sibling = make_staff(world.home.sibling_comune, 1)[0]
    own = StaffMember.objects.create(
        organization=world.home.province_org,
        fiscal_code=FISCAL_CODES[5],
        first_name="Gianni",
        last_name="Blu",
    )
    as_persona(client, world, "funzionario_formazione")
    client.post(reverse("training:enrol", args=[edition.pk]), {"people": [sibling.pk, own.pk]})
    assert sorted(edition.enrolments.values_list("person", flat=True)) == sorted([sibling.pk, own.pk])


def test_the_office_searches_a_large_territory_to_enrol_and_enrols_beyond_the_list(client, world, edition):
    """60 people in the territory: the form lists the first 50 by surname and says how many there are; a
    search by surname, by organisation or by fiscal code narrows the boxes; a person not listed can still be
    enrolled (the list is a view, the choice is checked against the whole staff)."""
    people = StaffMember.objects.bulk_create(
        StaffMember(
            organization=world.home.sibling_comune if n % 2 else world.home.comune,
            fiscal_code=f"T{n:015d}",
            first_name="Nome",
            last_name=f"Persona{n:02d}",
        )
        for n in range(60)
    )
    as_persona(client, world, "funzionario_formazione")
    url = reverse("training:edition_detail", args=[edition.pk])
    page = text(client.get(url))
    assert page.count('name="people"') == 50 and "60 persone possono essere iscritte" in page
    assert "Persona49" in page and "Persona50" not in page
    assert text(client.get(url, {"cerca": "persona59"})).count('name="people"') == 1
    by_body = text(client.get(url, {"cerca": world.home.sibling_comune.name}))
    assert by_body.count('name="people"') == 30
    assert text(client.get(url, {"cerca": "t000000000000012"})).count('name="people"') == 1
    client.post(reverse("training:enrol", args=[edition.pk]), {"people": [people[59].pk]})
    assert Enrolment.objects.get(edition=edition).person == people[59]


def test_a_member_of_staff_asks_and_the_referent_approves_or_refuses(client, world, edition):
    asking = make_staff(world.home.comune, 1, users=[world.personas["personale_comune"]])[0]
    as_persona(client, world, "personale_comune")
    assert "Chiedi di partecipare" in text(client.get(reverse("training:edition_detail", args=[edition.pk])))
    response = client.post(reverse("training:enrolment_request", args=[edition.pk]), follow=True)
    assert "La tua richiesta è stata inviata al tuo referente" in text(response)
    request = Enrolment.objects.get(person=asking)
    assert request.state == EnrolmentState.REQUESTED
    assert (
        client.post(
            reverse("training:enrolment_decide", args=[request.pk]), {"decision": "approva"}
        ).status_code
        == 403
    )

    as_persona(client, world, "referente_comune")
    client.post(reverse("training:enrolment_decide", args=[request.pk]), {"decision": "approva"})
    request.refresh_from_db()
    assert request.state == EnrolmentState.ENROLLED
    client.post(reverse("training:enrolment_cancel", args=[request.pk]))

    as_persona(client, world, "personale_comune")
    client.post(reverse("training:enrolment_request", args=[edition.pk]))
    second = Enrolment.objects.get(person=asking, state=EnrolmentState.REQUESTED)
    as_persona(client, world, "referente_comune")
    client.post(reverse("training:enrolment_decide", args=[second.pk]), {"decision": "rifiuta"})
    second.refresh_from_db()
    assert second.state == EnrolmentState.REFUSED


def test_a_person_without_a_staff_record_is_told_to_ask_the_referent(client, world, edition):
    as_persona(client, world, "personale_comune")
    response = client.post(reverse("training:enrolment_request", args=[edition.pk]), follow=True)
    assert "chiedi al referente del tuo ente di iscriverti" in text(response)
    assert not Enrolment.objects.exists()


# --- Register and sign-in -----------------------------------------------------------------------------------


@pytest.fixture
def held(world):
    """A past edition with one enrolled participant of the home Comune."""
    edition = make_edition(make_module(world.home.province_org), seats=3, past=True)
    person = make_staff(world.home.comune, 1, users=[world.personas["personale_comune"]])[0]
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    return edition.sessions.first(), enrolment


def test_the_register_is_prefilled_with_the_session_length_and_shows_the_code(client, world, held):
    session, enrolment = held
    as_persona(client, world, "funzionario_formazione")
    page = text(client.get(reverse("training:register", args=[session.pk])))
    assert f'name="minuti_{enrolment.pk}" value="120"' in page
    assert session.sign_in_code in page
    response = client.post(reverse("training:register", args=[session.pk]), {f"minuti_{enrolment.pk}": "90"})
    assert response.status_code == 302
    assert Attendance.objects.get().minutes == 90


@pytest.mark.parametrize(
    ("minutes", "error"),
    [("121", "La sessione dura 120 minuti"), ("tanti", "Inserisci i minuti di ciascun partecipante")],
)
def test_bad_minutes_show_the_italian_error_and_write_nothing(client, world, held, minutes, error):
    session, enrolment = held
    as_persona(client, world, "funzionario_formazione")
    response = client.post(
        reverse("training:register", args=[session.pk]), {f"minuti_{enrolment.pk}": minutes}
    )
    assert response.status_code == 400 and error in text(response)
    assert not Attendance.objects.exists()


def test_the_register_of_a_session_not_yet_held_is_refused(client, world, edition):
    person = make_staff(world.home.comune, 1)[0]
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    as_persona(client, world, "funzionario_formazione")
    session = edition.sessions.first()
    response = client.post(reverse("training:register", args=[session.pk]), {f"minuti_{enrolment.pk}": "60"})
    assert response.status_code == 400
    assert "solo dopo l&#x27;inizio della sessione" in text(response) or "iniziata" in text(response)
    assert not Attendance.objects.exists()


def test_a_participant_signs_in_with_the_code_during_the_session(client, world, held):
    session, enrolment = held
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(minutes=50)
    )
    session.refresh_from_db()
    as_persona(client, world, "personale_comune")
    assert "Firma la presenza" in text(
        client.get(reverse("training:edition_detail", args=[session.edition_id]))
    )
    wrong = client.post(reverse("training:sign_in", args=[session.pk]), {"code": "ZZZZZZ"})
    assert wrong.status_code == 400 and "Il codice non è quello di questa sessione" in text(wrong)
    assert not Attendance.objects.exists()
    right = client.post(
        reverse("training:sign_in", args=[session.pk]), {"code": session.sign_in_code.lower()}
    )
    assert right.status_code == 302
    assert 49 <= Attendance.objects.get(enrolment=enrolment).minutes <= 50

    as_persona(client, world, "referente_comune")
    assert client.get(reverse("training:sign_in", args=[session.pk])).status_code == 403


# --- Staff --------------------------------------------------------------------------------------------------


def test_the_referent_lists_and_adds_its_staff(client, world):
    make_staff(world.home.sibling_comune, 1)
    as_persona(client, world, "referente_comune")
    data = {"fiscal_code": FISCAL_CODES[2], "first_name": "Anna", "last_name": "Verdi"}
    assert client.post(reverse("training:staff_add"), data).status_code == 302
    assert StaffMember.objects.get(last_name="Verdi").organization == world.home.comune
    page = text(client.get(reverse("training:staff_list")))
    assert "Verdi" in page and "Cognome0" not in page

    bad = client.post(reverse("training:staff_add"), data | {"fiscal_code": "RSSMRA80A01H501X"})
    assert bad.status_code == 400 and "codice fiscale" in text(bad)
    again = client.post(reverse("training:staff_add"), data)
    assert again.status_code == 400 and "già nel personale" in text(again)
    assert StaffMember.objects.filter(organization=world.home.comune).count() == 1


def test_the_office_adds_staff_to_a_comune_of_its_territory_only(client, world):
    as_persona(client, world, "funzionario_formazione")
    data = {"fiscal_code": FISCAL_CODES[1], "first_name": "Luca", "last_name": "Bianchi"}
    client.post(reverse("training:staff_add"), data | {"organization": world.home.sibling_comune.pk})
    assert StaffMember.objects.get().organization == world.home.sibling_comune
    foreign = client.post(reverse("training:staff_add"), data | {"organization": world.elsewhere.comune.pk})
    assert foreign.status_code == 400
    assert StaffMember.objects.count() == 1


def test_a_staff_record_is_linked_to_the_account_of_the_same_person_in_that_comune(client, world):
    """The employee's account carries its fiscal code: once the referent adds it to the staff, the employee's
    own page shows its record (an account of another body with the same code is not linked)."""
    employee = world.personas["personale_comune"]
    employee.fiscal_code = FISCAL_CODES[3]
    employee.save(update_fields=["fiscal_code"])
    as_persona(client, world, "referente_comune")
    data = {"fiscal_code": FISCAL_CODES[3], "first_name": "Paola", "last_name": "Neri"}
    assert client.post(reverse("training:staff_add"), data).status_code == 302
    assert StaffMember.objects.get(fiscal_code=FISCAL_CODES[3]).user == employee
    as_persona(client, world, "funzionario_formazione")
    client.post(reverse("training:staff_add"), data | {"organization": world.home.sibling_comune.pk})
    assert StaffMember.objects.get(organization=world.home.sibling_comune).user is None
    as_persona(client, world, "personale_comune")
    page = text(client.get(reverse("training:my_hours")))
    assert world.home.comune.name in page and "Nessuna scheda del personale" not in page


def test_a_member_of_staff_does_not_read_the_staff(client, world):
    as_persona(client, world, "personale_comune")
    assert client.get(reverse("training:staff_list")).status_code == 403
    assert client.get(reverse("training:staff_add")).status_code == 403


# --- Query counts -------------------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_queries_of_the_lists_do_not_grow_with_the_data(client, world):
    edition = make_edition(make_module(world.home.province_org), seats=2, past=True)
    session = edition.sessions.first()
    as_persona(client, world, "funzionario_formazione")
    urls = [
        reverse("training:module_list"),
        reverse("training:module_detail", args=[edition.module_id]),
        reverse("training:edition_detail", args=[edition.pk]),
        reverse("training:register", args=[session.pk]),
        reverse("training:staff_list"),
    ]

    def grow(offset):
        people = make_staff(world.home.comune if offset == 0 else world.home.sibling_comune, 3)
        for person in people:
            Enrolment.objects.create(
                edition=edition,
                person=person,
                state=EnrolmentState.ENROLLED,
                requested_at=timezone.now(),
            )
        module = make_module(world.home.province_org, title=f"Altro modulo {offset}")
        make_edition(module, code=f"2026/9{offset}")
        make_edition(edition.module, code=f"2027/0{offset}")

    grow(0)
    for url in urls:  # the session and the menu's caches, read once per client
        client.get(url)
    before = [queries(client, url) for url in urls]
    grow(1)
    after = [queries(client, url) for url in urls]
    assert after == before


def test_after_cancelling_a_member_of_staff_may_ask_again(client, world, edition):
    asking = make_staff(world.home.comune, 1, users=[world.personas["personale_comune"]])[0]
    Enrolment.objects.create(
        edition=edition,
        person=asking,
        state=EnrolmentState.CANCELLED,
        requested_at=timezone.now(),
        ended_at=timezone.now(),
    )
    as_persona(client, world, "personale_comune")
    assert "Chiedi di partecipare" in text(client.get(reverse("training:edition_detail", args=[edition.pk])))


def test_the_staff_list_comes_in_pages(client, world, monkeypatch):
    from casacomuni.training.views import catalogue

    monkeypatch.setattr(catalogue, "PAGE_SIZE", 2)
    make_staff(world.home.comune, 3)
    as_persona(client, world, "referente_comune")
    first = text(client.get(reverse("training:staff_list")))
    assert "Cognome0" in first and "Cognome2" not in first and "Pagina 1 di 2" in first
    assert "Cognome2" in text(client.get(reverse("training:staff_list"), {"page": 2}))
