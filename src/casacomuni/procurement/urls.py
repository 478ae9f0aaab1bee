from django.urls import path

from casacomuni.procurement import market_views, request_views, views

app_name = "procurement"
urlpatterns = [
    path("calcolatori/soglia-di-anomalia/", views.anomaly_calculator, name="anomaly_calculator"),
    path("calcolatori/procedura/", views.route_calculator, name="route_calculator"),
    path("richieste/", request_views.request_list, name="request_list"),
    path("richieste/nuova/", request_views.request_create, name="request_create"),
    path("richieste/<int:pk>/", request_views.request_detail, name="request_detail"),
    path("richieste/<int:pk>/modifica/", request_views.request_resubmit, name="request_resubmit"),
    path("richieste/<int:pk>/<str:action>/", request_views.request_action, name="request_action"),
    path(
        "richieste/<int:pk>/allegati/<int:attachment_pk>/",
        request_views.attachment_download,
        name="request_attachment",
    ),
    path("dati-di-mercato/", market_views.market, name="market"),
    path("dati-di-mercato/<int:pk>/", market_views.market_release, name="market_release"),
]
