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

# The operators' register (albo fornitori) of the Province's SUA: see register_views.
from casacomuni.procurement import register_views  # noqa: E402

urlpatterns += [
    path("albo/", register_views.register_list, name="register_list"),
    path("albo/mie-iscrizioni/", register_views.register_mine, name="register_mine"),
    path("albo/iscrizione/", register_views.register_apply, name="register_apply"),
    path("albo/nuovo-operatore/", register_views.register_create, name="register_create"),
    path("albo/<int:pk>/", register_views.register_detail, name="register_detail"),
    path("albo/<int:pk>/documenti/", register_views.register_document_add, name="register_document_add"),
    path(
        "albo/<int:pk>/documenti/<int:document_pk>/",
        register_views.register_document,
        name="register_document",
    ),
    path("albo/<int:pk>/<str:action>/", register_views.register_action, name="register_action"),
]
