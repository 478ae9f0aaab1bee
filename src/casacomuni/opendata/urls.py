from django.urls import path, register_converter

from casacomuni.opendata import views


class SiglaConverter:
    """A province's abbreviation, in either case (the views upper-case it)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value.lower()


class ExtensionConverter:
    regex = "csv|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SiglaConverter, "sigla")
register_converter(ExtensionConverter, "fileext")

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("gestione/", views.manage, name="manage"),
    path("gestione/catalogo/", views.catalog_edit, name="catalog_edit"),
    path("gestione/nuovo/", views.dataset_create, name="dataset_create"),
    path("gestione/<int:pk>/", views.dataset_edit, name="dataset_edit"),
    path("gestione/<int:pk>/<str:action>/", views.dataset_action, name="dataset_action"),
    path("<sigla:sigla>/", views.catalog_page, name="catalog_page"),
    path("<sigla:sigla>/catalog.ttl", views.catalog_rdf, {"extension": "ttl"}, name="catalog_ttl"),
    path("<sigla:sigla>/catalog.jsonld", views.catalog_rdf, {"extension": "jsonld"}, name="catalog_jsonld"),
    path("<sigla:sigla>/dataset/<slug:slug>/", views.dataset_page, name="dataset_page"),
    path("<sigla:sigla>/dataset/<slug:slug>.<fileext:extension>", views.download, name="download"),
]
