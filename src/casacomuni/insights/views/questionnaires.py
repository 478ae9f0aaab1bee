"""Pages of the questionnaire builder: the list of built-in templates and the Province's own questionnaires,
a questionnaire's sections and questions (added, moved and removed in place with htmx) beside the preview
of the questionnaire as a Comune sees it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts.actor import Actor
from casacomuni.insights import forms
from casacomuni.insights.models import Question, QuestionKind, Questionnaire, Section
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.views._common import require_reader
from casacomuni.lib.forms import refused


@login_required
def questionnaire_list(request):
    require_reader(request.user, officer_only=True)
    questionnaire_services.builtin_templates()
    questionnaires = (
        Questionnaire.objects.for_user(request.user)
        .select_related("based_on")
        .order_by("province", "title", "-version")
    )
    builtin = [q for q in questionnaires if q.is_builtin]
    own = [q for q in questionnaires if not q.is_builtin]
    form = forms.QuestionnaireForm()
    return render(request, "insights/questionnaire_list.html", {"builtin": builtin, "own": own, "form": form})


@login_required
def questionnaire_create(request):
    require_reader(request.user, officer_only=True)
    form = forms.QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = questionnaire_services.create_questionnaire(
                Actor.from_request(request), form.to_data()
            )
        except ValidationError as error:
            refused(form, error)
        else:
            return redirect("insights:questionnaire_detail", pk=questionnaire.pk)
    return render(
        request, "insights/questionnaire_form.html", {"form": form}, status=400 if form.errors else 200
    )


def get_questionnaire(request, pk) -> Questionnaire:
    require_reader(request.user, officer_only=True)
    return get_object_or_404(Questionnaire.objects.for_user(request.user), pk=pk)


def builder_context(questionnaire: Questionnaire, add_forms: dict | None = None) -> dict:
    """The builder's sections, each with its questions and inline form, and the preview of the questionnaire
    as a Comune will fill it in: two queries for the questions whatever their number."""
    sections = list(questionnaire.sections.prefetch_related("questions"))
    add_forms = add_forms or {}
    questions = [question for section in sections for question in section.questions.all()]
    preview = forms.ResponseForm(questions=questions, disabled=True, prefix="preview")
    return {
        "questionnaire": questionnaire,
        "locked": questionnaire.is_locked,
        "sections": [
            {
                "section": section,
                "questions": [
                    {"question": question, "preview": preview[forms.field_name(question.code)]}
                    for question in section.questions.all()
                ],
                "add_form": add_forms.get(section.pk)
                or forms.QuickQuestionForm(prefix=f"add-{section.pk}", initial={"kind": QuestionKind.TEXT}),
            }
            for section in sections
        ],
    }


def builder_reply(request, questionnaire, message: str, *, status: int = 200, add_forms: dict | None = None):
    """After a change in the builder: htmx gets the builder again (list, forms and preview) and the message for
    the live region; a plain form post goes back to the page."""
    if request.htmx:
        context = {**builder_context(questionnaire, add_forms), "status_message": message}
        return render(request, "insights/_builder.html", context, status=status)
    if status >= 400 and add_forms:
        return questionnaire_page(request, questionnaire, builder_context(questionnaire, add_forms), status)
    (messages.error if status >= 400 else messages.success)(request, message)
    return redirect("insights:questionnaire_detail", pk=questionnaire.pk)


def questionnaire_page(request, questionnaire, builder: dict, status: int = 200, form=None):
    form = form or forms.QuestionnaireForm(
        initial={"title": questionnaire.title, "description": questionnaire.description}
    )
    context = {**builder, "form": form, "section_form": forms.SectionForm(prefix="section")}
    return render(request, "insights/questionnaire_detail.html", context, status=status)


@login_required
def questionnaire_detail(request, pk):
    """The builder: title, sections and questions (added, moved and removed in place with htmx) beside the
    preview of the questionnaire as a Comune sees it."""
    questionnaire = get_questionnaire(request, pk)
    form = forms.QuestionnaireForm(
        request.POST or None, initial={"title": questionnaire.title, "description": questionnaire.description}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                questionnaire_services.update_questionnaire(
                    Actor.from_request(request), questionnaire, form.to_data()
                )
            except ValidationError as error:
                refused(form, error)
            else:
                messages.success(request, _("The questionnaire was saved."))
                return redirect("insights:questionnaire_detail", pk=questionnaire.pk)
        status = 400
    return questionnaire_page(request, questionnaire, builder_context(questionnaire), status, form)


@require_POST
@login_required
def questionnaire_copy(request, pk):
    source = get_questionnaire(request, pk)
    copy = questionnaire_services.copy_questionnaire(Actor.from_request(request), source)
    messages.success(request, _("The copy is yours to change."))
    return redirect("insights:questionnaire_detail", pk=copy.pk)


@require_POST
@login_required
def section_create(request, pk):
    questionnaire = get_questionnaire(request, pk)
    form = forms.SectionForm(request.POST, prefix="section")
    if form.is_valid():
        try:
            questionnaire_services.save_section(Actor.from_request(request), questionnaire, form.to_data())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The section was added."))
    else:
        messages.error(request, _("Give the section a title."))
    return redirect("insights:questionnaire_detail", pk=questionnaire.pk)


def get_section(request, pk) -> Section:
    require_reader(request.user, officer_only=True)
    return get_object_or_404(
        Section.objects.filter(questionnaire__in=Questionnaire.objects.for_user(request.user)).select_related(
            "questionnaire"
        ),
        pk=pk,
    )


@require_POST
@login_required
def section_delete(request, pk):
    section = get_section(request, pk)
    try:
        questionnaire_services.delete_section(Actor.from_request(request), section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The section was deleted."))
    return redirect("insights:questionnaire_detail", pk=section.questionnaire_id)


@login_required
def question_create(request, pk):
    section = get_section(request, pk)
    return question_page(request, section, None)


def get_question(request, pk) -> Question:
    require_reader(request.user, officer_only=True)
    return get_object_or_404(
        Question.objects.filter(
            questionnaire__in=Questionnaire.objects.for_user(request.user)
        ).select_related("section__questionnaire"),
        pk=pk,
    )


@login_required
def question_edit(request, pk):
    question = get_question(request, pk)
    return question_page(request, question.section, question)


def question_page(request, section, question):
    questionnaire = section.questionnaire
    initial = forms.QuestionForm.initial_from(question) if question else {"decimal_places": 2}
    form = forms.QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire_services.save_question(
                Actor.from_request(request), section, form.to_data(), question
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("insights:questionnaire_detail", pk=questionnaire.pk)
    context = {
        "form": form,
        "section": section,
        "question": question,
        "questionnaire": questionnaire,
        "locked": questionnaire.is_locked,
    }
    return render(request, "insights/question_form.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def question_add(request, pk):
    """The builder's inline form: a new question at the end of the section."""
    section = get_section(request, pk)
    form = forms.QuickQuestionForm(request.POST, prefix=f"add-{section.pk}")
    if form.is_valid():
        try:
            question = questionnaire_services.save_question(
                Actor.from_request(request), section, form.to_data()
            )
        except ValidationError as error:
            refused(form, error)
        else:
            message = _("The question “%(text)s” was added.") % {"text": question.text}
            return builder_reply(request, section.questionnaire, message)
    message = _("The question was not added: correct the form.")
    return builder_reply(request, section.questionnaire, message, status=400, add_forms={section.pk: form})


@require_POST
@login_required
def question_move(request, pk):
    """One place up or down in its section ("Sposta su", "Sposta giù": usable from the keyboard)."""
    question = get_question(request, pk)
    try:
        question = questionnaire_services.move_question(
            Actor.from_request(request), question, request.POST.get("direction", "")
        )
    except ValidationError as error:
        return builder_reply(request, question.section.questionnaire, " ".join(error.messages), status=400)
    count = question.section.questions.count()
    message = _("“%(text)s” is now question %(position)d of %(count)d.") % {
        "text": question.text,
        "position": question.order,
        "count": count,
    }
    return builder_reply(request, question.section.questionnaire, message)


@require_POST
@login_required
def question_delete(request, pk):
    question = get_question(request, pk)
    try:
        questionnaire_services.delete_question(Actor.from_request(request), question)
    except ValidationError as error:
        return builder_reply(request, question.section.questionnaire, " ".join(error.messages), status=400)
    return builder_reply(request, question.section.questionnaire, _("The question was deleted."))
