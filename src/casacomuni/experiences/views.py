"""Pages of the experiences, under /rete/esperienze/: the list with its search and the national map (open to
everybody, logged out too), an experience's page with its documents, the Province's form, UPI's review and the
other Provinces' "Vogliamo replicarla".

Thin views: reads through ``Experience.objects.for_user`` (404 for what the visitor may not read), writes only
through ``experiences.services`` (403 for a role that may not act).
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.experiences import forms, maps, services
from casacomuni.experiences.models import Document, Experience, ExperienceState, Replication
from casacomuni.lib.downloads import stream
from casacomuni.lib.forms import refused
from casacomuni.lib.htmx import render_page_or_fragment
from casacomuni.territory import boundaries

PAGE_SIZE = 20


def reads_unpublished(user) -> bool:
    """UPI and the Provinces' people read experiences not yet published (their own, for a Province)."""
    return tenancy.as_upi(user) is not None or tenancy.as_province(user) is not None


def experience_list(request):
    """Published experiences for everybody; a Province's own and UPI's review queue beside them, with a
    filter by state."""
    show_state = reads_unpublished(request.user)
    form = forms.FilterForm(request.GET or None, show_state=show_state)
    experiences = Experience.objects.for_user(request.user)
    if form.is_valid():
        experiences = form.filter(experiences)
    experiences = (
        experiences.select_related("province__province__region")
        .annotate(replications_count=Count("replications"))
        .order_by("-published_at", "-created_at", "-pk")
    )
    page = Paginator(experiences, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "show_state": show_state,
        "author": tenancy.as_province(request.user) is not None,
        "to_review": (
            Experience.objects.for_user(request.user).filter(state=ExperienceState.SUBMITTED).count()
            if tenancy.as_upi(request.user)
            else None
        ),
        "province_name": maps.province_name(form.cleaned_data["province"]) if form.is_valid() else "",
    }
    return render_page_or_fragment(request, "experiences/list.html", "results", context)


def experience_map(request):
    """The national map: published experiences per Province, each linking to the list of its own."""
    rows = maps.published_by_province()
    context = {
        "rows": rows,
        "map_data": json.dumps(maps.map_features(rows), separators=(",", ":")),
        "legend": maps.LEGEND,
        "boundary_url": reverse("territory:provinces_boundary"),
        "attribution": boundaries.ATTRIBUTION,
    }
    return render(request, "experiences/map.html", context)


def get_experience(request, pk) -> Experience:
    return get_object_or_404(
        Experience.objects.for_user(request.user).select_related("province__province__region"), pk=pk
    )


def experience_detail(request, pk):
    return render_detail(request, get_experience(request, pk))


def render_detail(request, experience: Experience, status: int = 200, **bound_forms):
    """The experience's page; a form refused by a service comes back bound, with its errors (400)."""
    user = request.user
    own_province = tenancy.as_province(user)
    is_author = own_province is not None and own_province.pk == experience.province_id
    is_reviewer = tenancy.as_upi(user) is not None
    replications = experience.replications.all()
    context = {
        "experience": experience,
        "results": experience.results.all(),
        "documents": experience.documents.all(),
        "municipalities": experience.municipalities.order_by("name"),
        "replications_count": replications.count(),
        # The Provinces that asked, to the owner and to UPI only: the others see the count.
        "replications": (
            Replication.objects.for_user(user).filter(experience=experience).select_related("province")
            if is_author or is_reviewer
            else None
        ),
        "is_author": is_author,
        # UPI's note on an experience sent back is for the Province and UPI.
        "show_note": experience.state == ExperienceState.RETURNED and (is_author or is_reviewer),
        "may_edit": is_author and experience.editable,
        "may_review": is_reviewer and experience.state == ExperienceState.SUBMITTED,
        "may_replicate": (
            own_province is not None and not is_author and experience.state == ExperienceState.PUBLISHED
        ),
        "already_replicated": own_province is not None
        and replications.filter(province=own_province).exists(),
        "document_form": bound_forms.get("document_form") or forms.DocumentForm(),
        "return_form": bound_forms.get("return_form") or forms.ReturnForm(),
        "replication_form": bound_forms.get("replication_form") or forms.ReplicationForm(),
    }
    return render(request, "experiences/detail.html", context, status=status)


