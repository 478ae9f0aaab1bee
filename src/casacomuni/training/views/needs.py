"""Pages of the needs and the plan: the training office ranks its territory's needs (read from the
training-needs campaigns), sees which no published module covers, and builds the year's plan, each module
against the needs it answers; a Comune's referent reads its own needs and its Province's plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES
from casacomuni.insights.models import Campaign, TemplateCode
from casacomuni.training import services
from casacomuni.training.models import Area, Level, Module, Need, Plan, PlanItem


def chosen_year(request) -> int:
    """The ``anno`` asked for, or this year: anything else is not an error, just this year."""
    text = request.GET.get("anno", "")
    return int(text) if text.isdigit() and 2020 <= int(text) <= 2100 else timezone.localdate().year


def office_of(request):
    return tenancy.as_province(request.user, TRAINING_OFFICE_ROLES)


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def needs(request):
    year = chosen_year(request)
    office = office_of(request)
    if office is None:
        own = Need.objects.for_user(request.user).filter(year=year)
        if tenancy.as_local_party(request.user) is None:
            raise PermissionDenied
        rows = [(Area(n.area).label, Level(n.level).label, n.role, n.people) for n in own]
        return render(request, "training/needs_own.html", {"rows": rows, "year": year})
    ranking = [
        {**row, "area_label": Area(row["area"]).label, "level_label": Level(row["level"]).label}
        for row in services.needs_ranking(office, year)
    ]
    campaigns = Campaign.objects.filter(
        province=office, questionnaire__template_code=TemplateCode.TRAINING_NEEDS
    ).order_by("-year", "-pk")
    context = {"ranking": ranking, "campaigns": campaigns, "year": year}
    return render(request, "training/needs.html", context)


@require_POST
@login_required
def derive_needs(request, campaign_pk):
    office = office_of(request)
    if office is None:
        raise PermissionDenied
    campaign = get_object_or_404(
        Campaign.objects.select_related("questionnaire"), pk=campaign_pk, province=office
    )
    try:
        written = services.derive_needs(Actor.from_request(request), campaign)
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("%(count)s needs read from the campaign.") % {"count": written})
    return redirect(f"{reverse('training:needs')}?anno={campaign.year}")


@login_required
def plans(request):
    """The Province's plans, latest first; the office draws up the plan of a year here."""
    office = office_of(request)
    if office is None and tenancy.as_local_party(request.user) is None:
        raise PermissionDenied
    found = Plan.objects.for_user(request.user).annotate(modules=Count("items"))
    context = {"plans": found, "office": office is not None, "next_year": timezone.localdate().year + 1}
    return render(request, "training/plans.html", context)


@login_required
def plan(request, pk):
    office = office_of(request)
    found = get_object_or_404(
        Plan.objects.for_user(request.user).prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("module").prefetch_related("needs__organization"),
            )
        ),
        pk=pk,
    )
    context = {"plan": found, "office": office is not None}
    if office is not None:
        context["modules"] = Module.objects.filter(province=office).order_by("title")
        context["year_needs"] = Need.objects.filter(province=office, year=found.year).select_related(
            "organization"
        )
    return render(request, "training/plan.html", context)


@require_POST
@login_required
def plan_create(request):
    year = _number(request.POST.get("year"))
    try:
        created = services.create_plan(Actor.from_request(request), year, request.POST.get("title", ""))
    except ValidationError as error:
        messages.error(request, refusal(error))
        return redirect("training:plans")
    return redirect("training:plan", pk=created.pk)


@require_POST
@login_required
def plan_add(request, pk):
    office = office_of(request)
    if office is None:
        raise PermissionDenied
    found = get_object_or_404(Plan, province=office, pk=pk)
    module = get_object_or_404(Module, province=office, pk=_number(request.POST.get("module")))
    chosen = Need.objects.filter(province=office, pk__in=[_number(v) for v in request.POST.getlist("needs")])
    try:
        services.plan_module(
            Actor.from_request(request), found, module, chosen, editions=_number(request.POST.get("editions"))
        )
    except ValidationError as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("The module is in the plan."))
    return redirect("training:plan", pk=found.pk)


def _number(text) -> int:
    """A small positive integer from a form, or 0 (which every check refuses)."""
    text = str(text or "")
    return int(text) if text.isdigit() and len(text) < 10 else 0
