"""Pages of the funded projects: list, the project's sheet with its financing, movements, phases, indicators,
PNRR items and expense statements, and the forms that add each; the procurement request to the SUA; the
projects as an OpenCoesione-compatible CSV.

Reads go through ``FundedProject.objects.for_user`` (404 for another tenant's), writes through
``funded.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.lib.downloads import stream
from casacomuni.projects.applications.models import Application, ApplicationStatus
from casacomuni.projects.funded import exports, forms
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.funded.models import Expense, FundedProject
from casacomuni.projects.parties import READER_ROLES, local_parties_of, office_of
from casacomuni.projects.rules import pnrr

PAGE_SIZE = 50


def readable(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return FundedProject.objects.for_user(request.user)


def get_project(request, pk) -> FundedProject:
    return get_object_or_404(
        readable(request).with_totals().select_related("beneficiary", "province", "application__call"), pk=pk
    )


@login_required
def project_list(request):
    queryset = readable(request).with_totals().select_related("beneficiary")
    filter_form = forms.ProjectFilterForm(request.GET or None, user=request.user)
    queryset = filter_form.filter(queryset).order_by("-created_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    office = office_of(request.user)
    context = {"page": page, "filter_form": filter_form, "office": office is not None}
    return render(request, "projects/projects/list.html", context)


def project_form_page(request, form, application=None, status=200):
    context = {"form": form, "application": application}
    return render(request, "projects/projects/form.html", context, status=status)


def save_project(request, form, application=None):
    try:
        project = project_services.create_project(Actor.from_request(request), form.to_data(), application)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form.add_error(None, error)
        return project_form_page(request, form, application, status=400)
    messages.success(request, _("The funded project was recorded."))
    return redirect("projects:project_detail", pk=project.pk)


@login_required
def project_create(request):
    """The office enters a project funded without an application through the office."""
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES)
    office = office_of(request.user)
    if office is None:
        raise PermissionDenied
    form = forms.ProjectForm(request.POST or None, parties=local_parties_of(office).order_by("name"))
    if request.method == "POST":
        if form.is_valid():
            return save_project(request, form)
        return project_form_page(request, form, status=400)
    return project_form_page(request, form)


@login_required
def application_project(request, pk):
    """The office turns a funded application into a funded project."""
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES)
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related("call", "lead"), pk=pk
    )
    if application.status != ApplicationStatus.FUNDED or hasattr(application, "project"):
        return redirect("projects:application_detail", pk=application.pk)
    initial = {"title": application.title, "programme": application.call.programme or application.call.funder}
    form = forms.ProjectForm(request.POST or None, initial=initial, from_application=True)
    if request.method == "POST":
        if form.is_valid():
            return save_project(request, form, application)
        return project_form_page(request, form, application, status=400)
    return project_form_page(request, form, application)


def render_project(request, project, bound=None, error="", status=200):
    bound = bound or {}
    side = project_services.acting_side(Actor.from_request(request), project)
    item_forms = []
    for kind, (model, _fields, sides, pnrr_only) in project_services.ITEMS.items():
        if side in sides and (project.is_pnrr or not pnrr_only):
            form = bound.get(kind) or forms.item_form(kind)(prefix=kind)
            item_forms.append({"kind": kind, "label": model._meta.verbose_name, "form": form})
    periods = list(project.periods.prefetch_related("expenses"))
    context = {
        "project": project,
        "side": side,
        "financing": list(project.financing.all()),
        "budget_lines": list(project.budget_lines.all()),
        "movements": list(project.movements.all()),
        "phases": list(project.phases.all()),
        "indicators": list(project.indicators.all()),
        "milestones": list(project.milestones.all()),
        "checks": list(project.checks.all()),
        "periods": periods,
        "item_forms": item_forms,
        "error": error,
        "next_pnrr_deadline": pnrr.next_update_deadline(timezone.localdate()) if project.is_pnrr else None,
    }
    if side:
        context["edit_form"] = bound.get("edit") or forms.ProjectForm(instance=project, prefix="edit")
        if any(period.submitted_on is None for period in periods):
            context["expense_form"] = bound.get("expense") or forms.ExpenseForm(
                periods=project.periods.all(), prefix="expense"
            )
    if side == project_services.BENEFICIARY and tenancy.has_role(request.user, *LOCAL_ROLES):
        context["procurement_form"] = bound.get("procurement") or forms.ProcurementForm(
            prefix="procurement",
            initial={"base_amount": project.fin_total or None, "description": project.summary},
        )
    return render(request, "projects/projects/detail.html", context, status=status)


@login_required
def project_detail(request, pk):
    return render_project(request, get_project(request, pk))


def refused(request, project, name, form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        message = _("Please correct the errors below.")
    else:
        message = " ".join(error.messages)
    return render_project(request, project, {name: form}, message, status=400)


@require_POST
@login_required
def project_edit(request, pk):
    project = get_project(request, pk)
    form = forms.ProjectForm(request.POST, instance=FundedProject.objects.get(pk=project.pk), prefix="edit")
    if not form.is_valid():
        return render_project(request, project, {"edit": form}, _("Please correct the errors below."), 400)
    try:
        project_services.update_project(Actor.from_request(request), project, form.to_data())
    except ValidationError as error:
        return refused(request, project, "edit", form, error)
    messages.success(request, _("The project was updated."))
    return redirect("projects:project_detail", pk=project.pk)


@require_POST
@login_required
def project_add(request, pk, part):
    project = get_project(request, pk)
    if part not in project_services.ITEMS:
        raise Http404
    form = forms.item_form(part)(request.POST, prefix=part)
    if not form.is_valid():
        return render_project(request, project, {part: form}, _("Please correct the errors below."), 400)
    try:
        project_services.add_item(Actor.from_request(request), project, part, form.cleaned_data)
    except ValidationError as error:
        return refused(request, project, part, form, error)
    messages.success(request, _("Saved."))
    return redirect(f"{project_detail_url(project)}#{part}")


def project_detail_url(project) -> str:
    from django.urls import reverse

    return reverse("projects:project_detail", kwargs={"pk": project.pk})


@require_POST
@login_required
def project_expense_add(request, pk):
    project = get_project(request, pk)
    form = forms.ExpenseForm(
        request.POST, request.FILES, periods=project.periods.all(), prefix="expense", owner=request.user
    )
    if not form.is_valid():
        return render_project(request, project, {"expense": form}, _("Please correct the errors below."), 400)
    try:
        project_services.add_expense(
            Actor.from_request(request),
            project,
            form.cleaned_data["period"].pk,
            form.to_data(),
            form.cleaned_data["file"],
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            form.keep_uploads()  # refused for no field's sake: the document is kept for the next try
        return refused(request, project, "expense", form, error)
    form.forget_kept_uploads()
    messages.success(request, _("The expense was recorded."))
    return redirect(f"{project_detail_url(project)}#expenses")


@require_POST
@login_required
def project_statement_submit(request, pk, period_pk):
    """The statement of an open period was submitted to the funder: its expenses close."""
    project = get_project(request, pk)
    form = forms.StatementForm(request.POST, prefix=f"statement-{period_pk}")
    if not form.is_valid():
        return render_project(request, project, {"statement": form}, _("Enter the date of submission."), 400)
    try:
        project_services.submit_statement(
            Actor.from_request(request), project, period_pk, form.cleaned_data["submitted_on"]
        )
    except ValidationError as error:
        return render_project(request, project, {"statement": form}, " ".join(error.messages), 400)
    messages.success(request, _("The statement was recorded as submitted: its expenses are closed."))
    return redirect(f"{project_detail_url(project)}#expenses")


@login_required
def project_expense_document(request, pk, expense_pk):
    project = get_project(request, pk)
    expense = get_object_or_404(Expense.objects.filter(period__project=project), pk=expense_pk)
    return stream(expense.file, expense.original_name)


@require_POST
@login_required
def project_procurement(request, pk):
    """One click: a procurement request to the SUA carrying the project's CUP, then its page."""
    project = get_project(request, pk)
    tenancy.require_role(request.user, *LOCAL_ROLES)
    form = forms.ProcurementForm(request.POST, prefix="procurement")
    if not form.is_valid():
        return render_project(
            request, project, {"procurement": form}, _("Please correct the errors below."), 400
        )
    try:
        created = project_services.request_procurement(Actor.from_request(request), project, form.to_data())
    except AdhesionRequired as error:
        return render_project(request, project, {"procurement": form}, str(error), 403)
    except ValidationError as error:
        return refused(request, project, "procurement", form, error)
    messages.success(request, _("Your request was sent to the SUA."))
    return redirect("procurement:request_detail", pk=created.pk)


@login_required
def projects_csv(request):
    """The projects the user may read, OpenCoesione's columns (see ``funded.exports``)."""
    tenancy.require_role(request.user, *READER_ROLES)
    projects = (
        FundedProject.objects.for_user(request.user)
        .with_totals()
        .select_related("beneficiary__municipality", "province__province")
        .order_by("cup")
    )
    response = HttpResponse(exports.projects_csv(projects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="progetti-opencoesione.csv"'
    return response
