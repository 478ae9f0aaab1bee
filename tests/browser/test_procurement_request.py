"""A procurement request in a real browser: a Comune with an adhesion to the SUA of its Province sends a
request with its project; the SUA officer asks for changes; the Comune sends it again; the SUA accepts it.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The new
interface strings are translated after this test was written, so it finds fields by name and forms by the
action they post to, and compares the state shown with the catalogue's translation of the model's labels.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.requests.models import ProcurementRequest, RequestState
from casacomuni.procurement.testing import sua_adhesion
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

TITLE = "Riqualificazione energetica della scuola primaria Giovanni XXIII"
REASON = "Allegare il computo metrico estimativo e aggiornare l'importo."


@pytest.fixture
def montebelluna(territory):
    """The Province of Treviso with an SUA officer; Montebelluna, with a referent, joined its SUA."""
    treviso = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=treviso
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Montebelluna",
        province=treviso,
        municipality=Municipality.objects.current().get(name="Montebelluna"),
    )
    sua_adhesion(SimpleNamespace(province=treviso, province_org=province_org), comune)
    referent = User.objects.create_user("referente_montebelluna", password=PASSWORD, first_name="Rita")
    Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sergio")
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    return referent, officer


@pytest.fixture
def project_pdf(tmp_path):
    path = tmp_path / "progetto-esecutivo.pdf"
    path.write_bytes(act_pdf(["Comune di Montebelluna", f"Progetto esecutivo: {TITLE}"]))
    return path


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_a_comune_sends_a_request_the_sua_asks_for_changes_then_accepts_it(
    checked_page, live_server, log_in, montebelluna, project_pdf
):
    referent, officer = montebelluna
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def state_shown(state: RequestState) -> None:
        expect(page.locator("#request-state")).to_have_text(italian(state.label))

    # The Comune's referent fills the request and attaches the project.
    log_in(referent)
    page.goto(url("procurement:request_create"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=description]").fill("Sostituzione dei serramenti e cappotto termico.")
    form.locator("select[name=contract_kind]").select_option("works")
    form.locator("input[name=cpv_code]").fill("45214210")
    form.locator("input[name=base_amount]").fill("150000")
    form.locator("select[name=funding_source]").select_option("own_budget")
    form.locator("input[name=rup_name]").fill("Ing. Paolo Ferrari")
    form.locator("input[name=project]").set_input_files(str(project_pdf))
    form.locator("[type=submit]").click()
    request = ProcurementRequest.objects.get()
    expect(page).to_have_url(url("procurement:request_detail", request.pk))
    state_shown(RequestState.SUBMITTED)
    expect(page.get_by_role("main").get_by_role("link", name="progetto-esecutivo.pdf")).to_have_count(1)
    checked_page.assert_clean()
    assert request.attachments.get().file.read() == project_pdf.read_bytes()

    # The SUA officer finds it among the requests addressed to the Province and asks for changes.
    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("procurement:request_list"))
    checked_page.assert_clean()
    main = page.get_by_role("main")
    expect(main.get_by_role("table")).to_contain_text("Comune di Montebelluna")
    main.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(url("procurement:request_detail", request.pk))
    checked_page.assert_clean()
    ask = page.locator(
        f"form[action='{reverse('procurement:request_action', args=[request.pk, 'ask_changes'])}']"
    )
    ask.locator("textarea[name='ask_changes-reason']").fill(REASON)
    ask.locator("[type=submit]").click()
    expect(page).to_have_url(url("procurement:request_detail", request.pk))
    state_shown(RequestState.CHANGES_REQUESTED)
    expect(page.get_by_role("main")).to_contain_text(REASON)
    checked_page.assert_clean()

    # The referent reads the reasons, raises the amount and sends the request again.
    page.context.clear_cookies()
    log_in(referent)
    page.goto(url("procurement:request_detail", request.pk))
    state_shown(RequestState.CHANGES_REQUESTED)
    expect(page.get_by_role("main")).to_contain_text(REASON)
    checked_page.assert_clean()
    page.locator(f"a[href='{reverse('procurement:request_resubmit', args=[request.pk])}']").click()
    expect(page).to_have_url(url("procurement:request_resubmit", request.pk))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    expect(form.locator("input[name=title]")).to_have_value(TITLE)
    form.locator("input[name=base_amount]").fill("162500")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("procurement:request_detail", request.pk))
    state_shown(RequestState.SUBMITTED)
    expect(page.locator("#request-total")).to_contain_text("162.500,00")
    checked_page.assert_clean()

    # The SUA officer accepts it: the page shows the accepted state and the router's verdict.
    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("procurement:request_detail", request.pk))
    checked_page.assert_clean()
    page.locator(
        f"form[action='{reverse('procurement:request_action', args=[request.pk, 'accept'])}']"
    ).locator("[type=submit]").click()
    expect(page).to_have_url(url("procurement:request_detail", request.pk))
    state_shown(RequestState.ACCEPTED)
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    verdict = page.locator("section[aria-labelledby=verdict]")
    answers = {answer["name"]: answer for answer in request.route_verdict["answers"]}
    # Works of 162,500.00 (from 150,000 to 1 million): negotiated procedure consulting at least 5
    # operators (art. 50, c.1, lett. c, D.Lgs. 36/2023), the verdict taken again at the resubmission.
    assert answers["min_operators"]["value"] == 5
    for answer in answers.values():
        expect(verdict).to_contain_text(answer["label"])
    expect(verdict).to_contain_text("art. 50")
    expect(verdict).to_contain_text("162.500,00")
    checked_page.assert_clean()
