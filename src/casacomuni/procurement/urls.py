from django.urls import path

from casacomuni.procurement import views

app_name = "procurement"
urlpatterns = [
    path("calcolatori/soglia-di-anomalia/", views.anomaly_calculator, name="anomaly_calculator"),
    path("calcolatori/procedura/", views.route_calculator, name="route_calculator"),
]
