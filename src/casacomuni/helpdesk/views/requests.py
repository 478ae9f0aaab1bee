"""Pages of the requests for help: the list (the Comune's own, the office's queue), opening one, its page with
the timeline and the steps, its files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_KINDS, Role
from casacomuni.agreements.models import Adhesion, JoinRequest, Service
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.helpdesk import services
from casacomuni.helpdesk.forms import QueueFilterForm, RequestForm, StepForm
from casacomuni.helpdesk.models import (
    REQUIRED_SERVICE_KIND,
    Attachment,
    Category,
    Entry,
    FaqEntry,
    HelpRequest,
    HelpService,
    office_services,
)
from casacomuni.helpdesk.rules import workflow
from casacomuni.lib.downloads import stream

PAGE_SIZE = 50
# The steps in the URL, in Italian.
STEP_SLUGS = {
    "assegna": workflow.ASSIGN,
    "rispondi": workflow.REPLY,
    "nota": workflow.NOTE,
    "chiedi-informazioni": workflow.ASK_INFO,
    "scrivi": workflow.ANSWER,
    "risolvi": workflow.RESOLVE,
    "riapri": workflow.REOPEN,
    "chiudi": workflow.CLOSE,
}
SLUG_OF = {step: slug for slug, step in STEP_SLUGS.items()}


def readable(user):
    return HelpRequest.objects.for_user(user).select_related("party", "category", "assignee", "province")


@login_required
def request_list(request):
    """The Comune's requests, or the office's queue with its filters, sorted by the running clock's due time."""
    user = request.user
    province, handled = office_services(user)
    if province is None and tenancy.as_local_party(user) is None:
        raise PermissionDenied
    requests = readable(user).order_by(F("next_due_at").asc(nulls_last=True), "-created_at", "-pk")
    filters = None
    if province is not None:
        filters = queue_filters(request, province, handled)
        requests = filter_queue(requests, filters)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"page": page, "filters": filters, "office": province is not None, "now": timezone.now()}
    return render(request, "helpdesk/list.html", context)


def queue_filters(request, province, handled) -> QueueFilterForm:
    parties = Organization.objects.filter(province_id=province.province_id, kind__in=LOCAL_KINDS).order_by(
        "name"
    )
    people = services.office_people_of(province, handled)
    return QueueFilterForm(
        request.GET or None,
        categories=Category.objects.filter(province=province, service__in=handled),
        parties=parties.values_list("pk", "name"),
        assignees=people,
    )


def filter_queue(requests, filters: QueueFilterForm):
    if not filters.is_bound or not filters.is_valid():
        return requests
    data = filters.cleaned_data
    if data["state"]:
        requests = requests.filter(state=data["state"])
    if data["category"]:
        requests = requests.filter(category=data["category"])
    if data["party"]:
        requests = requests.filter(party_id=data["party"])
    if data["assignee"] == "none":
        requests = requests.filter(assignee__isnull=True)
    elif data["assignee"]:
        requests = requests.filter(assignee_id=data["assignee"])
    now = timezone.now()
    if data["risk"] == "at_risk":
        requests = requests.at_risk(now)
    elif data["risk"] == "breached":
        requests = requests.breached(now)
    return requests


