"""Pages of the applications: the Comune flags interest and follows its applications, the Province's EU-funds
office proposes calls, forms the partnership, moves the pipeline and records the outcome.

Thin views: they read through ``Application.objects.for_user`` (404 for another tenant's) and write only
through ``applications.services``. Roles that read nothing here (UPI, other offices, operators) get 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.downloads import stream
from casacomuni.projects.applications import forms, services
from casacomuni.projects.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationTask,
)
from casacomuni.projects.parties import READER_ROLES, local_parties_of, office_of
from casacomuni.projects.rules import pipeline

PAGE_SIZE = 50

ACTION_LABELS = {
    pipeline.CONFIRM: gettext_lazy("Confirm the interest"),
    pipeline.ASSESS: gettext_lazy("Start the assessment"),
    pipeline.DESIGN: gettext_lazy("Start the design"),
    pipeline.SUBMIT: gettext_lazy("Record the submission"),
    pipeline.FUND: gettext_lazy("Record the funding"),
    pipeline.REJECT: gettext_lazy("Record that it was not funded"),
    pipeline.WITHDRAW: gettext_lazy("Withdraw"),
}
EVENT_LABELS = {
    "flag": gettext_lazy("Interest flagged by the Comune"),
    "propose": gettext_lazy("Call proposed by the office"),
    "update": gettext_lazy("Data changed"),
    "partner_add": gettext_lazy("Partner added"),
    "partner_remove": gettext_lazy("Partner removed"),
    "task_add": gettext_lazy("Task added"),
    "task_done": gettext_lazy("Task done"),
    "document_add": gettext_lazy("Document added"),
    **ACTION_LABELS,
}


def actor_of(request) -> Actor:
    return Actor.from_request(request)


def readable(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return Application.objects.for_user(request.user)


def get_application(request, pk) -> Application:
    return get_object_or_404(readable(request).select_related("call", "lead", "province"), pk=pk)


@login_required
def application_list(request):
    user = request.user
    queryset = readable(request).select_related("call", "lead")
    filter_form = forms.ApplicationFilterForm(request.GET or None, user=user)
    queryset = filter_form.filter(queryset).order_by("-updated_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "office": office_of(user) is not None,
    }
    return render(request, "projects/applications/list.html", context)


@login_required
def application_create(request):
    """The Comune flags interest in a call of its catalogue; the office proposes a call to an adhering Comune."""
    from casacomuni.eufunds.models import Call

    tenancy.require_role(request.user, *READER_ROLES)
    office = office_of(request.user)
    today = timezone.localdate()
    calls = Call.objects.for_user(request.user).open_on(today).order_by("deadline", "title")
    parties = services.adhering_parties(office, today) if office else None
    initial = {"call": request.GET.get("call")} if request.GET.get("call", "").isdigit() else None
    form = forms.NewApplicationForm(request.POST or None, calls=calls, parties=parties, initial=initial)
    error = ""
    if office is None:
        try:
            services.eu_funds_adhesion(tenancy.acting_organization(request.user), today)
        except AdhesionRequired as refused:
            error = str(refused)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if office:
                created = services.propose_call(
                    actor_of(request), data["call"].pk, data["lead"].pk, form.to_data()
                )
            else:
                created = services.flag_interest(actor_of(request), data["call"].pk, form.to_data())
        except AdhesionRequired as refused:
            error = str(refused)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, EVENT_LABELS["propose" if office else "flag"])
            return redirect("projects:application_detail", pk=created.pk)
    status = 400 if form.errors else 403 if error and request.method == "POST" else 200
    context = {"form": form, "error": error, "office": office is not None}
    return render(request, "projects/applications/create.html", context, status=status)


def timeline(application: Application) -> list[AuditEvent]:
    events = list(AuditEvent.objects.history_of(application, application.lead_id, "application"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action.removeprefix("application."), event.action)
        event.note = (event.changes.get("note") or [None, ""])[1]
    return events


def render_detail(request, application, bound=None, error="", status=200):
    """The application's page; ``bound`` maps a form's name to the bound form that was refused."""
    bound = bound or {}
    user = request.user
    side = services.acting_side(actor_of(request), application)
    is_office = side == pipeline.OFFICE
    actions = []
    for name in services.allowed_actions(user, application):
        form = bound.get(f"action-{name}") or forms.ActionForm(prefix=name)
        if name != pipeline.FUND:
            form.fields.pop("granted_amount", None)
        actions.append({"name": name, "label": ACTION_LABELS[name], "form": form})
    parties = local_parties_of(application.province) if is_office else None
    context = {
        "app": application,
        "side": side,
        "is_office": is_office,
        "partners": list(application.partners.select_related("organization")),
        "tasks": list(application.tasks.select_related("assignee")),
        "documents": list(application.documents.all()),
        "actions": actions,
        "timeline": timeline(application),
        "error": error,
        "project": getattr(application, "project", None) if application.status == pipeline.FUNDED else None,
    }
    open_application = not application.is_final
    if side and open_application:
        context["edit_form"] = bound.get("edit") or forms.ApplicationEditForm(
            instance=application, parties=parties, prefix="edit"
        )
        context["document_form"] = bound.get("document") or forms.DocumentForm(prefix="document")
    if is_office and open_application:
        context["partner_form"] = bound.get("partner") or forms.PartnerForm(
            parties=parties.exclude(pk=application.lead_id), prefix="partner"
        )
        context["task_form"] = bound.get("task") or forms.TaskForm(
            users=services.assignable_users(application), prefix="task"
        )
    return render(request, "projects/applications/detail.html", context, status=status)


@login_required
def application_detail(request, pk):
    return render_detail(request, get_application(request, pk))


def refused(request, application, name, form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        message = _("Please correct the errors below.")
    else:
        message = " ".join(error.messages)
    return render_detail(request, application, {name: form}, message, status=400)


@require_POST
@login_required
def application_action(request, pk, action):
    application = get_application(request, pk)
    if action not in pipeline.TRANSITIONS:
        raise Http404
    form = forms.ActionForm(request.POST, prefix=action)
    if not form.is_valid():
        return render_detail(
            request, application, {f"action-{action}": form}, _("Please correct the errors below."), 400
        )
    try:
        services.perform_action(actor_of(request), application, action, form.to_data())
    except ValidationError as error:
        return refused(request, application, f"action-{action}", form, error)
    messages.success(request, ACTION_LABELS[action])
    return redirect("projects:application_detail", pk=application.pk)


@login_required
def application_edit(request, pk):
    application = get_application(request, pk)
    if request.method != "POST":
        return redirect("projects:application_detail", pk=application.pk)
    is_office = office_of(request.user) is not None
    parties = local_parties_of(application.province) if is_office else None
    form = forms.ApplicationEditForm(
        request.POST, instance=Application.objects.get(pk=application.pk), parties=parties, prefix="edit"
    )
    if not form.is_valid():
        return render_detail(request, application, {"edit": form}, _("Please correct the errors below."), 400)
    try:
        services.update_application(actor_of(request), application, form.to_data())
    except ValidationError as error:
        return refused(request, application, "edit", form, error)
    messages.success(request, EVENT_LABELS["update"])
    return redirect("projects:application_detail", pk=application.pk)


@require_POST
@login_required
def application_partner_add(request, pk):
    application = get_application(request, pk)
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES)
    parties = local_parties_of(application.province).exclude(pk=application.lead_id)
    form = forms.PartnerForm(request.POST, parties=parties, prefix="partner")
    if not form.is_valid():
        return render_detail(
            request, application, {"partner": form}, _("Please correct the errors below."), 400
        )
    try:
        services.add_partner(actor_of(request), application, form.to_data())
    except ValidationError as error:
        return refused(request, application, "partner", form, error)
    messages.success(request, EVENT_LABELS["partner_add"])
    return redirect("projects:application_detail", pk=application.pk)


@require_POST
@login_required
def application_partner_remove(request, pk, partner_pk):
    application = get_application(request, pk)
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES)
    partner = get_object_or_404(ApplicationPartner.objects.filter(application=application), pk=partner_pk)
    try:
        services.remove_partner(actor_of(request), partner)
    except ValidationError as error:
        return render_detail(request, application, None, " ".join(error.messages), 400)
    messages.success(request, EVENT_LABELS["partner_remove"])
    return redirect("projects:application_detail", pk=application.pk)


@require_POST
@login_required
def application_task_add(request, pk):
    application = get_application(request, pk)
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES)
    form = forms.TaskForm(request.POST, users=services.assignable_users(application), prefix="task")
    if not form.is_valid():
        return render_detail(request, application, {"task": form}, _("Please correct the errors below."), 400)
    try:
        services.add_task(actor_of(request), application, form.to_data())
    except ValidationError as error:
        return refused(request, application, "task", form, error)
    messages.success(request, EVENT_LABELS["task_add"])
    return redirect("projects:application_detail", pk=application.pk)


@require_POST
@login_required
def application_task_done(request, pk, task_pk):
    application = get_application(request, pk)
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    task = get_object_or_404(ApplicationTask.objects.filter(application=application), pk=task_pk)
    services.complete_task(actor_of(request), task)
    messages.success(request, EVENT_LABELS["task_done"])
    return redirect("projects:application_detail", pk=application.pk)


@require_POST
@login_required
def application_document_add(request, pk):
    application = get_application(request, pk)
    form = forms.DocumentForm(request.POST, request.FILES, prefix="document", owner=request.user)
    if not form.is_valid():
        return render_detail(
            request, application, {"document": form}, _("Please correct the errors below."), 400
        )
    upload = services.Upload(form.cleaned_data["file"], form.cleaned_data["description"])
    try:
        services.add_document(actor_of(request), application, upload)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            form.keep_uploads()  # refused for no field's sake: the document is kept for the next try
        return refused(request, application, "document", form, error)
    form.forget_kept_uploads()
    messages.success(request, EVENT_LABELS["document_add"])
    return redirect("projects:application_detail", pk=application.pk)


@login_required
def application_document(request, pk, document_pk):
    """A document, streamed to the application's readers only (never from MEDIA_URL)."""
    application = get_application(request, pk)
    document = get_object_or_404(ApplicationDocument.objects.filter(application=application), pk=document_pk)
    return stream(document.file, document.original_name)
