"""Pages of the responses: the Comune's response form (draft, submit, ask to reopen), a response read-only
with the Province's reopen action, and the file answers streamed to the response's readers."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.insights import forms, selectors
from casacomuni.insights.models import Answer, CampaignState, QuestionKind, Response
from casacomuni.insights.services import responses as response_services
from casacomuni.insights.views._common import get_campaign, is_officer, require_reader, require_respondent


def answers_of(response: Response | None) -> dict:
    if response is None:
        return {}
    return {a.question.code: a.value for a in response.answers.select_related("question")}


def files_of(response: Response | None) -> dict:
    if response is None:
        return {}
    return {
        a.question.code: a
        for a in response.answers.select_related("question").filter(question__kind=QuestionKind.FILE)
        if a.file
    }


def response_context(campaign, response, form, questions) -> dict:
    stored_files = files_of(response)
    sections = {}
    for question in questions:
        condition = question.visible_if or {}
        equals = condition.get("equals")
        equals = {True: "yes", False: "no"}.get(equals, equals) if isinstance(equals, bool) else equals
        sections.setdefault(question.section, []).append(
            {
                "question": question,
                "field": form[forms.field_name(question.code)],
                "show_if": forms.field_name(condition["question"]) if condition.get("question") else "",
                "show_equals": "" if equals is None else str(equals),
                "group": question.kind
                in (QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE),
                "stored": stored_files.get(question.code),
            }
        )
    return {
        "campaign": campaign,
        "response": response,
        "form": form,
        "sections": list(sections.items()),
        "reopen_form": forms.ReopenForm(prefix="reopen"),
    }


@login_required
def response_form(request, pk):
    """The Comune fills in its response: save a draft or submit; read-only once submitted."""
    require_respondent(request.user)
    campaign = get_campaign(request, pk)
    comune = tenancy.acting_organization(request.user)
    response = Response.objects.for_user(request.user).filter(campaign=campaign, organization=comune).first()
    questions = list(campaign.questionnaire.questions.select_related("section"))
    editable = campaign.state == CampaignState.SENT and (response is None or response.is_editable)
    form = forms.ResponseForm(
        request.POST or None,
        request.FILES or None,
        questions=questions,
        answers=answers_of(response),
        disabled=not editable,
        owner=request.user,
    )
    status = 200
    if request.method == "POST":
        submit = "submit" in request.POST
        form.is_valid()
        clear = tuple(code for code in files_of(response) if request.POST.get(f"clear_{code}"))
        try:
            response = response_services.save_response(
                Actor.from_request(request),
                campaign,
                form.raw_answers(),
                submit=submit,
                files=form.uploads(),
                clear_files=clear,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_answer_errors(error.message_dict)
            else:
                form.add_error(None, " ".join(error.messages))
            status = 400
        else:
            form.forget_kept_uploads()
            messages.success(
                request, _("Your answers were submitted.") if submit else _("Your draft was saved.")
            )
            return redirect("insights:response_form", pk=campaign.pk)
    context = response_context(campaign, response, form, questions)
    context["editable"] = editable
    return render(request, "insights/response_form.html", context, status=status)


@require_POST
@login_required
def response_request_reopen(request, pk):
    require_respondent(request.user)
    campaign = get_campaign(request, pk)
    response = get_object_or_404(Response.objects.for_user(request.user), campaign=campaign)
    form = forms.ReopenForm(request.POST, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("Say what you need to change."))
    else:
        try:
            response_services.request_reopen(
                Actor.from_request(request), response, form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your request to reopen the response was sent to the Province."))
    return redirect("insights:response_form", pk=campaign.pk)


def get_response(request, pk) -> Response:
    require_reader(request.user)
    return get_object_or_404(
        Response.objects.for_user(request.user).select_related("campaign__questionnaire", "organization"),
        pk=pk,
    )


@login_required
def response_detail(request, pk):
    """A response read-only, with the reopen action for the Province."""
    response = get_response(request, pk)
    questions = list(response.campaign.questionnaire.questions.select_related("section"))
    values = answers_of(response)
    rows = selectors.answer_rows(questions, values)
    context = {
        "response": response,
        "campaign": response.campaign,
        "rows": rows,
        "files": files_of(response),
        "officer": is_officer(request.user),
        "reopen_form": forms.OptionalReasonForm(prefix="reopen"),
    }
    return render(request, "insights/response_detail.html", context)


@require_POST
@login_required
def response_reopen(request, pk):
    require_reader(request.user, officer_only=True)
    response = get_response(request, pk)
    form = forms.OptionalReasonForm(request.POST, prefix="reopen")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        response_services.reopen_response(Actor.from_request(request), response, reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The response is reopened: the Comune may change it and submit it again.")
        )
    return redirect("insights:response_detail", pk=response.pk)


@login_required
def answer_file(request, pk, question_pk):
    """A file answer, streamed to the response's readers only."""
    response = get_response(request, pk)
    answer = get_object_or_404(
        Answer.objects.filter(response=response).exclude(file=""), question_id=question_pk
    )
    return FileResponse(
        answer.file.open("rb"),
        as_attachment=True,
        filename=answer.original_name or PurePosixPath(answer.file.name).name,
    )
