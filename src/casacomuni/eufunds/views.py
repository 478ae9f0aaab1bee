"""Pages of the EU-funds office: the calls catalogue, a call with its criteria, history and eligibility,
imports, manual calls, criteria editing, the digest preview and preferences.

Thin views: reads through ``for_user`` (404 for what the user's organisation may not see), writes only
through eufunds.services; roles outside the office's and the Comuni's get 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind, Role
from casacomuni.eufunds import forms, selectors, services
from casacomuni.eufunds.digest import build_digest
from casacomuni.eufunds.models import (
    DIGEST_EDITOR_ROLES,
    Call,
    CallCriterion,
    CallSource,
    DigestPreference,
    ImportRun,
    catalogue_filter_for_owner,
)
from casacomuni.eufunds.permissions import READER_ROLES, runs_the_office
from casacomuni.eufunds.rules import eligibility
from casacomuni.lib.htmx import render_page_or_fragment
from casacomuni.territory.models import Province

PAGE_SIZE = 25


def is_office(user) -> bool:
    return runs_the_office(tenancy.acting_membership(user))


def require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied


def editor_catalogue(request) -> int | None:
    """The catalogue the user edits (None: the national one, for UPI; else its Province's id); 403 for
    anybody who edits none."""
    return services.catalogue_owner(Actor.from_request(request))


def may_edit_catalogue(user) -> bool:
    return is_office(user) or tenancy.has_role(user, Role.UPI_ADMIN)


@login_required
def call_list(request):
    """The catalogue: national calls and the Province's own, filtered, paginated."""
    tenancy.require_role(request.user, *READER_ROLES)
    calls = Call.objects.for_user(request.user)
    programmes = (
        calls.exclude(programme="").order_by("programme").values_list("programme", flat=True).distinct()
    )
    form = forms.CallFilterForm(request.GET or None, user=request.user, programmes=list(programmes))
    verdicts = {}
    if form.is_valid():
        data = form.cleaned_data
        calls = calls.search(data["q"])
        if data["status"]:
            calls = calls.filter(status=data["status"])
        if data["programme"]:
            calls = calls.filter(programme=data["programme"])
        profile = form.profile()
        if profile is not None:
            verdicts = selectors.eligible_call_ids(profile, calls)
            calls = calls.filter(pk__in=list(verdicts))
    calls = calls.by_relevance().only(
        "title",
        "programme",
        "funder",
        "source",
        "status",
        "opens_on",
        "deadline",
        "second_deadline",
        "max_contribution",
        "province_id",
    )
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    for call in page:
        call.verdict = verdicts.get(call.pk, "")
    context = {"page": page, "form": form, "office": is_office(request.user), "filtered_for": bool(verdicts)}
    return render_page_or_fragment(request, "eufunds/call_list.html", "results", context)


def get_call(request, pk) -> Call:
    tenancy.require_role(request.user, *READER_ROLES)
    return get_object_or_404(Call.objects.for_user(request.user).select_related("province"), pk=pk)


@login_required
def call_detail(request, pk):
    call = get_call(request, pk)
    org = tenancy.acting_organization(request.user)
    rows, province, provinces = [], None, []
    if is_office(request.user):
        province = org.province
        rows = selectors.province_eligibility(call, province)
    elif org.kind == OrganizationKind.UPI:
        provinces = Province.objects.ordinary_statute().only("sigla", "name")
        sigla = request.GET.get("province", "")
        province = Province.objects.filter(sigla=sigla.upper()).first() if sigla else None
        rows = selectors.province_eligibility(call, province) if province else []
    else:
        profile = selectors.organization_profile(org)
        if profile is not None:
            rows = [selectors.Row(profile, v) for _c, v in selectors.calls_with_verdicts(profile, [call])]
    counts = {outcome: sum(1 for r in rows if r.verdict.outcome == outcome) for outcome in OUTCOMES}
    editor = may_edit_catalogue(request.user)
    # UPI edits the national catalogue; a Province's office its own.
    own_catalogue = org.province_id if is_office(request.user) else None
    context = {
        "call": call,
        "criteria": call.criteria.applying_to(province.sigla if province else None)
        .select_related("province")
        .order_by("kind", "pk"),
        "editor": editor,
        "own_catalogue": own_catalogue,
        # National calls are annotated by every catalogue; a Province's own call by that Province only.
        "may_annotate": editor and call.province_id in (None, own_catalogue),
        "changes": call.changes.order_by("-seen_at", "-pk")[:50],
        "rows": rows,
        "province": province,
        "provinces": provinces,
        "counts": counts,
        "office": is_office(request.user),
        "may_edit_call": editor and call.source == CallSource.MANUAL and call.province_id == own_catalogue,
    }
    return render(request, "eufunds/call_detail.html", context)


OUTCOMES = (eligibility.ELIGIBLE, eligibility.UNKNOWN, eligibility.NOT_ELIGIBLE)


@login_required
def import_calls(request):
    """Upload a file of one source; the run's report follows."""
    editor_catalogue(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_calls(
                Actor.from_request(request), form.cleaned_data["source"], upload.read(), origin=upload.name
            )
        except services.ImportFileError as refused:
            form.add_error("file", str(refused))
        else:
            messages.success(request, _("Import done."))
            return redirect("eufunds:import_run", pk=run.pk)
    runs = ImportRun.objects.for_user(request.user).select_related("created_by")[:20]
    status = 400 if form.errors else 200
    return render(request, "eufunds/import.html", {"form": form, "runs": runs}, status=status)


@login_required
def import_run(request, pk):
    editor_catalogue(request)
    run = get_object_or_404(ImportRun.objects.for_user(request.user).select_related("created_by"), pk=pk)
    return render(request, "eufunds/import_run.html", {"run": run})


@login_required
def call_create(request):
    return manual_call_form(request, None)


@login_required
def call_edit(request, pk):
    owner = editor_catalogue(request)
    call = get_object_or_404(
        Call.objects.for_user(request.user).filter(source=CallSource.MANUAL).owned_by(owner), pk=pk
    )
    return manual_call_form(request, call)


def manual_call_form(request, call):
    editor_catalogue(request)
    initial = {name: getattr(call, name) for name in services.MANUAL_FIELDS} if call else None
    form = forms.ManualCallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_manual_call(Actor.from_request(request), form.to_data(), call)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Call saved."))
            return redirect("eufunds:call_detail", pk=saved.pk)
    status = 400 if form.errors else 200
    return render(request, "eufunds/call_form.html", {"form": form, "call": call}, status=status)


@login_required
def criterion_create(request, pk):
    owner = editor_catalogue(request)
    # National calls are annotated by every catalogue; a Province's own call by that Province only.
    annotatable = Call.objects.for_user(request.user).filter(
        catalogue_filter_for_owner(None) | catalogue_filter_for_owner(owner)
    )
    call = get_object_or_404(annotatable, pk=pk)
    return criterion_form(request, call, None)


@login_required
def criterion_edit(request, pk):
    criterion = get_object_or_404(
        own_criteria(request).select_related("call"),
        pk=pk,
    )
    return criterion_form(request, criterion.call, criterion)


def own_criteria(request):
    """The criteria of the user's catalogue: another catalogue's answer 404, even when readable."""
    owner = editor_catalogue(request)
    return CallCriterion.objects.for_user(request.user).filter(catalogue_filter_for_owner(owner))


def criterion_form(request, call, criterion):
    initial = forms.CriterionForm.initial_for(criterion) if criterion else None
    form = forms.CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_criterion(
                Actor.from_request(request), call, data["kind"], data["value"], data["excerpt"], criterion
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Criterion saved."))
            return redirect("eufunds:call_detail", pk=call.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "call": call, "criterion": criterion}
    return render(request, "eufunds/criterion_form.html", context, status=status)


@login_required
@require_POST
def criterion_delete(request, pk):
    criterion = get_object_or_404(own_criteria(request), pk=pk)
    call_pk = criterion.call_id
    services.delete_criterion(Actor.from_request(request), criterion)
    messages.success(request, _("Criterion deleted."))
    return redirect("eufunds:call_detail", pk=call_pk)


# --- digests -------------------------------------------------------------------------------------------


def digest_organizations(user):
    """The Comuni and Unioni whose digest the user may preview: its own, or its Province's territory's."""
    org = tenancy.acting_organization(user)
    kinds = (OrganizationKind.MUNICIPALITY, OrganizationKind.UNION)
    if is_office(user):
        return Organization.objects.filter(province_id=org.province_id, kind__in=kinds, is_active=True)
    if tenancy.has_role(user, *LOCAL_ROLES) and org.kind in kinds:
        return Organization.objects.filter(pk=org.pk)
    return Organization.objects.none()


@login_required
def digest_preview(request):
    """The next digest of a Comune, as it would be e-mailed (the office picks the Comune)."""
    tenancy.require_role(request.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    organizations = digest_organizations(request.user)
    if not is_office(request.user) and not organizations.exists():
        raise PermissionDenied
    chosen = request.GET.get("comune") or ""
    organization = None
    if is_office(request.user):
        if chosen:
            if not chosen.isdigit():
                raise Http404
            organization = get_object_or_404(organizations, pk=chosen)
    else:
        organization = organizations.first()
    preference, items = None, []
    if organization is not None:
        preference = DigestPreference.objects.filter(organization=organization).first() or DigestPreference(
            organization=organization
        )
        items = build_digest(preference)
    context = {
        "organizations": organizations.order_by("name").only("name") if is_office(request.user) else [],
        "organization": organization,
        "preference": preference,
        "items": items,
        "office": is_office(request.user),
        "may_edit": tenancy.has_role(request.user, *DIGEST_EDITOR_ROLES),
    }
    return render(request, "eufunds/digest_preview.html", context)


@login_required
def digest_preferences(request):
    tenancy.require_role(request.user, *DIGEST_EDITOR_ROLES)
    org = tenancy.acting_organization(request.user)
    if org.kind not in (OrganizationKind.MUNICIPALITY, OrganizationKind.UNION):
        raise PermissionDenied
    preference = DigestPreference.objects.filter(organization=org).first()
    initial = {"frequency": preference.frequency, "interests": preference.interests} if preference else None
    form = forms.DigestPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_digest_preference(Actor.from_request(request), org, form.to_data())
        messages.success(request, _("Preferences saved."))
        return redirect("eufunds:digest_preferences")
    status = 400 if form.errors else 200
    return render(
        request, "eufunds/digest_preferences.html", {"form": form, "preference": preference}, status=status
    )


def digest_unsubscribe(request, token):
    """The link in every digest: works without login; GET asks, POST unsubscribes (mail scanners GET links)."""
    preference = get_object_or_404(DigestPreference.objects.select_related("organization"), token=token)
    done = False
    if request.method == "POST":
        services.unsubscribe_digest(token)
        done = True
    return render(request, "eufunds/digest_unsubscribe.html", {"preference": preference, "done": done})
