"""Pages of the procurement requests: the Comune submits and follows its requests, the SUA answers them.

Thin views: they read through ``for_user`` and write only through procurement.services. The Province's
people other than its administrator and SUA officers get 403.
"""

from datetime import date

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
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES
from casacomuni.agreements.models import JoinRequest, Service, ServiceKind
from casacomuni.agreements.services import MUNICIPALITY_ROLES, AdhesionRequired
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.downloads import stream
from casacomuni.lib.htmx import render_page_or_fragment
from casacomuni.procurement.permissions import is_sua
from casacomuni.procurement.requests import forms as request_forms
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import ProcurementRequest, RequestAttachment

PAGE_SIZE = 50
READER_ROLES = (*SUA_ROLES, *LOCAL_ROLES)

ACTION_LABELS = {
    services.SUBMIT: gettext_lazy("Submitted"),
    services.RESUBMIT: gettext_lazy("Submitted again after the changes"),
    services.WITHDRAW: gettext_lazy("Withdrawn by the Comune"),
    services.ACCEPT: gettext_lazy("Accepted by the SUA"),
    services.ASK_CHANGES: gettext_lazy("Changes asked by the SUA"),
    services.REJECT: gettext_lazy("Rejected by the SUA"),
    "attach": gettext_lazy("Documents added"),
}
BUTTON_LABELS = {
    services.ACCEPT: gettext_lazy("Accept"),
    services.ASK_CHANGES: gettext_lazy("Ask for changes"),
    services.REJECT: gettext_lazy("Reject"),
    services.WITHDRAW: gettext_lazy("Withdraw the request"),
}
POSTED_ACTIONS = {
    services.ACCEPT: services.accept_request,
    services.ASK_CHANGES: services.ask_changes,
    services.REJECT: services.reject_request,
    services.WITHDRAW: lambda actor, request, reason: services.withdraw_request(actor, request),
}


@login_required
def request_list(request):
    """The Comune's own requests, or the requests addressed to the SUA, with filters and pages."""
    tenancy.require_role(request.user, *READER_ROLES)
    user = request.user
    queryset = ProcurementRequest.objects.for_user(user).select_related("municipality", "province")
    filter_form = request_forms.RequestFilterForm(request.GET or None, user=user)
    queryset = filter_form.filter(queryset).order_by("-submitted_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "sua": is_sua(user),
        "may_submit": tenancy.has_role(user, *LOCAL_ROLES),
    }
    return render_page_or_fragment(request, "procurement/requests/list.html", "results", context)


@login_required
def request_create(request):
    tenancy.require_role(request.user, *LOCAL_ROLES)
    try:
        # Said at once, before the Comune fills the form: without an adhesion the SUA cannot take it.
        services.sua_adhesion(tenancy.acting_organization(request.user), None, timezone.localdate())
    except AdhesionRequired as refused:
        return render_join_first(request, str(refused))
    form = request_forms.RequestForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.submit_request(Actor.from_request(request), form.to_data(), form.uploads())
        except AdhesionRequired as refused:
            return render_join_first(request, str(refused))
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            form.forget_kept_uploads()
            messages.success(request, _("Your request was sent to the SUA."))
            return redirect("procurement:request_detail", pk=created.pk)
    status = 400 if form.errors else 200
    return render(request, "procurement/requests/form.html", {"form": form}, status=status)


def render_join_first(request, reason: str):
    """The page that tells a Comune with no SUA adhesion to join the service first, with the button that
    asks its Province (the catalogue's request to join), or the request already pending."""
    user = request.user
    sua = Service.objects.for_user(user).filter(kind=ServiceKind.SUA).order_by("pk").first()
    pending = JoinRequest.objects.for_user(user).pending().filter(service=sua).first() if sua else None
    context = {
        "reason": reason,
        "service": sua,
        "pending": pending,
        "may_join": tenancy.has_role(user, *MUNICIPALITY_ROLES),
    }
    status = 403 if request.method == "POST" else 200
    return render(request, "procurement/requests/join_first.html", context, status=status)


