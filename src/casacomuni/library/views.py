"""Pages of the model library (Biblioteca dei modelli), under /rete/modelli/.

Thin views: reads through the models' ``for_user`` (another library's draft, or another Province's model, is a
404), writes through ``library.services``; a refusal comes back as the form with its Italian error, or as a
message on the model's page, and writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import DATA_OFFICE_ROLES, Role
from casacomuni.lib.downloads import stream
from casacomuni.lib.forms import refused
from casacomuni.library import figures, forms, services
from casacomuni.library.models import LibraryModel, ModelKind, ModelVersion, VersionFile

PAGE_SIZE = 50


def readable_models(request):
    return LibraryModel.objects.for_user(request.user).select_related(
        "owner", "current_version", "origin_version__model__current_version"
    )


def get_model(request, pk) -> LibraryModel:
    return get_object_or_404(readable_models(request), pk=pk)


def get_version(request, pk) -> ModelVersion:
    return get_object_or_404(ModelVersion.objects.for_user(request.user).select_related("model"), pk=pk)


def writes_library(request) -> bool:
    try:
        services.library_of(Actor.from_request(request))
    except PermissionDenied:
        return False
    return True


@login_required
def model_list(request):
    if tenancy.acting_organization(request.user) is None:
        raise PermissionDenied
    own = tenancy.acting_organization(request.user)
    filters = forms.FilterForm(request.GET or None)
    listed = filters.filter(readable_models(request)).annotate(
        adoptions=Count("versions__adoptions", distinct=True)
    )
    page = Paginator(listed.order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "own": own,
        "can_write": writes_library(request),
        "updates": readable_models(request).filter(owner=own, origin_version__isnull=False),
    }
    context["updates"] = [copy for copy in context["updates"] if copy.update_number is not None]
    return render(request, "library/model_list.html", context)


def adoption_of(request, model: LibraryModel) -> LibraryModel | None:
    """The acting Province's copy of ``model``, if it adopted it."""
    province = tenancy.as_province(request.user)
    if province is None:
        return None
    return LibraryModel.objects.filter(owner=province, origin_version__model=model).first()


@login_required
def model_detail(request, pk):
    model = get_model(request, pk)
    actor = Actor.from_request(request)
    versions = (
        ModelVersion.objects.for_user(request.user)
        .filter(model=model)
        .prefetch_related("files")
        .order_by("-number")
    )
    editor = services.may_edit(actor, model)
    province = tenancy.as_province(request.user)
    current = model.current_version
    context = {
        "model": model,
        "versions": versions,
        "editor": editor,
        "copy": adoption_of(request, model),
        "may_adopt": province is not None and model.owner_id != province.pk and not model.is_copy,
        "where_used": figures.where_used(model),
        "show_adopters": editor or tenancy.as_upi(request.user) is not None,
        "template_form": None,
        "may_start_questionnaire": False,
    }
    if current is not None and province is not None:
        if model.kind == ModelKind.CONVENTION and tenancy.has_role(request.user, Role.PROVINCE_ADMIN):
            form = forms.AgreementTemplateForm(files=current.files.all())
            context["template_form"] = form if form.fields["file"].choices else None
        context["may_start_questionnaire"] = (
            model.kind == ModelKind.QUESTIONNAIRE
            and bool(current.questionnaire)
            and tenancy.has_role(request.user, *DATA_OFFICE_ROLES)
        )
    return render(request, "library/model_detail.html", context)


