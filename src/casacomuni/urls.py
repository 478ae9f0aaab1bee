from django.urls import include, path

from casacomuni.api.core import api

urlpatterns = [
    path("", include("casacomuni.web.urls")),
    path("account/", include("casacomuni.accounts.urls")),
    path("territorio/", include("casacomuni.territory.urls")),
    path("audit/", include("casacomuni.audit.urls")),
    path("documenti/", include("casacomuni.documents.urls")),
    path("convenzioni/", include("casacomuni.agreements.urls")),
    path("appalti/", include("casacomuni.procurement.urls")),
    path("europa/", include("casacomuni.eufunds.urls")),
    path("progetti/", include("casacomuni.projects.urls")),
    path("formazione/", include("casacomuni.training.urls")),
    path("rete/modelli/", include("casacomuni.library.urls")),
    path("rete/esperienze/", include("casacomuni.experiences.urls")),
    path("sportello/", include("casacomuni.helpdesk.urls")),
    path("calendario/", include("casacomuni.agenda.urls")),
    path("notifiche/", include("casacomuni.inbox.urls")),
    path("dati/", include("casacomuni.insights.urls")),
    path("indicatori/", include("casacomuni.indicators.urls")),
    # Before the Provinces' catalogues: "ocds" is no Province's sigla.
    path("opendata/ocds/", include("casacomuni.procurement.ocds.urls")),
    path("opendata/", include("casacomuni.opendata.urls")),
    path("api/v1/", api.urls),
]

handler400 = "casacomuni.web.views.bad_request"
handler403 = "casacomuni.web.views.permission_denied"
handler404 = "casacomuni.web.views.page_not_found"
handler500 = "casacomuni.web.views.server_error"