def get_request(request, pk) -> ProcurementRequest:
    tenancy.require_role(request.user, *READER_ROLES)
    return get_object_or_404(
        ProcurementRequest.objects.for_user(request.user).select_related(
            "municipality__municipality", "province", "created_by"
        ),
        pk=pk,
    )


@login_required
def request_detail(request, pk):
    return render_detail(request, get_request(request, pk))


def render_detail(request, procurement_request, bound=None, error: str = "", status: int = 200):
    """The request's page; after a refused action ``bound`` (action, form) keeps what was typed."""
    actions = []
    for name in services.allowed_actions(request.user, procurement_request):
        if name == services.RESUBMIT:
            continue  # a page of its own: the request's form again
        form = bound[1] if bound and bound[0] == name else request_forms.DecisionForm(prefix=name)
        actions.append({"name": name, "label": BUTTON_LABELS[name], "form": form})
    context = {
        "req": procurement_request,
        "attachments": list(procurement_request.attachments.all()),
        "actions": actions,
        "may_resubmit": services.RESUBMIT in services.allowed_actions(request.user, procurement_request),
        "timeline": timeline(procurement_request),
        "error": error,
        "verdict": procurement_request.route_verdict,
        "verdict_day": verdict_day(procurement_request.route_verdict),
    }
    return render(request, "procurement/requests/detail.html", context, status=status)


def verdict_day(verdict: dict) -> date | None:
    return date.fromisoformat(verdict["day"]) if verdict.get("day") else None


def timeline(procurement_request) -> list[AuditEvent]:
    """The request's events, oldest first, from the chain of its Comune, where the services record them.

    The request itself was read through ``for_user``: its readers may read its own history, and only it.
    """
    events = list(
        AuditEvent.objects.history_of(
            procurement_request, procurement_request.municipality_id, "procurement_request"
        )
    )
    for event in events:
        event.label = ACTION_LABELS.get(event.action.removeprefix("procurement_request."), event.action)
        event.note = (event.changes.get("answer") or [None, ""])[1]
    return events


@require_POST
@login_required
def request_action(request, pk, action):
    procurement_request = get_request(request, pk)
    if action not in POSTED_ACTIONS:
        raise Http404
    form = request_forms.DecisionForm(request.POST, prefix=action)
    if not form.is_valid():
        return render_detail(
            request, procurement_request, (action, form), _("Please correct the errors below."), status=400
        )
    try:
        POSTED_ACTIONS[action](Actor.from_request(request), procurement_request, form.cleaned_data["reason"])
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            message = _("Please correct the errors below.")
        else:
            message = refused.messages[0]
        return render_detail(request, procurement_request, (action, form), message, status=400)
    messages.success(request, ACTION_LABELS[action])
    return redirect("procurement:request_detail", pk=procurement_request.pk)


@login_required
def request_resubmit(request, pk):
    """The Comune changes its request after the SUA asked for changes, and sends it again."""
    procurement_request = get_request(request, pk)
    tenancy.require_role(request.user, *LOCAL_ROLES)
    if services.RESUBMIT not in services.allowed_actions(request.user, procurement_request):
        try:
            services.refuse_unless_allowed(procurement_request, services.RESUBMIT)
        except ValidationError as refused:
            return render_detail(request, procurement_request, None, refused.messages[0], status=400)
    form = request_forms.RequestForm(
        request.POST or None,
        request.FILES or None,
        initial=request_forms.RequestForm.initial_from(procurement_request),
        owner=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_request(
                Actor.from_request(request), procurement_request, form.to_data(), form.uploads()
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            form.forget_kept_uploads()
            messages.success(request, ACTION_LABELS[services.RESUBMIT])
            return redirect("procurement:request_detail", pk=procurement_request.pk)
    context = {"form": form, "req": procurement_request}
    return render(request, "procurement/requests/form.html", context, status=400 if form.errors else 200)


@login_required
def attachment_download(request, pk, attachment_pk):
    """An attachment, streamed to the request's readers only (never from MEDIA_URL)."""
    procurement_request = get_request(request, pk)
    attachment = get_object_or_404(
        RequestAttachment.objects.filter(request=procurement_request), pk=attachment_pk
    )
    return stream(attachment.file, attachment.original_name)
