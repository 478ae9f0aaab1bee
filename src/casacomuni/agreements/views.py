"""Pages of the convenzioni: the catalogue, the agreements and their acts, the national view for UPI.

Thin views: they read through ``for_user`` and the selectors, and write only through agreements.services.
"""

import json
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import LOCAL_ROLES, PROVINCE_ROLES, Role
from casacomuni.agreements import documents, exports, forms, selectors, services
from casacomuni.agreements.models import Adhesion, Agreement, JoinRequest, Service, Transition
from casacomuni.audit.models import AuditEvent
from casacomuni.documents.docx import TemplateProblem
from casacomuni.lib.uploads import CONTENT_TYPES
from casacomuni.territory import boundaries

PAGE_SIZE = 50
# Who may open the catalogue and the agreements: the Province's people and the Comuni's (Unioni's).
READER_ROLES = (*PROVINCE_ROLES, *LOCAL_ROLES)


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def is_province(user) -> bool:
    return tenancy.has_role(user, *PROVINCE_ROLES)


# --- Service catalogue -------------------------------------------------------------------------------------


@login_required
def service_list(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return render_catalogue(request)


def render_catalogue(request, error: str = "", status: int = 200):
    """The catalogue as the acting organisation sees it; ``error`` re-renders it after a refused request."""
    user = request.user
    queryset = Service.objects.for_user(user).select_related("province")
    context = {"error": error, "year": timezone.localdate().year}
    if is_province(user):
        context["page"] = page_of(request, queryset.order_by("kind", "name"))
        context["pending"] = (
            JoinRequest.objects.for_user(user)
            .pending()
            .select_related("municipality", "service")
            .order_by("created_at")
        )
        context["may_manage"] = tenancy.has_role(user, *services.PROVINCE_MANAGERS)
    else:
        context.update(local_catalogue(request, queryset))
    return render(request, "agreements/services.html", context, status=status)


def local_catalogue(request, queryset) -> dict:
    """The Comune's view: published services, what each would cost it this year, which it already uses."""
    user, today = request.user, timezone.localdate()
    party = tenancy.acting_organization(user)
    page = page_of(request, queryset.order_by("kind", "name"))
    page.object_list = list(page.object_list)
    figures = selectors.whole_year_costs(page.object_list, party, today.year)
    for service in page.object_list:
        service.whole_year_cost = figures[service.pk]
    return {
        "page": page,
        "in_use": set(selectors.services_in_use(user, today).values_list("service_id", flat=True)),
        "requested": set(JoinRequest.objects.for_user(user).pending().values_list("service_id", flat=True)),
        "may_join": tenancy.has_role(user, *services.MUNICIPALITY_ROLES),
    }


@login_required
def service_edit(request, pk=None):
    tenancy.require_role(request.user, *services.PROVINCE_MANAGERS)
    service = get_object_or_404(Service.objects.for_user(request.user), pk=pk) if pk is not None else None
    initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS} if service else None
    form = forms.ServiceForm(
        request.POST or None,
        initial=initial,
        province=tenancy.acting_organization(request.user),
        service=service,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_service(Actor.from_request(request), form.to_data(), service)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("agreements:services")
    return render(
        request,
        "agreements/service_form.html",
        {"form": form, "service": service},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def join_request(request, pk):
    tenancy.require_role(request.user, *services.MUNICIPALITY_ROLES)
    service = get_object_or_404(Service.objects.for_user(request.user), pk=pk)
    form = forms.JoinRequestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.request_join(Actor.from_request(request), service, note)
    except ValidationError as error:
        return render_catalogue(request, error.messages[0], status=400)
    messages.success(request, _("Your request to join “%(name)s” was sent.") % {"name": service.name})
    return redirect("agreements:services")


@require_POST
@login_required
def join_request_answer(request, pk):
    tenancy.require_role(request.user, *services.PROVINCE_MANAGERS)
    join = get_object_or_404(
        JoinRequest.objects.for_user(request.user).select_related("service", "municipality"), pk=pk
    )
    form = forms.JoinAnswerForm(request.POST)
    if not form.is_valid():
        return render_catalogue(request, _("Choose whether to accept or refuse the request."), status=400)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.answer_join_request(Actor.from_request(request), join, accept, form.cleaned_data["answer"])
    except ValidationError as error:
        return render_catalogue(request, error.messages[0], status=400)
    messages.success(request, _("The request was accepted.") if accept else _("The request was refused."))
    return redirect("agreements:services")


# --- Agreements --------------------------------------------------------------------------------------------


def readable_agreements(user):
    adhesions = Adhesion.objects.select_related("service").order_by("service__name")
    return (
        Agreement.objects.for_user(user)
        .select_related("municipality", "province")
        .prefetch_related(Prefetch("adhesions", queryset=adhesions))
    )


@login_required
def agreement_list(request):
    tenancy.require_role(request.user, *READER_ROLES)
    user, today = request.user, timezone.localdate()
    context = {
        "today": today,
        "province": is_province(user),
        "may_create": tenancy.has_role(user, *services.PROVINCE_MANAGERS),
    }
    queryset = readable_agreements(user).order_by("-created_at", "pk")
    if context["province"]:
        context["filter_form"] = forms.FilterForm(request.GET or None, user=user)
        queryset = context["filter_form"].filter(queryset)
    else:
        lines = selectors.cost_lines(
            selectors.billable_adhesions(Adhesion.objects.for_user(user), today.year), today.year
        )
        context.update(
            in_use=selectors.services_in_use(user, today),
            cost_lines=lines,
            cost_total=selectors.total_of(lines),
            year=today.year,
        )
    page = page_of(request, queryset)
    page.object_list = selectors.with_deadlines(page.object_list, today)
    context["page"] = page
    return render(request, "agreements/agreement_list.html", context)


@login_required
def agreement_create(request):
    tenancy.require_role(request.user, *services.PROVINCE_MANAGERS)
    form = forms.AgreementForm(
        request.POST or None,
        user=request.user,
        initial=forms.AgreementForm.initial_values(timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parties = list(data.pop("municipalities"))
        draft = services.AgreementDraft(**{**data, "services": list(data["services"])})
        try:
            created = services.create_agreements(Actor.from_request(request), draft, parties)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d agreement was drafted.", "%(count)d agreements were drafted.", len(created)
                )
                % {"count": len(created)},
            )
            if len(created) == 1:
                return redirect("agreements:detail", pk=created[0].pk)
            return redirect("agreements:list")
    return render(
        request, "agreements/agreement_form.html", {"form": form}, status=400 if form.errors else 200
    )


def get_agreement(request, pk) -> Agreement:
    tenancy.require_role(request.user, *READER_ROLES)
    return get_object_or_404(
        readable_agreements(request.user).select_related("municipality__municipality"), pk=pk
    )


@login_required
def agreement_detail(request, pk):
    return render_detail(request, get_agreement(request, pk))


def render_detail(request, agreement, bound_form=None, error: str = "", status: int = 200):
    """The agreement's page; after a refused act, ``bound_form`` keeps what was typed and ``error`` says why."""
    today = timezone.localdate()
    acts = []
    for name in allowed_acts(request.user, agreement):
        form = bound_form if bound_form is not None and bound_form.prefix == name else None
        acts.append(
            {"name": name, "label": Transition(name).label, "form": form or forms.transition_form(name)}
        )
    adhesions = list(agreement.adhesions.all())
    for adhesion in adhesions:
        adhesion.active_today = adhesion.active_on(today)
    context = {
        "agreement": agreement,
        "adhesions": adhesions,
        "cost_lines": selectors.cost_lines(adhesions, today.year),
        "bound": agreement.state in selectors.BOUND_STATES,
        "year": today.year,
        "acts": acts,
        "error": error,
        "timeline": timeline(agreement),
        "notice_deadline": selectors.notice_deadline(agreement),
        "earliest_withdrawal": selectors.earliest_withdrawal(agreement, today),
        # The documents mark a missing fiscal code as to be completed: the page says so before they are opened.
        "missing_fiscal_codes": [
            party.name for party in (agreement.province, agreement.municipality) if not party.fiscal_code
        ],
    }
    return render(request, "agreements/agreement_detail.html", context, status=status)


def allowed_acts(user, agreement) -> list[str]:
    """The transitions the rules allow from the agreement's state and the acting role may record."""
    return [
        name
        for name in agreement.allowed_transitions()
        if name in services.TRANSITION_ROLES and tenancy.has_role(user, *services.TRANSITION_ROLES[name])
    ]


def timeline(agreement) -> list[AuditEvent]:
    """The agreement's events, oldest first, from the chain of its Comune, where the services record them.

    The agreement itself was read through ``for_user``: its parties may read its own history, and only it.
    """
    events = AuditEvent.objects.history_of(agreement, agreement.municipality_id, "agreement")
    labels = {f"agreement.{value}": label for value, label in Transition.choices}
    labels["agreement.create"] = _("Drafted and sent")
    for event in events:
        event.label = labels.get(event.action, event.action)
    return list(events)


@require_POST
@login_required
def agreement_transition(request, pk, transition):
    agreement = get_agreement(request, pk)
    if transition not in forms.TRANSITION_FORMS:
        raise Http404
    tenancy.require_role(request.user, *services.TRANSITION_ROLES[transition])
    form = forms.transition_form(transition, request.POST, request.FILES, owner=request.user)
    if not form.is_valid():
        return render_detail(request, agreement, form, _("Please correct the errors below."), status=400)
    try:
        services.perform_transition(Actor.from_request(request), agreement, transition, form.act())
    except ValidationError as error:
        form.keep_uploads()
        return render_detail(request, agreement, form, error.messages[0], status=400)
    form.forget_kept_uploads()
    messages.success(request, _("Recorded: %(act)s.") % {"act": Transition(transition).label})
    return redirect("agreements:detail", pk=agreement.pk)


# --- Files -------------------------------------------------------------------------------------------------

STORED_FILES = {"resolution": "municipality_resolution_file", "signed": "signed_file"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download_name(agreement, what: str, extension: str) -> str:
    return f"{what}-{agreement.pk}-{slugify(agreement.municipality.name)}{extension}"


@login_required
def agreement_file(request, pk, which):
    """A stored act, streamed as an attachment to the parties of the agreement only (never from MEDIA_URL)."""
    agreement = get_agreement(request, pk)
    if which not in STORED_FILES:
        raise Http404
    stored = getattr(agreement, STORED_FILES[which])
    if not stored:
        raise Http404
    extension = PurePosixPath(stored.name).suffix.lower()
    what = _("resolution") if which == "resolution" else _("signed-agreement")
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=download_name(agreement, slugify(what), extension),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )


def document_response(agreement, body: bytes, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = download_name(agreement, slugify(_("agreement")), extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def agreement_docx(request, pk):
    agreement = get_agreement(request, pk)
    try:
        body = documents.render_agreement_docx(agreement)
    except TemplateProblem as problem:
        # The Province's own template passed the sample fill but fails on this agreement's data.
        messages.error(
            request, _("The document could not be generated: %(reason)s") % {"reason": problem.message}
        )
        return redirect("agreements:detail", pk=agreement.pk)
    return document_response(agreement, body, ".docx", DOCX_TYPE)


@login_required
def agreement_pdf(request, pk):
    agreement = get_agreement(request, pk)
    return document_response(agreement, documents.render_agreement_pdf(agreement), ".pdf", "application/pdf")


# --- National view (UPI) -----------------------------------------------------------------------------------


@login_required
def national(request):
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    today = timezone.localdate()
    provinces = selectors.province_coverage(today)
    context = {
        "today": today,
        "rows": selectors.service_coverage(today),
        "provinces": provinces,
        "map_data": json.dumps(exports.map_features(provinces), separators=(",", ":")),
        "legend": exports.LEGEND,
        "boundary_url": reverse("territory:provinces_boundary"),
        "attribution": boundaries.ATTRIBUTION,
    }
    return render(request, "agreements/national.html", context)


@login_required
def national_csv(request):
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    return exports.csv_response(selectors.service_coverage(timezone.localdate()))


@login_required
def national_xlsx(request):
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    return exports.xlsx_response(selectors.service_coverage(timezone.localdate()))
