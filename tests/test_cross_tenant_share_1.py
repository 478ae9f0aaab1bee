"""Share 1 of 3 of the personas of the cross-tenant matrix (see test_cross_tenant.persona_share)."""

import pytest

from test_cross_tenant import check_persona, persona_share, tenant_world  # noqa: F401 (a fixture)


@pytest.mark.parametrize("persona", persona_share(0))
def test_persona_reaches_nothing_of_other_tenants(client, tenant_world, persona):  # noqa: F811
    check_persona(client, tenant_world, persona)
