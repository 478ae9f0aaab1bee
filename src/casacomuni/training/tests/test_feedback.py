"""What closes an edition, as its people meet it (issue 11, items 5 and 6): the training office writes the
final test of a module and a participant takes it once the sessions are held (one attempt, a second only if
the office allows it), its score deciding the completion; the satisfaction questionnaire each participant who
completed the edition answers once, its results for the office and for the dashboards (``satisfaction_by``);
the revocation of a certificate, after which its public page says so."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casacomuni.training import services
from casacomuni.training.figures import Satisfaction, satisfaction_by
from casacomuni.training.models import (
    Completion,
    Edition,
    Enrolment,
    SatisfactionResponse,
    Session,
    TestAttempt,
    TestQuestion,
)
from casacomuni.training.rules import final_test as rules
from casacomuni.training.testing import make_edition, make_module, make_staff, persona_actor
from casacomuni.web.testing import italian_problems

pytestmark = pytest.mark.django_db

RATINGS = {"overall": "4", "contents": "5", "teachers": "4", "organisation": "3", "usefulness": "5"}


def login(client, world, persona):
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()
    return client


def add_questions(office, module, count=3):
    """``count`` questions whose correct option is always the second."""
    return [
        services.save_test_question(office, module, f"Domanda {n}?", ["Sbagliata", "Giusta", "Altra"], 1)
        for n in range(1, count + 1)
    ]


@pytest.fixture
def course(world):
    """A held edition (two sessions past) with a final test of three questions, pass mark 67 %; two people of
    the home Comune enrolled and present at both sessions, the first the ``personale_comune`` persona."""
    office = persona_actor(world, "funzionario_formazione")
    module = make_module(world.home.province_org, title="Il nuovo codice dei contratti pubblici")
    edition = make_edition(module, seats=5, past=True, final_test=True, pass_mark_percent=67, code="2026/09")
    people = make_staff(world.home.comune, 2, users=[world.personas["personale_comune"]])
    enrolments = []
    for person in people:
        enrolment = services.enrol(office, edition, person)
        for session in edition.sessions.all():
            services.record_attendance(office, session, enrolment, 120)
        enrolments.append(enrolment)
    questions = add_questions(office, module)
    return office, edition, enrolments, questions


def all_right(questions) -> dict:
    return {question.pk: 1 for question in questions}


def form_answers(questions, chosen) -> dict:
    return {f"risposta_{question.pk}": chosen[question.pk] for question in questions if question.pk in chosen}


# --- The rule -----------------------------------------------------------------------------------------------


def test_two_answers_out_of_three_do_not_reach_a_pass_mark_of_two_thirds_rounded_up():
    # 2/3 = 66.67 %: below a pass mark of 67 % (UPI's procurement course asks two thirds, DOMAIN.md section 7,
    # which the platform's default 67 % rounds up); the stored score is truncated to 66 so that it says the same.
    result = rules.score({1: 0, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 2}, 67)
    assert (result.correct, result.total, result.percent, result.passed) == (2, 3, 66, False)
    assert rules.score({1: 0, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 2}, 66).passed


def test_a_second_attempt_only_after_failing_and_when_allowed_and_never_a_third():
    assert rules.may_attempt([], retry_allowed=False)
    assert not rules.may_attempt([False], retry_allowed=False)
    assert rules.may_attempt([False], retry_allowed=True)
    assert not rules.may_attempt([True], retry_allowed=True)
    assert not rules.may_attempt([False, False], retry_allowed=True)


# --- The questions of the test ------------------------------------------------------------------------------


def test_the_office_adds_edits_and_removes_the_questions_of_the_test(client, world, course):
    _office, edition, _enrolments, questions = course
    module = edition.module
    login(client, world, "funzionario_formazione")
    url = reverse("training:test_questions", args=[module.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Domanda 1?" in page.content.decode()
    assert not italian_problems(page.content.decode())
    response = client.post(
        url,
        {"text": "Chi nomina il RUP?", "option_1": "Il sindaco", "option_2": "", "option_3": "La stazione "
         "appaltante", "correct": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    added = TestQuestion.objects.get(text="Chi nomina il RUP?")
    assert added.options == ["Il sindaco", "La stazione appaltante"] and added.correct == 1
    edit = reverse("training:test_question_edit", args=[added.pk])
    assert "Il sindaco" in client.get(edit).content.decode()
    client.post(
        edit, {"text": "Chi nomina il RUP?", "option_1": "Il sindaco", "option_2": "La SA", "correct": "1"}
    )
    added.refresh_from_db()
    assert added.options == ["Il sindaco", "La SA"] and added.correct == 0
    client.post(reverse("training:test_question_delete", args=[questions[0].pk]))
    assert list(module.test_questions.values_list("text", flat=True)) == [
        "Domanda 2?",
        "Domanda 3?",
        "Chi nomina il RUP?",
    ]


@pytest.mark.parametrize(
    ("options", "correct", "message"),
    [
        ({"option_1": "Solo una"}, "1", "Indica da 2 a 6 opzioni."),
        ({"option_1": "Sì", "option_2": "sì"}, "1", "Due opzioni sono uguali."),
        ({"option_1": "Sì", "option_2": "No"}, "4", "Scegli l'unica opzione corretta."),
    ],
)
def test_a_question_needs_two_to_six_distinct_options_and_one_correct(
    client, world, course, options, correct, message
):
    module = course[1].module
    login(client, world, "funzionario_formazione")
    response = client.post(
        reverse("training:test_questions", args=[module.pk]),
        {"text": "Domanda?", **options, "correct": correct},
    )
    assert response.status_code == 400 and message in html.unescape(response.content.decode())
    assert module.test_questions.count() == 3


def test_once_somebody_took_the_test_its_questions_no_longer_change(client, world, course):
    office, edition, _enrolments, questions = course
    services.take_test(persona_actor(world, "personale_comune"), edition, all_right(questions))
    with pytest.raises(ValidationError, match="Qualcuno ha già svolto questo test"):
        services.save_test_question(office, edition.module, "Nuova?", ["A", "B"], 0)
    login(client, world, "funzionario_formazione")
    client.post(reverse("training:test_question_delete", args=[questions[0].pk]))
    assert edition.module.test_questions.count() == 3
    page = client.get(reverse("training:test_questions", args=[edition.module.pk])).content.decode()
    assert "non possono più cambiare" in page and 'id="question-form"' not in page


def test_the_comuni_do_not_write_the_test(client, world, course):
    login(client, world, "referente_comune")
    assert client.get(reverse("training:test_questions", args=[course[1].module.pk])).status_code == 403


# --- Taking the test ----------------------------------------------------------------------------------------


def test_a_participant_takes_the_test_online_and_its_score_decides_the_completion(client, world, course):
    office, edition, enrolments, questions = course
    login(client, world, "personale_comune")
    detail = client.get(reverse("training:edition_detail", args=[edition.pk])).content.decode()
    url = reverse("training:final_test", args=[edition.pk])
    assert url in detail
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 9 and page.count("<fieldset") == 3
    assert not italian_problems(page)
    response = client.post(url, form_answers(questions, all_right(questions)), follow=True)
    text = response.content.decode()
    assert "3 domande su 3" in text and "100%" in text and "Superato" in text
    assert "Hai già svolto il test." in text and 'id="test-form"' not in text
    enrolments[0].refresh_from_db()
    assert enrolments[0].test_score_percent == 100
    outcomes = {o.enrolment.pk: o.problems for o in services.outcomes(edition)}
    assert outcomes == {enrolments[0].pk: [], enrolments[1].pk: ["test_not_taken"]}
    completions = services.complete_edition(office, edition)
    assert [c.enrolment_id for c in completions] == [enrolments[0].pk]


def test_a_test_below_the_pass_mark_does_not_complete(world, course):
    office, edition, enrolments, questions = course
    chosen = all_right(questions) | {questions[2].pk: 0}
    attempt = services.take_test(persona_actor(world, "personale_comune"), edition, chosen)
    assert (attempt.score_percent, attempt.passed) == (66, False)
    assert services.outcomes(edition)[0].problems == ["test_not_passed"]
    assert services.complete_edition(office, edition) == []


def test_unanswered_questions_are_refused_and_nothing_is_recorded(client, world, course):
    _office, edition, enrolments, questions = course
    login(client, world, "personale_comune")
    chosen = {questions[0].pk: 1}
    response = client.post(reverse("training:final_test", args=[edition.pk]), form_answers(questions, chosen))
    text = response.content.decode()
    assert response.status_code == 400 and "Rispondi a tutte le domande: 2 sono senza risposta." in text
    assert 'value="1" checked' in text  # what was chosen stays chosen
    assert not TestAttempt.objects.exists()
    enrolments[0].refresh_from_db()
    assert enrolments[0].test_score_percent is None


def test_an_option_that_does_not_exist_counts_as_no_answer(world, course):
    edition, questions = course[1], course[3]
    with pytest.raises(ValidationError, match="1 è senza risposta"):
        services.take_test(
            persona_actor(world, "personale_comune"), edition, all_right(questions) | {questions[0].pk: 7}
        )
    assert not TestAttempt.objects.exists()


def test_the_test_opens_only_once_all_the_sessions_are_held(client, world, course):
    edition, questions = course[1], course[3]
    Session.objects.create(
        edition=edition,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        place="Sala consiliare",
    )
    with pytest.raises(ValidationError, match="Il test si apre quando tutte le sessioni si sono svolte."):
        services.take_test(persona_actor(world, "personale_comune"), edition, all_right(questions))
    page = login(client, world, "personale_comune").get(reverse("training:final_test", args=[edition.pk]))
    assert "Il test si apre quando tutte le sessioni si sono svolte." in page.content.decode()
    assert 'id="test-form"' not in page.content.decode()
    assert not TestAttempt.objects.exists()


def test_a_person_not_enrolled_does_not_take_the_test(client, world, course):
    edition, enrolments, questions = course[1], course[2], course[3]
    services.cancel_enrolment(persona_actor(world, "personale_comune"), enrolments[0])
    with pytest.raises(ValidationError, match="Solo i partecipanti iscritti"):
        services.take_test(persona_actor(world, "personale_comune"), edition, all_right(questions))
    for persona in ("personale_comune", "referente_comune"):
        page = login(client, world, persona).get(reverse("training:final_test", args=[edition.pk]))
        assert page.status_code == 403
    assert not TestAttempt.objects.exists()


def test_an_edition_without_final_test_has_no_test_to_take(world, course):
    edition, questions = course[1], course[3]
    Edition.objects.filter(pk=edition.pk).update(final_test=False)
    edition.refresh_from_db()
    with pytest.raises(ValidationError, match="Questa edizione non ha un test finale."):
        services.take_test(persona_actor(world, "personale_comune"), edition, all_right(questions))
    assert not TestAttempt.objects.exists()


def test_a_second_attempt_only_when_the_office_allows_it(client, world, course):
    _office, edition, enrolments, questions = course
    participant = persona_actor(world, "personale_comune")
    wrong = {question.pk: 0 for question in questions}
    services.take_test(participant, edition, wrong)
    with pytest.raises(ValidationError, match="Hai già svolto il test."):
        services.take_test(participant, edition, all_right(questions))
    login(client, world, "funzionario_formazione")
    client.post(reverse("training:test_retry", args=[edition.pk]), {"consenti": "1"})
    edition.refresh_from_db()
    assert edition.test_retry
    second = services.take_test(participant, edition, all_right(questions))
    assert (second.number, second.passed) == (2, True)
    enrolments[0].refresh_from_db()
    assert enrolments[0].test_score_percent == 100
    with pytest.raises(ValidationError, match="Hai già svolto il test."):
        services.take_test(participant, edition, all_right(questions))
    assert TestAttempt.objects.count() == 2


# --- The satisfaction questionnaire -------------------------------------------------------------------------


@pytest.fixture
def completed(world, course):
    """The course completed by both participants (the test dropped, so that both complete)."""
    office, edition, enrolments, _questions = course
    Edition.objects.filter(pk=edition.pk).update(final_test=False)
    services.complete_edition(office, edition)
    edition.refresh_from_db()
    return edition, enrolments


def answer(world, edition, **answers):
    return services.answer_satisfaction(persona_actor(world, "personale_comune"), edition, RATINGS | answers)


def test_a_participant_answers_the_questionnaire_once_from_its_pages(client, world, completed):
    edition, enrolments = completed
    login(client, world, "personale_comune")
    url = reverse("training:satisfaction", args=[edition.pk])
    assert url in client.get(reverse("training:edition_detail", args=[edition.pk])).content.decode()
    assert url in client.get(reverse("training:my_hours")).content.decode()
    page = client.get(url).content.decode()
    assert "Nel complesso, quanto è soddisfatto del corso?" in page and page.count('type="radio"') == 25
    assert not italian_problems(page)
    form = {f"q_{code}": value for code, value in RATINGS.items()} | {"q_comment": "Più esercitazioni."}
    response = client.post(url, form, follow=True)
    assert "Grazie: le tue risposte sono state registrate." in response.content.decode()
    saved = SatisfactionResponse.objects.get(enrolment=enrolments[0])
    assert saved.overall == 4 and saved.answers["comment"] == "Più esercitazioni."
    assert url not in client.get(reverse("training:my_hours")).content.decode()
    again = client.post(url, form)
    assert "Hai già risposto: grazie." in again.content.decode()
    assert SatisfactionResponse.objects.count() == 1


def test_a_missing_rating_is_refused_and_nothing_is_recorded(client, world, completed):
    edition = completed[0]
    login(client, world, "personale_comune")
    form = {f"q_{code}": value for code, value in RATINGS.items() if code != "teachers"}
    response = client.post(reverse("training:satisfaction", args=[edition.pk]), form)
    assert response.status_code == 400 and "Questa risposta è obbligatoria." in response.content.decode()
    with pytest.raises(ValidationError):
        answer(world, edition, overall="9")
    assert not SatisfactionResponse.objects.exists()


def test_only_who_completed_answers_and_only_after_the_completion(client, world, course):
    edition = course[1]
    with pytest.raises(ValidationError, match="Solo chi ha completato l'edizione"):
        answer(world, edition)
    assert (
        login(client, world, "personale_comune")
        .get(reverse("training:satisfaction", args=[edition.pk]))
        .status_code
        == 403
    )
    assert not SatisfactionResponse.objects.exists()


def test_the_office_reads_the_averages_the_count_and_the_comments(client, world, completed):
    edition, enrolments = completed
    answer(world, edition, comment="Docenti chiari.")
    SatisfactionResponse.objects.create(
        survey=edition.satisfaction_survey,
        enrolment=enrolments[1],
        overall=3,
        answers=RATINGS | {"overall": "3", "teachers": "2", "comment": None},
    )
    login(client, world, "funzionario_formazione")
    detail = client.get(reverse("training:edition_detail", args=[edition.pk])).content.decode()
    url = reverse("training:satisfaction_results", args=[edition.pk])
    assert url in detail and "2 partecipanti hanno risposto al questionario." in detail
    page = client.get(url).content.decode()
    assert "Risposte: 2 su 2 partecipanti" in page
    assert (
        "3,50" in page and "Docenti chiari." in page
    )  # overall (4 + 3) / 2; the teachers (4 + 2) / 2 = 3,00
    assert "3,00" in page and "Nome0" not in page
    assert not italian_problems(page)
    for persona in ("referente_comune", "personale_comune"):
        assert login(client, world, persona).get(url).status_code == 403


def test_the_dashboards_satisfaction_averages_the_overall_ratings_in_one_query(
    world, completed, django_assert_num_queries
):
    """``figures.satisfaction_by``, which the dashboards call: (4 + 5) / 2 from two answers, grouped by the
    Province that ran the edition or by the participant's own body; nothing for another Province's editions
    or another year."""
    edition, enrolments = completed
    answer(world, edition)
    SatisfactionResponse.objects.create(
        survey=edition.satisfaction_survey,
        enrolment=enrolments[1],
        overall=5,
        answers=RATINGS | {"overall": "5"},
    )
    year = Completion.objects.get(enrolment=enrolments[0]).completed_on.year
    every = Enrolment.objects.all()
    with django_assert_num_queries(1):
        by_province = satisfaction_by(every, "edition__module__province")
    assert by_province == {world.home.province_org.pk: Satisfaction(Decimal("4.50"), 2)}
    elsewhere = every.filter(edition__module__province=world.elsewhere.province_org)
    assert satisfaction_by(elsewhere, "edition__module__province") == {}
    assert (
        satisfaction_by(every.filter(completion__completed_on__year=year + 1), "person__organization") == {}
    )
    by_body = satisfaction_by(every.filter(completion__completed_on__year=year), "person__organization")
    assert by_body == {world.home.comune.pk: Satisfaction(Decimal("4.50"), 2)}


# --- Revocation ---------------------------------------------------------------------------------------------


def test_the_office_revokes_a_certificate_with_a_reason_and_its_page_then_says_revoked(
    client, world, completed
):
    edition, enrolments = completed
    completion = Completion.objects.get(enrolment=enrolments[0])
    login(client, world, "funzionario_formazione")
    url = reverse("training:certificate_revoke", args=[completion.code])
    assert url in client.get(reverse("training:edition_detail", args=[edition.pk])).content.decode()
    page = client.get(url).content.decode()
    assert completion.code in page and not italian_problems(page)
    missing = client.post(url, {"reason": "", "confirm": "on"})
    unconfirmed = client.post(url, {"reason": "Presenze dichiarate per errore."})
    assert missing.status_code == unconfirmed.status_code == 400
    completion.refresh_from_db()
    assert completion.revoked_at is None
    response = client.post(url, {"reason": "Presenze dichiarate per errore.", "confirm": "on"}, follow=True)
    assert "L'attestato è stato revocato" in html.unescape(response.content.decode())
    assert "Revocato" in response.content.decode()
    client.logout()
    public = client.get(reverse("training:certificate_verify", args=[completion.code])).content.decode()
    assert 'data-status="revoked"' in public and "Presenze dichiarate per errore." in public


def test_only_the_office_that_issued_it_revokes_a_certificate(client, world, completed):
    completion = Completion.objects.get(enrolment=completed[1][0])
    url = reverse("training:certificate_revoke", args=[completion.code])
    for persona, status in (("referente_comune", 403), ("personale_comune", 403), ("referente_unione", 404)):
        response = login(client, world, persona).post(url, {"reason": "x", "confirm": "on"})
        assert response.status_code == status, persona
    completion.refresh_from_db()
    assert completion.revoked_at is None
