from django.urls import path

from casacomuni.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.regions, name="regions"),
    path("regione/<str:code>/", views.region, name="region"),
    path("province.geojson", views.provinces_boundary, name="provinces_boundary"),
    path("provincia/<str:sigla>/", views.province, name="province"),
    path("provincia/<str:sigla>/confini.geojson", views.province_boundary, name="province_boundary"),
    path(
        "provincia/<str:sigla>/comuni.geojson",
        views.province_municipalities_boundary,
        name="province_municipalities_boundary",
    ),
    path("comune/<str:istat_code>/", views.municipality, name="municipality"),
    path("cerca/", views.search, name="search"),
]
