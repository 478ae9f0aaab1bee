"""Pages of the open-data catalogues.

Public (no login): the national index of the Provinces with a catalogue, a Province's catalogue, a
dataset's page, its files and the harvestable catalogue in Turtle and JSON-LD. A Province that is not on
the platform, or has published nothing, answers 404; so does an unpublished dataset.

For the Province's administrator and data officers (403 for other roles, 404 for another Province's
dataset): the list of its datasets, creation from a data source, metadata, publication and regeneration,
and the catalogue's settings. Thin views: reads through the QuerySets, writes through opendata.services.
"""

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import DATA_OFFICE_ROLES
from casacomuni.lib.forms import refused
from casacomuni.opendata import dcat, forms, services
from casacomuni.opendata.generators import available_generators
from casacomuni.opendata.models import Catalog, Dataset, Distribution

PAGE_SIZE = 25

ACTIONS = {
    "publish": (services.publish_dataset, gettext_lazy("The dataset is published.")),
    "unpublish": (services.unpublish_dataset, gettext_lazy("The dataset is no longer published.")),
    "regenerate": (services.regenerate_dataset, gettext_lazy("The files were regenerated.")),
}


# --- Public pages ------------------------------------------------------------------------------------------


def index(request):
    """The Provinces that publish open data on the platform, with the number of their datasets."""
    catalogs = Catalog.objects.public().order_by("province__province__name")
    page = Paginator(catalogs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opendata/index.html", {"page": page})


def public_catalog(sigla: str) -> Catalog:
    catalog = Catalog.objects.public().of_sigla(sigla).select_related("province").first()
    if catalog is None:
        raise Http404
    return catalog


def published_datasets(catalog: Catalog):
    distributions = Prefetch("distributions", queryset=Distribution.objects.order_by("format"))
    return (
        Dataset.objects.published()
        .filter(province=catalog.province)
        .prefetch_related(distributions)
        .order_by("title", "pk")
    )


def catalog_page(request, sigla):
    catalog = public_catalog(sigla)
    page = Paginator(published_datasets(catalog), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opendata/catalog.html", {"catalog": catalog, "page": page, "sigla": sigla})


def dataset_page(request, sigla, slug):
    catalog = public_catalog(sigla)
    dataset = get_object_or_404(published_datasets(catalog), slug=slug)
    context = {
        "catalog": catalog,
        "dataset": dataset,
        "identifier": dataset.identifier(catalog.ipa_code),
        "distributions": list(dataset.distributions.all()),
        "sigla": sigla,
    }
    return render(request, "opendata/dataset.html", context)


def download(request, sigla, slug, extension):
    """A published dataset's file, under a stable address (the DCAT downloadURL)."""
    distribution = get_object_or_404(
        Distribution.objects.filter(dataset__published=True, dataset__slug=slug).filter(
            dataset__province__province__sigla=sigla.upper(), format=extension.upper()
        )
    )
    response = FileResponse(
        distribution.file.open("rb"),
        filename=f"{slug}.{extension}",
        content_type=f"{distribution.media_type}; charset=utf-8",
    )
    response["ETag"] = f'"{distribution.sha256}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalog_rdf(request, sigla, extension):
    """The catalogue in DCAT-AP_IT, as dati.gov.it harvests it."""
    catalog = public_catalog(sigla)
    # The platform's public address, not the request's host: the URIs identify the datasets and must not
    # change with the address a harvester used.
    links = dcat.Links(settings.CASACOMUNI_BASE_URL, sigla)
    graph = dcat.catalog_graph(catalog, published_datasets(catalog), links)
    response = HttpResponse(dcat.serialize(graph, extension), content_type=dcat.FORMATS[extension][1])
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Officers' pages ---------------------------------------------------------------------------------------


def require_officer(request) -> None:
    tenancy.require_role(request.user, *DATA_OFFICE_ROLES)


@login_required
def manage(request):
    require_officer(request)
    datasets = (
        Dataset.objects.for_user(request.user)
        .prefetch_related(Prefetch("distributions", queryset=Distribution.objects.order_by("format")))
        .order_by("title", "pk")
    )
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "catalog": Catalog.objects.for_user(request.user).select_related("province__province").first(),
        "organization": tenancy.acting_organization(request.user),
        "generators": available_generators(),
    }
    return render(request, "opendata/manage/list.html", context)


@login_required
def dataset_create(request):
    require_officer(request)
    initial = forms.NewDatasetForm.initial_for(request.GET.get("generator"))
    form = forms.NewDatasetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(Actor.from_request(request), form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The dataset was created."))
            return redirect("opendata:dataset_edit", pk=dataset.pk)
    return render(request, "opendata/manage/create.html", {"form": form}, status=400 if form.errors else 200)


def officer_dataset(request, pk) -> Dataset:
    require_officer(request)
    return get_object_or_404(
        Dataset.objects.for_user(request.user).select_related("province__province"), pk=pk
    )


def render_edit(request, dataset, form, error: str = "", status: int = 200):
    catalog = Catalog.objects.filter(province=dataset.province).first()
    context = {
        "dataset": dataset,
        "form": form,
        "error": error,
        "catalog": catalog,
        "identifier": dataset.identifier(catalog.ipa_code) if catalog else "",
        "distributions": list(dataset.distributions.order_by("format")),
        "sigla": dataset.province.province.sigla,
    }
    return render(request, "opendata/manage/edit.html", context, status=status)


@login_required
def dataset_edit(request, pk):
    dataset = officer_dataset(request, pk)
    form = forms.DatasetForm(request.POST or None, initial=forms.DatasetForm.initial_from(dataset))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_dataset(Actor.from_request(request), dataset, form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The metadata were saved."))
            return redirect("opendata:dataset_edit", pk=dataset.pk)
    return render_edit(request, dataset, form, status=400 if form.errors else 200)


@require_POST
@login_required
def dataset_action(request, pk, action):
    dataset = officer_dataset(request, pk)
    if action not in ACTIONS:
        raise Http404
    operation, done = ACTIONS[action]
    try:
        operation(Actor.from_request(request), dataset)
    except ValidationError as error:
        dataset.refresh_from_db()
        form = forms.DatasetForm(initial=forms.DatasetForm.initial_from(dataset))
        return render_edit(request, dataset, form, " ".join(error.messages), status=400)
    messages.success(request, done)
    return redirect("opendata:dataset_edit", pk=dataset.pk)


@login_required
def catalog_edit(request):
    require_officer(request)
    catalog = Catalog.objects.for_user(request.user).first()
    organization = tenancy.acting_organization(request.user)
    initial = (
        {name: getattr(catalog, name) for name in ("ipa_code", "title", "description", "homepage")}
        if catalog
        else asdict(services.default_catalog_data(organization))
    )
    form = forms.CatalogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_catalog(Actor.from_request(request), form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The catalogue's settings were saved."))
            return redirect("opendata:manage")
    return render(
        request,
        "opendata/manage/catalog.html",
        {"form": form, "catalog": catalog},
        status=400 if form.errors else 200,
    )
