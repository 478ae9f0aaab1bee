"""The SUA procedures' dashboards in a real browser: the SUA officer's dashboard and home card, UPI's
national page, and the public page of the OCDS publication. Every page respects the strict CSP, raises no
script error and passes axe (WCAG 2.1 AA). Figures are found by element id (the interface strings are
translated after this test was written)."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.procurement.procedures.models import ProcedureState
from casacomuni.procurement.procedures.testing import write_procedure
from casacomuni.territory.models import Municipality

pytestmark = pytest.mark.browser


@pytest.fixture
def treviso_procedures(funzionario_sua):
    """The SUA of Treviso ran procedures for Castelfranco Veneto and Montebelluna: one with a contract
    signed (two lots), one taking offers."""
    province_org = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla="TV")
    castelfranco = Organization.objects.get(name="Comune di Castelfranco Veneto")
    montebelluna = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Montebelluna",
        province=province_org.province,
        municipality=Municipality.objects.current().get(name="Montebelluna"),
    )
    side = SimpleNamespace(province=province_org.province, province_org=province_org, comune=castelfranco)
    world = SimpleNamespace(
        operator=Organization.objects.create(
            kind=OrganizationKind.OPERATOR, name="Costruzioni Piave S.p.A.", fiscal_code="01234567897"
        ),
        other_operator=Organization.objects.create(
            kind=OrganizationKind.OPERATOR, name="Strade Venete S.r.l.", fiscal_code="00743110157"
        ),
    )
    published = timezone.make_aware(datetime(timezone.localdate().year, 1, 2, 12, 0))
    signed = write_procedure(
        side,
        world,
        ProcedureState.CONTRACT_SIGNED,
        parties=[castelfranco, montebelluna],
        published_at=published,
    )
    write_procedure(side, world, ProcedureState.BIDS_OPEN, published_at=published)
    return signed


def test_sua_dashboard_national_page_and_open_data(
    checked_page, live_server, log_in, funzionario_sua, dirigente_upi, treviso_procedures
):
    page = checked_page.page

    def url(name: str, **kwargs) -> str:
        return live_server.url + reverse(name, kwargs=kwargs)

    log_in(funzionario_sua)
    page.goto(url("procurement:dashboard"))
    checked_page.assert_clean()
    expect(page.locator("#figure-lots-awarded")).to_have_text("2")
    expect(page.locator("#figure-comuni")).to_have_text("2")
    expect(page.locator("#procedures-by-state td[data-state=contract_signed]")).to_have_text("1")
    expect(page.locator("#days-publication-award")).to_have_text("40,0")
    expect(page.locator("#procedures-csv")).to_have_attribute("href", reverse("procurement:procedures_csv"))
    for chart in ("awards-by-month", "procedures-by-state", "requests-by-state", "top-cpv"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"#chart-{chart} svg")).to_be_visible()

    # Filtering by one of the two Comuni: its lot only, in the figures and in the chart's table.
    page.select_option("#id_municipality", label="Comune di Montebelluna")
    page.locator("#dashboard-filters button[type=submit]").click()
    expect(page.locator("#figure-lots-awarded")).to_have_text("1")
    expect(page.locator("#chart-awards-by-month")).to_have_attribute("data-rendered", "true")
    checked_page.assert_clean()

    page.goto(url("web:dashboard"))
    checked_page.assert_clean()
    expect(page.locator("#card-procedures-in-progress")).to_have_text("1")
    expect(page.locator("#card-lots-awarded")).to_have_text("2")

    page.context.clear_cookies()
    log_in(dirigente_upi)
    page.goto(url("procurement:national_dashboard"))
    checked_page.assert_clean()
    treviso = page.locator("#national-table tr[data-province=TV]")
    expect(treviso.locator("td").nth(1)).to_have_text("2")
    expect(page.locator("#national-totals td").nth(1)).to_have_text("2")

    page.context.clear_cookies()
    page.goto(url("ocds:policy"))
    checked_page.assert_clean()
    response = page.request.get(url("ocds:record", ocid=treviso_procedures.ocid))
    assert response.ok
    assert [r["tag"] for r in response.json()["records"][0]["releases"]] == [
        ["tender"],
        ["award"],
        ["contract"],
    ]
