from django.urls import path

from casacomuni.procurement.bidding import views as bidding_views
from casacomuni.procurement.calculators import views as calculator_views
from casacomuni.procurement.dashboards import views as dashboard_views
from casacomuni.procurement.market import views as market_views
from casacomuni.procurement.procedures import exports as procedure_exports
from casacomuni.procurement.procedures import views as procedure_views
from casacomuni.procurement.register import views as register_views
from casacomuni.procurement.requests import views as request_views

app_name = "procurement"
urlpatterns = [
    path("calcolatori/soglia-di-anomalia/", calculator_views.anomaly_calculator, name="anomaly_calculator"),
    path("calcolatori/procedura/", calculator_views.route_calculator, name="route_calculator"),
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

# The SUA's procedures: from accepted requests to awarded contracts (see procedures.views).
urlpatterns += [
    path("procedure/", procedure_views.procedure_list, name="procedure_list"),
    path("procedure/nuova/", procedure_views.procedure_create, name="procedure_create"),
    path("procedure/<int:pk>/", procedure_views.procedure_detail, name="procedure_detail"),
    path("procedure/<int:pk>/pubblica/", procedure_views.procedure_public, name="procedure_public"),
    path("procedure/<int:pk>/modifica/", procedure_views.procedure_edit, name="procedure_edit"),
    path(
        "procedure/<int:pk>/azioni/<str:action>/", procedure_views.procedure_action, name="procedure_action"
    ),
    path("procedure/<int:pk>/chiarimenti/", procedure_views.clarification_ask, name="clarification_ask"),
    path(
        "procedure/<int:pk>/chiarimenti/<int:clarification_pk>/risposta/",
        procedure_views.clarification_answer,
        name="clarification_answer",
    ),
    path("procedure/<int:pk>/lotti/<int:lot_pk>/", procedure_views.lot_edit, name="lot_edit"),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/inviti/",
        procedure_views.lot_invitations,
        name="lot_invitations",
    ),
    path("procedure/<int:pk>/lotti/<int:lot_pk>/offerte/", procedure_views.bid_record, name="bid_record"),
    path(
        "procedure/<int:pk>/offerte/<int:bid_pk>/<str:decision>/",
        procedure_views.bid_decide,
        name="bid_decide",
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/valutazione/",
        procedure_views.lot_evaluate,
        name="lot_evaluate",
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/aggiudicazione/", procedure_views.lot_award, name="lot_award"
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/contratto/", procedure_views.lot_contract, name="lot_contract"
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/verbale.<str:fmt>",
        procedure_views.lot_minutes,
        name="lot_minutes",
    ),
]

# Dashboards and the CSV export of the procedures: see dashboards.views, procedures.exports.
urlpatterns += [
    path("cruscotto/", dashboard_views.dashboard, name="dashboard"),
    path("cruscotto/nazionale/", dashboard_views.national, name="national_dashboard"),
    path("esportazioni/procedure.csv", procedure_exports.procedures_csv, name="procedures_csv"),
]

# Online bids (gare telematiche): the operator's bid on a lot, and the commission's session (see bidding.views).
urlpatterns += [
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/offerta-telematica/",
        bidding_views.online_bid,
        name="online_bid",
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/offerta-telematica/ricevute/<int:bid_pk>/",
        bidding_views.receipt,
        name="online_bid_receipt",
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/offerta-telematica/<str:action>/",
        bidding_views.online_bid_action,
        name="online_bid_action",
    ),
    path("procedure/<int:pk>/seduta/", bidding_views.session, name="bid_session"),
    path("procedure/<int:pk>/seduta/registro/", bidding_views.session_log, name="session_log"),
    path("procedure/<int:pk>/seduta/verbale.pdf", bidding_views.session_minutes, name="session_minutes"),
    path("procedure/<int:pk>/seduta/commissione/", bidding_views.commission_add, name="commission_add"),
    path(
        "procedure/<int:pk>/seduta/commissione/<int:member_pk>/dichiarazione/",
        bidding_views.commission_declaration,
        name="commission_declaration",
    ),
    path(
        "procedure/<int:pk>/seduta/offerte/<int:bid_pk>/punteggi/<int:member_pk>/",
        bidding_views.technical_score,
        name="technical_score",
    ),
    path(
        "procedure/<int:pk>/seduta/offerte/<int:bid_pk>/soccorso-istruttorio/",
        bidding_views.integration_request,
        name="integration_request",
    ),
    path(
        "procedure/<int:pk>/lotti/<int:lot_pk>/offerta-telematica/soccorso-istruttorio/<int:request_pk>/",
        bidding_views.integration_answer,
        name="integration_answer",
    ),
    path(
        "procedure/<int:pk>/seduta/apri/<str:envelope>/", bidding_views.open_envelopes, name="open_envelopes"
    ),
    path(
        "procedure/<int:pk>/seduta/documenti/<int:document_pk>/",
        bidding_views.document,
        name="sealed_document",
    ),
]