@login_required
def model_create(request):
    actor = Actor.from_request(request)
    services.library_of(actor)
    form = forms.NewModelForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            model = services.create_model(actor, form.to_model_data(), form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The model was saved as a draft: publish it when it is ready."))
            return redirect("library:model_detail", pk=model.pk)
    status = 400 if form.errors else 200
    return render(request, "library/model_form.html", {"form": form}, status=status)


@login_required
def version_create(request, pk):
    model = get_model(request, pk)
    actor = Actor.from_request(request)
    services.require_editor(actor, model)
    latest = model.versions.order_by("-number").first()
    kept = list(latest.files.all()) if latest else []
    initial = {}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in ("title", "legal_basis", "description")}
        initial["questionnaire"] = services.json_text(latest.questionnaire)
    initial["local_notes"] = model.local_notes
    form = forms.VersionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        files_kept=kept,
        kind=model.kind,
        is_copy=model.is_copy,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_version(actor, model, form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The new version was saved as a draft: publish it when it is ready."))
            return redirect("library:model_detail", pk=model.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "model": model, "latest": latest}
    return render(request, "library/version_form.html", context, status=status)


def _act(request, version: ModelVersion, action, success: str):
    """Run a write on ``version`` and go back to its model's page, with the outcome as a message."""
    try:
        action(Actor.from_request(request), version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def version_publish(request, pk):
    version = get_version(request, pk)
    _act(request, version, services.publish_version, _("The version was published."))
    return redirect("library:model_detail", pk=version.model_id)


@login_required
@require_POST
def version_adopt(request, pk):
    version = get_version(request, pk)
    try:
        copy = services.adopt_version(Actor.from_request(request), version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("library:model_detail", pk=version.model_id)
    messages.success(request, _("The model is now in your library: adapt it with a new version of your own."))
    return redirect("library:model_detail", pk=copy.pk)


def get_copy(request, pk) -> LibraryModel:
    """A copy the acting Province may update (its own): another library's model is a 404."""
    model = get_model(request, pk)
    if not model.is_copy or not services.may_edit(Actor.from_request(request), model):
        raise PermissionDenied
    return model


@login_required
def update(request, pk):
    copy = get_copy(request, pk)
    context = {"model": copy, "update": services.pending_update(copy)}
    return render(request, "library/update.html", context)


@login_required
@require_POST
def update_accept(request, pk):
    copy = get_copy(request, pk)
    try:
        version = services.accept_update(Actor.from_request(request), copy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your copy follows the new version now (its version %(number)d); your local notes are kept.")
            % {"number": version.number},
        )
    return redirect("library:model_detail", pk=copy.pk)


@login_required
@require_POST
def update_dismiss(request, pk):
    copy = get_copy(request, pk)
    try:
        services.dismiss_update(Actor.from_request(request), copy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The update was dismissed: you will be told of the next version."))
    return redirect("library:model_detail", pk=copy.pk)


@login_required
def file_download(request, pk):
    stored = get_object_or_404(
        VersionFile.objects.filter(version__in=ModelVersion.objects.for_user(request.user)), pk=pk
    )
    return stream(stored.file, stored.original_name)


@login_required
@require_POST
def start_template(request, pk):
    # Only a Province's administrator uploads the agreements' template (documents.services.upload_template).
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    version = get_version(request, pk)
    form = forms.AgreementTemplateForm(request.POST, files=version.files.all())
    if not form.is_valid():
        messages.error(request, _("Choose a DOCX file of this version."))
        return redirect("library:model_detail", pk=version.model_id)
    chosen = version.files.get(pk=form.cleaned_data["file"])
    try:
        services.start_agreement_template(Actor.from_request(request), version, chosen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("library:model_detail", pk=version.model_id)
    messages.success(request, _("The agreements now use this model as their document template."))
    return redirect("documents:templates")


@login_required
@require_POST
def start_questionnaire(request, pk):
    if tenancy.as_data_office(request.user) is None:
        raise PermissionDenied
    version = get_version(request, pk)
    try:
        _use, questionnaire_id = services.start_questionnaire(Actor.from_request(request), version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("library:model_detail", pk=version.model_id)
    messages.success(request, _("The questionnaire was created from the model: adapt it before a campaign."))
    return redirect("insights:questionnaire_detail", pk=questionnaire_id)


@login_required
def transfer(request):
    """UPI's measure of the transfer of models: adoptions and uses per national model and per Province."""
    upi = tenancy.as_upi(request.user)
    if upi is None:
        raise PermissionDenied
    context = {
        "models": figures.transfer_by_model(upi),
        "provinces": figures.transfer_by_province(),
    }
    return render(request, "library/transfer.html", context)
