"""The pages that close an edition: the training office writes the questions of a module's final test and
allows a second attempt; a participant takes the test once the sessions are held and, after completing the
edition, answers its satisfaction questionnaire (the campaigns' questionnaire engine renders and checks it);
the office reads the results and revokes a certificate.

Thin views: reads through the models' ``for_user`` (404 for another tenant's rows), writes through
``training.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts.actor import Actor
from casacomuni.insights.forms import ResponseForm
from casacomuni.lib.forms import refused
from casacomuni.training import satisfaction, services
from casacomuni.training.forms import RevokeForm, TestQuestionForm
from casacomuni.training.models import (
    Completion,
    Module,
    SatisfactionResponse,
    SatisfactionSurvey,
    TestAttempt,
    TestQuestion,
)
from casacomuni.training.views.catalogue import get_edition, get_module, office_of, require_office

# --- The questions of a module's final test (the training office) -------------------------------------------


def office_module(request, module: Module) -> Module:
    if module.province_id != require_office(request.user).pk:
        raise PermissionDenied
    return module


def questions_page(request, module, form, question=None, status=200):
    context = {
        "module": module,
        "questions": module.test_questions.all(),
        "form": form,
        "question": question,
        "locked": TestAttempt.objects.filter(enrolment__edition__module=module).exists(),
    }
    return render(request, "training/test_questions.html", context, status=status)


def save_question(request, module, question=None):
    initial = TestQuestionForm.initial_from(question) if question is not None else None
    form = TestQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_test_question(
                Actor.from_request(request), module, *form.to_args(), question=question
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("training:test_questions", pk=module.pk)
    return questions_page(request, module, form, question, status=400 if request.method == "POST" else 200)


@login_required
def test_questions(request, pk):
    """The module's questions, and a form to add one."""
    return save_question(request, office_module(request, get_module(request, pk)))


def get_question(request, pk) -> TestQuestion:
    questions = TestQuestion.objects.filter(module__in=Module.objects.for_user(request.user))
    question = get_object_or_404(questions.select_related("module"), pk=pk)
    office_module(request, question.module)
    return question


@login_required
def test_question_edit(request, pk):
    question = get_question(request, pk)
    return save_question(request, question.module, question)


@login_required
@require_POST
def test_question_delete(request, pk):
    question = get_question(request, pk)
    try:
        services.delete_test_question(Actor.from_request(request), question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The question was removed."))
    return redirect("training:test_questions", pk=question.module_id)


@login_required
@require_POST
def test_retry(request, pk):
    edition = get_edition(request, pk)
    allowed = request.POST.get("consenti") == "1"
    try:
        services.set_test_retry(Actor.from_request(request), edition, allowed)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Who does not pass may try the test once more.")
            if allowed
            else _("The test can be taken once only."),
        )
    return redirect("training:edition_detail", pk=edition.pk)


# --- The participant takes the test -------------------------------------------------------------------------


def chosen_options(post, questions) -> dict[int, int]:
    chosen = {}
    for question in questions:
        try:
            chosen[question.pk] = int(post.get(f"risposta_{question.pk}", ""))
        except ValueError:
            continue
    return chosen


@login_required
def final_test(request, pk):
    """The test as radio groups (one per question) while the participant may take it; the attempts made."""
    edition = get_edition(request, pk)
    actor = Actor.from_request(request)
    enrolment = services.own_enrolment(actor, edition)
    if enrolment is None:
        raise PermissionDenied(_("Only the participants enrolled in the edition take its test."))
    questions = list(edition.module.test_questions.all())
    chosen, error, status = {}, "", 200
    if request.method == "POST":
        chosen = chosen_options(request.POST, questions)
        try:
            attempt = services.take_test(actor, edition, chosen)
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
        else:
            outcome = _("Passed.") if attempt.passed else _("Not passed.")
            messages.success(
                request,
                _("You answered %(correct)s questions out of %(total)s correctly: %(score)s%%.")
                % {"correct": attempt.correct, "total": attempt.total, "score": attempt.score_percent}
                + " "
                + outcome,
            )
            return redirect("training:final_test", pk=edition.pk)
    for question in questions:
        question.chosen = chosen.get(question.pk)
    context = {
        "edition": edition,
        "module": edition.module,
        "questions": questions,
        "problem": services.final_test_problem(edition, enrolment),
        "attempts": enrolment.test_attempts.all(),
        "error": error,
    }
    return render(request, "training/final_test.html", context, status=status)


