"""Pages of data collection: the questionnaire builder, campaigns and their completion, the Comune's response
form, exports, and the digital services catalogue.

Thin views: they read through ``for_user`` (404 for others' objects) and write only through
``insights.services``; a role that may not use a page gets 403.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.insights import exports, forms, selectors, services
from casacomuni.insights.models import (
    Answer,
    Campaign,
    CampaignState,
    DigitalService,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Section,
    ServiceAdoption,
    data_province,
    respondent_comune,
)

PAGE_SIZE = 50


def is_officer(user) -> bool:
    return data_province(user) is not None


def require_respondent(user) -> None:
    if respondent_comune(user) is None:
        raise PermissionDenied


def require_reader(user, officer_only: bool = False) -> None:
    """403 unless the user acts as a data officer of a Province or (``officer_only`` false) for a Comune as
    its referent or staff; a Unione's referent is not a respondent."""
    if data_province(user) is None and (officer_only or respondent_comune(user) is None):
        raise PermissionDenied


def refused(form, error: ValidationError) -> None:
    """A service's refusal on the form: per field when it named fields the form has."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- Campaigns ---------------------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    """The Province's campaigns (officers) or the campaigns sent to the Comune, with its response's state."""
    require_reader(request.user)
    officer = is_officer(request.user)
    campaigns = Campaign.objects.for_user(request.user).select_related("questionnaire")
    if officer:
        campaigns = selectors.with_completion(campaigns)
    page = Paginator(campaigns.order_by("-year", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if not officer:
        selectors.attach_own_responses(page.object_list, tenancy.acting_organization(request.user))
    return render(request, "insights/campaign_list.html", {"page": page, "officer": officer})


@login_required
def campaign_create(request):
    require_reader(request.user, officer_only=True)
    province = tenancy.acting_organization(request.user)
    questionnaires = selectors.questionnaires_for_campaign(request.user)
    comuni = list(services.province_comuni(province).order_by("name"))
    initial = {"questionnaire": request.GET.get("questionnaire")}
    form = forms.CampaignForm(
        request.POST or None, questionnaires=questionnaires, comuni=comuni, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(Actor.from_request(request), form.data_for_service())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The campaign was created: check it, then send it to the Comuni."))
            return redirect("insights:campaign_detail", pk=campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "insights/campaign_form.html", {"form": form}, status=status)


def get_campaign(request, pk, officer_only=False) -> Campaign:
    require_reader(request.user, officer_only)
    return get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("province", "questionnaire"), pk=pk
    )


@login_required
def campaign_detail(request, pk):
    """The officer's view: the campaign, its completion per Comune, its actions and exports. A Comune is sent
    to its response."""
    campaign = get_campaign(request, pk)
    if not is_officer(request.user):
        return redirect("insights:response_form", pk=campaign.pk)
    rows = selectors.completion_rows(campaign)
    context = {
        "campaign": campaign,
        "rows": rows,
        "summary": selectors.completion_summary(rows),
        "scored": bool(campaign.questionnaire.template_code == "maturita_digitale"),
    }
    return render(request, "insights/campaign_detail.html", context)


CAMPAIGN_ACTIONS = {"send": services.send_campaign, "close": services.close_campaign}
CAMPAIGN_DONE = {
    "send": gettext_lazy("The campaign was sent to the Comuni."),
    "close": gettext_lazy("The campaign is closed."),
}


@require_POST
@login_required
def campaign_action(request, pk, action):
    campaign = get_campaign(request, pk, officer_only=True)
    if action not in CAMPAIGN_ACTIONS:
        raise Http404
    try:
        CAMPAIGN_ACTIONS[action](Actor.from_request(request), campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(CAMPAIGN_DONE[action]))
    return redirect("insights:campaign_detail", pk=campaign.pk)


@login_required
def campaign_export(request, pk, fmt):
    campaign = get_campaign(request, pk, officer_only=True)
    table = exports.answers_table(campaign)
    name = exports.file_name(campaign)
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(table, campaign),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404


@login_required
def editions(request):
    """The maturity index of each Comune edition by edition (campaigns of the maturity template)."""
    require_reader(request.user, officer_only=True)
    comparison = selectors.maturity_editions(request.user)
    return render(request, "insights/editions.html", comparison)


# --- Responses ---------------------------------------------------------------------------------------------


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
            response = services.save_response(
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
            services.request_reopen(Actor.from_request(request), response, form.cleaned_data["reason"])
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
        services.reopen_response(Actor.from_request(request), response, reason)
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


# --- Questionnaire builder ---------------------------------------------------------------------------------


@login_required
def questionnaire_list(request):
    require_reader(request.user, officer_only=True)
    services.builtin_templates()
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
            questionnaire = services.create_questionnaire(Actor.from_request(request), form.cleaned_data)
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
                services.update_questionnaire(Actor.from_request(request), questionnaire, form.cleaned_data)
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
    copy = services.copy_questionnaire(Actor.from_request(request), source)
    messages.success(request, _("The copy is yours to change."))
    return redirect("insights:questionnaire_detail", pk=copy.pk)


@require_POST
@login_required
def section_create(request, pk):
    questionnaire = get_questionnaire(request, pk)
    form = forms.SectionForm(request.POST, prefix="section")
    if form.is_valid():
        try:
            services.save_section(Actor.from_request(request), questionnaire, form.cleaned_data)
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
        services.delete_section(Actor.from_request(request), section)
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
            services.save_question(Actor.from_request(request), section, form.data_for_service(), question)
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
            question = services.save_question(Actor.from_request(request), section, form.data_for_service())
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
        question = services.move_question(
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
        services.delete_question(Actor.from_request(request), question)
    except ValidationError as error:
        return builder_reply(request, question.section.questionnaire, " ".join(error.messages), status=400)
    return builder_reply(request, question.section.questionnaire, _("The question was deleted."))


# --- Digital services catalogue ----------------------------------------------------------------------------


@login_required
def service_list(request):
    """The Province's catalogue; for a Comune, with its own adoption of each service."""
    require_reader(request.user)
    officer = is_officer(request.user)
    services_ = list(DigitalService.objects.for_user(request.user))
    selectors.attach_adoptions(services_, request.user, officer)
    form = forms.DigitalServiceForm(prefix="service") if officer else None
    return render(
        request, "insights/service_list.html", {"services": services_, "officer": officer, "form": form}
    )


