"""API of the applications, funded projects and results, mounted at /api/v1/eufunds: one router (one tag in
the OpenAPI document) made of the sub-packages' routers, ``applications.api``, ``funded.api`` and
``results.api``.

Reads go through ``for_user`` (404 for another tenant's object), writes through the sub-packages' services.
Errors (problem+json): 400 invalid data, 403 a role that may not act or a Comune without an EU-funds
adhesion, 404 an unknown or unreadable object (a call outside the caller's catalogue included), 409 an
action the application's status does not allow, or an expense for a period whose statement was submitted.
"""

from ninja import Router

from casacomuni.projects.applications.api import router as applications_router
from casacomuni.projects.funded.api import router as funded_router
from casacomuni.projects.results.api import router as results_router

router = Router(tags=["applications and funded projects"])
router.add_router("", applications_router)
router.add_router("", funded_router)
router.add_router("", results_router)