# --- The satisfaction questionnaire -------------------------------------------------------------------------


@login_required
def satisfaction_form(request, pk):
    """A participant who completed the edition answers once; the form is the questionnaire engine's."""
    edition = get_edition(request, pk)
    actor = Actor.from_request(request)
    enrolment = services.completed_enrolment(actor, edition)
    if enrolment is None:
        raise PermissionDenied(_("Only who completed the edition answers its questionnaire."))
    survey = SatisfactionSurvey.objects.filter(edition=edition).first()
    version = survey.version if survey is not None else satisfaction.VERSION
    form = ResponseForm(request.POST or None, questions=satisfaction.questions(version))
    status = 200
    if request.method == "POST":
        try:
            services.answer_satisfaction(actor, edition, form.raw_answers())
        except ValidationError as error:
            form.is_valid()
            if hasattr(error, "error_dict"):
                form.add_answer_errors(error.message_dict)
            else:
                form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("Thank you: your answers were recorded."))
            return redirect("training:edition_detail", pk=edition.pk)
    fields = {field.name: field for field in form}
    context = {
        "edition": edition,
        "module": edition.module,
        "form": form,
        "sections": [
            (title, [fields[f"q_{question.code}"] for question in items])
            for title, items in satisfaction.sections(version)
        ],
        "problem": services.satisfaction_problem(enrolment),
    }
    return render(request, "training/satisfaction_form.html", context, status=status)


@login_required
def satisfaction_results(request, pk):
    """The training office: per question the average rating, how many answered, the comments (unsigned)."""
    edition = get_edition(request, pk)
    if edition.module.province_id != require_office(request.user).pk:
        raise PermissionDenied
    survey = SatisfactionSurvey.objects.filter(edition=edition).first()
    answers = list(survey.responses.values_list("answers", flat=True)) if survey else []
    context = {
        "edition": edition,
        "module": edition.module,
        "survey": survey,
        "results": satisfaction.results(answers, survey.version if survey else satisfaction.VERSION),
        "completed": Completion.objects.filter(enrolment__edition=edition).count(),
    }
    return render(request, "training/satisfaction_results.html", context)


# --- Revocation of a certificate ----------------------------------------------------------------------------


@login_required
def certificate_revoke(request, code):
    """The completion's page for the training office that issued it: what it certifies and, while it is
    valid, the revocation (a reason and a confirmation)."""
    completions = Completion.objects.for_user(request.user).select_related(
        "person__organization", "enrolment__edition__module"
    )
    completion = get_object_or_404(completions, code=code)
    edition = completion.enrolment.edition
    if office_of(request.user) is None or edition.module.province_id != office_of(request.user).pk:
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(Actor.from_request(request), completion, form.cleaned_data["reason"])
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The certificate was revoked: its verification page says so."))
            return redirect("training:edition_detail", pk=edition.pk)
    context = {"completion": completion, "edition": edition, "module": edition.module, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "training/certificate_revoke.html", context, status=status)


# --- What the edition page shows of the above ---------------------------------------------------------------


def edition_extras(request, edition, office: bool, mine) -> dict:
    """For the edition page: to the office the test's questions, the second attempt, the certificates with
    their revocation and the satisfaction results; to a participant the test and the questionnaire."""
    survey = SatisfactionSurvey.objects.filter(edition=edition).first()
    extras = {"survey": survey}
    if office:
        extras["certificates"] = Completion.objects.filter(enrolment__edition=edition).select_related(
            "person"
        )
        extras["test_questions_count"] = edition.module.test_questions.count()
        extras["answers_count"] = survey.responses.count() if survey else 0
    elif mine is not None:
        extras["completed"] = Completion.objects.filter(enrolment=mine).exists()
        extras["answered"] = SatisfactionResponse.objects.filter(enrolment=mine).exists()
    return extras


def with_satisfaction(completions):
    """Completions (a person's own) annotated with whether their edition's questionnaire is open and whether
    the person already answered it: the link on the person's page."""
    return completions.annotate(
        survey_open=Exists(SatisfactionSurvey.objects.filter(edition=OuterRef("enrolment__edition"))),
        answered=Exists(SatisfactionResponse.objects.filter(enrolment=OuterRef("enrolment"))),
    )
