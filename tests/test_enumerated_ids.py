"""Sequential ids are guessable: the matrix inside one Province, by enumeration (issue 19.4).

Every id of these objects in use, and the next one, is asked for on its page and its API operation by the
personas whose neighbours share their Province or their albo: a Comune and a Unione of the same Province, and an
operator beside two other companies of the same albo. Only the rows the model's ``for_user`` gives the persona
may answer (docs/tenancy-policy.md writes that policy down per model); any other id is a 403 or a 404, whoever owns
it. This catches a page or an operation that reads around its model's policy; the policy itself is checked against
hand-written expectations, persona by persona, in ``test_cross_tenant.py`` (widening one ``for_user`` to the whole
Province fails there).
"""

import pytest
from django.apps import apps
from django.urls import reverse

from test_cross_tenant import login, tenant_world  # noqa: F401 (a fixture)

ENUMERATED_OBJECTS = {
    "procurement.Procedure": ("procurement:procedure_detail", "/api/v1/procurement/procedures/{}"),
    "procurement.ProcurementRequest": ("procurement:request_detail", "/api/v1/procurement/requests/{}"),
    "procurement.RegisteredOperator": ("procurement:register_detail", "/api/v1/operators/{}"),
    "projects.Application": ("projects:application_detail", "/api/v1/eufunds/applications/{}"),
    "projects.FundedProject": ("projects:project_detail", "/api/v1/eufunds/projects/{}"),
    "agreements.Agreement": ("agreements:detail", "/api/v1/agreements/{}"),
    "insights.Response": ("insights:response_detail", None),
}


@pytest.mark.parametrize("persona", ["referente_comune", "referente_unione", "operatore_economico"])
def test_enumerated_ids_reach_only_what_for_user_gives(client, tenant_world, persona):  # noqa: F811
    login(client, tenant_world, persona)
    user = tenant_world.acting(persona)
    answered = 0
    for label, (url_name, api_path) in ENUMERATED_OBJECTS.items():
        model = apps.get_model(label)
        readable = set(model.objects.for_user(user).values_list("pk", flat=True))
        # Every id in use, and the next one. Not every number from 1: on PostgreSQL the sequences run on across
        # the tests a worker has run before (rolled-back rows keep their numbers), and the gaps hold no row.
        ids = sorted(model.objects.values_list("pk", flat=True))
        for pk in [*ids, (ids[-1] if ids else 0) + 1]:
            urls = [reverse(url_name, args=[pk])] + ([api_path.format(pk)] if api_path else [])
            for url in urls:
                status = client.get(url).status_code
                # A row the persona reads may still be refused to its role (403), never hidden or broken.
                allowed = (200, 403) if pk in readable else (403, 404)
                assert status in allowed, f"{persona} GET {url} ({label} {pk}): {status}"
                answered += status == 200
    assert answered, f"{persona} opened none of its own objects: the enumeration proves nothing"
