"""Public OCDS publication of the SUA procedures (see ocds.export), mounted at /opendata/ocds/."""

from django.urls import path

from casacomuni.procurement.ocds import views as ocds_views

app_name = "ocds"
urlpatterns = [
    path("", ocds_views.policy, name="policy"),
    path("releases.json", ocds_views.releases, name="releases"),
    path("records/<str:ocid>.json", ocds_views.record, name="record"),
]