def form_page(request, experience: Experience | None = None):
    actor = Actor.from_request(request)
    province = services.authoring_province(actor)
    if experience is not None and experience.province_id != province.pk:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    initial, rows = None, None
    if experience is not None:
        initial = {name: getattr(experience, name) for name in forms.ExperienceForm.base_fields}
        initial["municipalities"] = list(experience.municipalities.all())
        rows = forms.initial_results(experience)
    form = forms.ExperienceForm(data, initial=initial, province=province)
    results = forms.ResultRows(data, initial=rows, prefix="risultati")
    if data is not None and form.is_valid() and results.is_valid():
        try:
            if experience is None:
                experience = services.create_experience(actor, form.to_data(results))
            else:
                experience = services.update_experience(actor, experience, form.to_data(results))
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The experience was saved."))
            return redirect("experiences:detail", pk=experience.pk)
    context = {"form": form, "results": results, "experience": experience}
    return render(request, "experiences/form.html", context, status=400 if data is not None else 200)


@login_required
def experience_create(request):
    return form_page(request)


@login_required
def experience_edit(request, pk):
    experience = get_experience(request, pk)
    services.require_author(Actor.from_request(request), experience)
    if not experience.editable:
        messages.error(request, _("A submitted or published experience can no longer be changed."))
        return redirect("experiences:detail", pk=experience.pk)
    return form_page(request, experience)


@login_required
@require_POST
def document_add(request, pk):
    experience = get_experience(request, pk)
    services.require_author(Actor.from_request(request), experience)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                Actor.from_request(request), experience, form.cleaned_data["title"], form.cleaned_data["file"]
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The document was added."))
            return redirect("experiences:detail", pk=experience.pk)
    return render_detail(request, experience, status=400, document_form=form)


def document_download(request, pk, document_pk):
    """A document, streamed to the experience's readers only (never from MEDIA_URL)."""
    experience = get_experience(request, pk)
    document = get_object_or_404(Document.objects.filter(experience=experience), pk=document_pk)
    return stream(document.file, document.original_name)


@login_required
@require_POST
def document_remove(request, pk, document_pk):
    experience = get_experience(request, pk)
    document = get_object_or_404(Document.objects.filter(experience=experience), pk=document_pk)
    try:
        services.remove_document(Actor.from_request(request), document)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The document was removed."))
    return redirect("experiences:detail", pk=experience.pk)


def simple_action(request, pk, action, done: str):
    experience = get_experience(request, pk)
    try:
        action(Actor.from_request(request), experience)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect("experiences:detail", pk=experience.pk)


@login_required
@require_POST
def experience_submit(request, pk):
    return simple_action(
        request, pk, services.submit_experience, _("The experience was sent to UPI for review.")
    )


@login_required
@require_POST
def experience_publish(request, pk):
    return simple_action(request, pk, services.publish_experience, _("The experience is published."))


@login_required
@require_POST
def experience_return(request, pk):
    experience = get_experience(request, pk)
    services.require_reviewer(Actor.from_request(request))
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_experience(Actor.from_request(request), experience, form.cleaned_data["note"])
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The experience was sent back to its Province."))
            return redirect("experiences:detail", pk=experience.pk)
    return render_detail(request, experience, status=400, return_form=form)


@login_required
@require_POST
def experience_replicate(request, pk):
    experience = get_experience(request, pk)
    services.authoring_province(Actor.from_request(request))
    form = forms.ReplicationForm(request.POST)
    if form.is_valid():
        try:
            services.replicate_experience(
                Actor.from_request(request), experience, form.cleaned_data["message"]
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(
                request, _("The two Provinces are in contact: each of you received the other's contact.")
            )
            return redirect("experiences:detail", pk=experience.pk)
    return render_detail(request, experience, status=400, replication_form=form)