@login_required
def request_create(request):
    """Choose the service, read its FAQ, then write the request: refused with the way to join when the Comune has
    not joined the service."""
    user = request.user
    party = tenancy.as_local_party(user)
    if party is None:
        raise PermissionDenied
    service = request.GET.get("servizio", "")
    if service not in HelpService.values:
        return render(request, "helpdesk/choose_service.html", {"services": service_choices(party)})
    if not has_joined(party, service):
        return render_join_first(request, service, status=403 if request.method == "POST" else 200)
    form = RequestForm(request.POST or None, request.FILES or None, service=service, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.open_request(
                Actor.from_request(request), form.to_data(), form.cleaned_data["attachments"]
            )
        except AdhesionRequired:
            return render_join_first(request, service, status=403)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Your request was sent to the Province's office."))
            return redirect("helpdesk:detail", pk=created.pk)
    context = {
        "form": form,
        "service": HelpService(service),
        "faq": FaqEntry.objects.for_user(user).filter(service=service).order_by("-published_at")[:8],
    }
    return render(request, "helpdesk/form.html", context, status=400 if form.errors else 200)


def has_joined(party, service: str) -> bool:
    """Whether the party may ask the service now (the service refuses it again on sending)."""
    kind = REQUIRED_SERVICE_KIND.get(service)
    if kind is None:
        return True
    active = Adhesion.objects.active_on(timezone.localdate())
    return active.filter(agreement__municipality=party, service__kind=kind).exists()


def service_choices(party) -> list[dict]:
    """Each service, with whether the party may ask it now (one query for the adhesions)."""
    joined = set(
        Adhesion.objects.active_on(timezone.localdate())
        .filter(agreement__municipality=party)
        .values_list("service__kind", flat=True)
    )
    return [
        {
            "value": value,
            "label": label,
            "joined": REQUIRED_SERVICE_KIND.get(value) is None or REQUIRED_SERVICE_KIND[value] in joined,
        }
        for value, label in HelpService.choices
    ]


def render_join_first(request, service: str, status: int):
    """The page that tells the Comune to join the service first, with the request to join (or the pending one)."""
    user = request.user
    catalogue_service = (
        Service.objects.for_user(user).filter(kind=REQUIRED_SERVICE_KIND[service]).order_by("pk").first()
    )
    pending = (
        JoinRequest.objects.for_user(user).pending().filter(service=catalogue_service).first()
        if catalogue_service
        else None
    )
    context = {
        "service": HelpService(service),
        "catalogue_service": catalogue_service,
        "pending": pending,
        "may_join": tenancy.has_role(user, Role.MUNICIPALITY_REFERENT),
    }
    return render(request, "helpdesk/join_first.html", context, status=status)


def get_request(request, pk) -> HelpRequest:
    return get_object_or_404(readable(request.user).select_related("requester"), pk=pk)


@login_required
def request_detail(request, pk):
    return render_detail(request, get_request(request, pk))


def render_detail(request, help_request: HelpRequest, failed: StepForm | None = None):
    actor = Actor.from_request(request)
    side = services.side_of(actor, help_request)
    steps = []
    for step in workflow.steps_for(help_request.state, side) if side else []:
        form = failed if failed is not None and failed.step == step else step_form(help_request, step)
        steps.append({"step": step, "slug": SLUG_OF[step], "form": form, "label": STEP_BUTTONS[step]})
    entries = (
        Entry.objects.for_user(request.user)
        .filter(request=help_request)
        .select_related("author")
        .prefetch_related("attachments")
    )
    context = {
        "req": help_request,
        "entries": entries,
        "steps": steps,
        "office": side == workflow.OFFICE,
        "clock": help_request.clock(),
        "may_write_faq": side == workflow.OFFICE and help_request.state in {"resolved", "closed"},
    }
    return render(request, "helpdesk/detail.html", context, status=400 if failed is not None else 200)


def step_form(help_request: HelpRequest, step: str, data=None, files=None) -> StepForm:
    assignees = services.office_people(help_request) if step == workflow.ASSIGN else None
    return StepForm(data, files, step=step, assignees=assignees, prefix=SLUG_OF[step])


STEP_BUTTONS = {
    workflow.ASSIGN: gettext_lazy("Assign"),
    workflow.REPLY: gettext_lazy("Reply to the Comune"),
    workflow.NOTE: gettext_lazy("Add an internal note"),
    workflow.ASK_INFO: gettext_lazy("Ask the Comune for information"),
    workflow.ANSWER: gettext_lazy("Send a message to the office"),
    workflow.RESOLVE: gettext_lazy("Resolve"),
    workflow.REOPEN: gettext_lazy("Reopen the request"),
    workflow.CLOSE: gettext_lazy("Confirm and rate"),
}


@login_required
@require_POST
def request_step(request, pk, step):
    help_request = get_request(request, pk)
    if step not in STEP_SLUGS:
        raise Http404
    step = STEP_SLUGS[step]
    form = step_form(help_request, step, request.POST, request.FILES)
    if not form.is_valid():
        if services.side_of(Actor.from_request(request), help_request) != workflow.STEPS[step].by:
            raise PermissionDenied
        return render_detail(request, help_request, failed=form)
    data = form.cleaned_data
    try:
        services.take_step(
            Actor.from_request(request),
            help_request,
            step,
            body=data.get("body", ""),
            assignee=data.get("assignee"),
            rating=data.get("rating"),
            uploads=data.get("attachments") or (),
        )
    except ValidationError as refused:
        form.add_error(None, refused)
        return render_detail(request, help_request, failed=form)
    messages.success(request, _("Done: %(step)s.") % {"step": STEP_BUTTONS[step]})
    return redirect("helpdesk:detail", pk=help_request.pk)


@login_required
def attachment_download(request, pk, attachment_pk):
    """A file of the request, streamed to its readers only (never from MEDIA_URL)."""
    help_request = get_request(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.for_user(request.user).filter(request=help_request), pk=attachment_pk
    )
    return stream(attachment.file, attachment.original_name)
