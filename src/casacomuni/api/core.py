"""The API at /api/v1/: one NinjaAPI to which each app contributes the router in its ``api.py``."""

from django.conf import settings
from ninja import NinjaAPI, Schema

from casacomuni.api import problems
from casacomuni.api.auth import authenticated

api = NinjaAPI(
    title="Casa dei Comuni API",
    version="1",
    description=(
        "API of Casa dei Comuni. Authenticate with a personal access token (`Authorization: Bearer …`), "
        "created in your profile or with `casacomuni create_token USERNAME`. Lists answer "
        '`{"items": [...], "count": N}` and take `limit` and `offset`; errors are `application/problem+json`.'
    ),
    urls_namespace="api",
    auth=authenticated,
    openapi_url="/openapi.json",
    docs_url="/docs",
)
problems.install(api)


class StatusOut(Schema):
    status: str
    version: str
    database: str


@api.get("/status", auth=None, response=StatusOut, tags=["status"], summary="Service status")
def status(request):
    from django.db import connection

    connection.ensure_connection()
    return {
        "status": "ok",
        "version": api.version,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }


def _register_routers() -> None:
    from casacomuni.accounts.api import router as accounts_router
    from casacomuni.agreements.api import router as agreements_router
    from casacomuni.audit.api import router as audit_router
    from casacomuni.eufunds.api import router as eufunds_router
    from casacomuni.experiences.api import router as experiences_router
    from casacomuni.indicators.api import router as indicators_router
    from casacomuni.insights.api import router as insights_router
    from casacomuni.opendata.api import router as opendata_router
    from casacomuni.procurement.bidding.api import router as procurement_bidding_router
    from casacomuni.procurement.bidding.session_api import router as procurement_session_router
    from casacomuni.procurement.calculators.api import router as procurement_calculators_router
    from casacomuni.procurement.calculators.code_api import router as codes_router
    from casacomuni.procurement.dashboards.api import router as procurement_stats_router
    from casacomuni.procurement.procedures.api import router as procurement_procedures_router
    from casacomuni.procurement.register.api import router as operators_router
    from casacomuni.procurement.requests.api import router as procurement_requests_router
    from casacomuni.projects.api import router as projects_router
    from casacomuni.territory.api import router as territory_router
    from casacomuni.training.api import router as training_router

    api.add_router("/audit", audit_router)
    api.add_router("/codes", codes_router)
    api.add_router("/eufunds", eufunds_router)
    api.add_router("/eufunds", projects_router)
    api.add_router("/insights", insights_router)
    api.add_router("/insights", indicators_router)
    api.add_router("/opendata", opendata_router)
    api.add_router("/procurement", procurement_calculators_router)
    api.add_router("/procurement", procurement_requests_router)
    api.add_router("/procurement", procurement_procedures_router)
    api.add_router("/procurement", procurement_bidding_router)
    api.add_router("/procurement", procurement_session_router)
    api.add_router("/procurement", procurement_stats_router)
    api.add_router("/territory", territory_router)
    api.add_router("/training", training_router)
    api.add_router("/", accounts_router)
    api.add_router("/", agreements_router)
    api.add_router("/", operators_router)
    api.add_router("/", experiences_router)


_register_routers()
