from django.urls import path

from casacomuni.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.home, name="home"),
    path("comune/<str:istat_code>/", views.municipality, name="municipality"),
    path("comune/<str:istat_code>/<slug:chart>.csv", views.municipality_csv, name="municipality_csv"),
    path("provincia/<str:sigla>/", views.province, name="province"),
    path("provincia/<str:sigla>/<slug:chart>.csv", views.province_csv, name="province_csv"),
    path("nazionale/", views.national, name="national"),
    path("nazionale/<slug:chart>.csv", views.national_csv, name="national_csv"),
    path("calcola/", views.compute, name="compute"),
]
