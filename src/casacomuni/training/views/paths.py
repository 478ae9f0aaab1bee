"""Pages of the training paths (percorsi formativi): the Province's training office writes its paths (modules
of its catalogue in order) and publishes them; the Comuni and Unioni of its territory read the published
ones. A path's page shows its modules with their open editions, the signed-in person's progress and, to the
office and a Comune's referent, the progress of the people they manage who started it.

Thin views: reads through ``Path.objects.for_user`` (404 for another tenant's path), writes through
``training.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.training import forms, paths, services
from casacomuni.training.models import Edition, EditionState, Module, Path, PathModule, StaffMember
from casacomuni.training.rules import paths as path_rules
from casacomuni.training.views.catalogue import (
    PAGE_SIZE,
    is_referent,
    office_of,
    refused,
    require_office,
    require_reader,
)


@login_required
def path_list(request):
    require_reader(request.user)
    listed = Path.objects.for_user(request.user).annotate(
        modules_count=Count("path_modules", distinct=True), hours=Sum("path_modules__module__hours")
    )
    context = {"paths": listed.order_by("title", "pk"), "office": office_of(request.user) is not None}
    return render(request, "training/path_list.html", context)


def get_path(request, pk) -> Path:
    require_reader(request.user)
    return get_object_or_404(Path.objects.for_user(request.user).select_related("province"), pk=pk)


def path_steps(request, path: Path) -> list[PathModule]:
    """The path's modules in order, each with the editions open now (one query for all of them)."""
    open_editions = Edition.objects.filter(state=EditionState.OPEN).order_by("-created_at", "pk")
    return list(
        path.path_modules.filter(module__in=Module.objects.for_user(request.user))
        .select_related("module")
        .prefetch_related(Prefetch("module__editions", queryset=open_editions, to_attr="open_editions"))
        .order_by("position", "pk")
    )


def own_progress(request, path: Path, modules: list[int]):
    """The signed-in person's progress, when it has a staff record in the organisation it acts for."""
    person = StaffMember.objects.filter(
        user=request.user, organization=tenancy.acting_organization(request.user)
    ).first()
    if person is None:
        return None
    return paths.progress_of(path, [person], modules)[person.pk]


def people_page(request, path: Path, modules: list[int]):
    """For the office and a Comune's referent, a page of the people they manage who started the path, each
    with its progress; None for anybody else."""
    if office_of(request.user) is None and not is_referent(request.user):
        return None
    staff = StaffMember.objects.for_user(request.user).select_related("organization")
    started = paths.who_started(path, staff).order_by("last_name", "first_name", "pk")
    page = Paginator(started, PAGE_SIZE).get_page(request.GET.get("page"))
    progress = paths.progress_of(path, list(page.object_list), modules)
    for person in page.object_list:
        person.progress = progress[person.pk]
    return page


@login_required
def path_detail(request, pk):
    path = get_path(request, pk)
    steps = path_steps(request, path)
    modules = [step.module_id for step in steps]
    titles = {step.module_id: step.module.title for step in steps}
    mine = own_progress(request, path, modules)
    context = {
        "path": path,
        "steps": steps,
        "hours": path_rules.total_hours(step.module.hours for step in steps),
        "office": office_of(request.user) is not None,
        "mine": mine,
        "next_title": titles.get(mine.next) if mine else None,
        "people": people_page(request, path, modules),
    }
    return render(request, "training/path_detail.html", context)


def path_form_page(request, path=None):
    office = require_office(request.user)
    if path is not None and path.province_id != office.pk:
        raise PermissionDenied
    own_modules = Module.objects.filter(province=office)
    initial, rows = None, None
    if path is not None:
        initial = {name: getattr(path, name) for name in forms.PathForm.base_fields}
        rows = [{"module": row.module_id, "position": row.position} for row in path.path_modules.all()]
    data = request.POST if request.method == "POST" else None
    form = forms.PathForm(data, initial=initial)
    choices = forms.module_choices(own_modules)
    modules = forms.PathModuleRows(
        data, initial=rows, prefix="moduli", form_kwargs={"module_choices": choices}
    )
    if data is not None and form.is_valid() and modules.is_valid():
        chosen = forms.ordered_module_ids(modules)
        found = own_modules.in_bulk(chosen)
        ordered = [found[pk] for pk in chosen]
        actor = Actor.from_request(request)
        try:
            if path is None:
                path = services.create_path(actor, form.to_data(), ordered)
            else:
                path = services.update_path(actor, path, form.to_data(), ordered)
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The path was saved."))
            return redirect("training:path_detail", pk=path.pk)
    context = {"form": form, "modules": modules, "path": path}
    status = 400 if data is not None else 200
    return render(request, "training/path_form.html", context, status=status)


@login_required
def path_create(request):
    return path_form_page(request)


@login_required
def path_edit(request, pk):
    return path_form_page(request, get_path(request, pk))


@login_required
@require_POST
def path_publish(request, pk):
    path = get_path(request, pk)
    require_office(request.user)
    try:
        services.publish_path(Actor.from_request(request), path)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The path is in the catalogue of the Comuni."))
    return redirect("training:path_detail", pk=path.pk)


@login_required
@require_POST
def path_unpublish(request, pk):
    path = get_path(request, pk)
    require_office(request.user)
    try:
        services.unpublish_path(Actor.from_request(request), path)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The path is no longer in the catalogue of the Comuni."))
    return redirect("training:path_detail", pk=path.pk)