@require_POST
@login_required
def service_create(request):
    require_reader(request.user, officer_only=True)
    form = forms.DigitalServiceForm(request.POST, prefix="service")
    if form.is_valid():
        try:
            service = services.save_digital_service(Actor.from_request(request), form.cleaned_data)
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The service was added to the catalogue."))
            return redirect("insights:service_detail", pk=service.pk)
    services_ = list(DigitalService.objects.for_user(request.user))
    selectors.attach_adoptions(services_, request.user, True)
    return render(
        request,
        "insights/service_list.html",
        {"services": services_, "officer": True, "form": form},
        status=400,
    )


@login_required
def service_detail(request, pk):
    """A service: the officer edits it and records adoptions; a Comune sees it and its own adoption."""
    require_reader(request.user)
    service = get_object_or_404(
        DigitalService.objects.for_user(request.user).select_related("province"), pk=pk
    )
    officer = is_officer(request.user)
    adoptions = (
        ServiceAdoption.objects.for_user(request.user).filter(service=service).select_related("organization")
    )
    context = {"service": service, "officer": officer, "adoptions": list(adoptions)}
    status = 200
    if officer:
        comuni = list(services.province_comuni(service.province).order_by("name"))
        edit_form = forms.DigitalServiceForm(
            request.POST if request.POST.get("form") == "service" else None,
            prefix="service",
            initial={
                "name": service.name,
                "category": service.category,
                "description": service.description,
                "url": service.url,
                "is_active": service.is_active,
            },
        )
        adoption_form = forms.AdoptionForm(
            request.POST if request.POST.get("form") == "adoption" else None, prefix="adoption", comuni=comuni
        )
        if request.method == "POST":
            form = edit_form if request.POST.get("form") == "service" else adoption_form
            if form.is_valid():
                try:
                    if form is edit_form:
                        services.save_digital_service(Actor.from_request(request), form.cleaned_data, service)
                    else:
                        services.record_adoption(Actor.from_request(request), service, form.cleaned_data)
                except ValidationError as error:
                    refused(form, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("insights:service_detail", pk=service.pk)
            status = 400
        context.update(edit_form=edit_form, adoption_form=adoption_form)
    return render(request, "insights/service_detail.html", context, status=status)
