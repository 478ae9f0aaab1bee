"""A SUA procedure in a real browser: the officer prepares a procedure from a Comune's accepted request, enters
the lot's CIG, sets the deadline, publishes, opens the bids, records and admits five bids, evaluates them with
the anomaly threshold (Allegato II.2), proposes and records the award, and records the contract; then finds it
again with the list's filters. The tabs, the bid forms and the filters work in place (htmx), without reloading
the page.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). Fields are
found by name and buttons by id (the interface strings are translated after this test was written).
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.procurement.procedures.models import Bid, Procedure, ProcedureState
from casacomuni.procurement.testing import make_accepted_request, make_operators
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

DISCOUNTS = ("10.5", "12.25", "13.1", "15", "27.9")


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with an SUA officer, five operators in its albo, and an accepted request of
    Montebelluna (works, 150.000,00 euro)."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Montebelluna",
        province=province,
        municipality=Municipality.objects.current().get(name="Montebelluna"),
    )
    side = SimpleNamespace(province=province, province_org=province_org)
    request = make_accepted_request(side, comune, title="Riqualificazione della scuola primaria")
    operators = make_operators(side, 5)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sergio")
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    return officer, request, operators


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_the_sua_runs_a_procedure_from_request_to_contract(checked_page, live_server, log_in, treviso):
    officer, request, operators = treviso
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def state_shown(state) -> None:
        expect(page.locator("#procedure-state")).to_have_text(italian(state.label))

    def act(action: str) -> None:
        page.locator(f"#action-{action}").click()
        page.wait_for_load_state()

    log_in(officer)
    page.goto(url("procurement:procedure_list"))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#procedure-create"))
    checked_page.assert_clean()
    form = page.locator("#procedure-create-form")
    choice = form.locator(f"input[name=requests][value='{request.pk}']")
    form.locator(f"label[for='{choice.get_attribute('id')}']").click()
    expect(choice).to_be_checked()
    form.locator("[type=submit]").click()
    procedure = Procedure.objects.get()
    expect(page).to_have_url(url("procurement:procedure_detail", procedure.pk))
    state_shown(ProcedureState.DRAFT)
    checked_page.assert_clean()

    # The lot's CIG, with the ANAC form the router suggests shown beside it.
    page.locator("#lot-edit-1").click()
    expect(page.locator("#suggested-anac-form")).to_have_text("P7_1_3")
    checked_page.assert_clean()
    page.locator("input[name=cig]").fill("B00012EADB")
    page.locator("input[name=category]").fill("OG1")
    page.locator("#lot-save").click()
    expect(page.locator("#lot-1 .lot-cig")).to_have_text("B00012EADB")

    # The deadline for offers, then publication.
    checked_page.follow(page.locator("#procedure-edit"))
    checked_page.assert_clean()
    deadline = timezone.localtime() + timedelta(days=10)
    page.locator("input[name=bid_deadline]").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#procedure-save").click()
    expect(page.locator("#deadline-chosen")).to_be_visible()
    checked_page.assert_clean()
    act("publish")
    state_shown(ProcedureState.PUBLISHED)
    expect(page.locator("#procedure-ocid")).to_have_text(f"ocds-casadc-{procedure.pk}")
    checked_page.assert_clean()
    page.goto(url("procurement:procedure_public", procedure.pk))
    expect(page.locator("#public-lots")).to_contain_text("B00012EADB")
    checked_page.assert_clean()
    page.goto(url("procurement:procedure_detail", procedure.pk))
    act("open_bids")
    state_shown(ProcedureState.BIDS_OPEN)

    # Five bids recorded and admitted.
    # The tabs open in place, without reloading the page, and the address follows for the back button.
    page.evaluate("() => { window.tabsNotReloaded = true; }")
    checked_page.open_tab(page.locator("#tab-offerte"))
    assert page.url.endswith("?scheda=offerte")
    assert page.evaluate("() => window.tabsNotReloaded === true")
    checked_page.assert_clean()
    lot = procedure.lots.get()
    bid_form = page.locator("#bid-form-1")

    def record_bid(operator, discount: str) -> None:
        bid_form.locator(f"select[name='b{lot.pk}-operator']").select_option(str(operator.pk))
        bid_form.locator(f"input[name='b{lot.pk}-discount_percent']").fill(discount)
        bid_form.locator(f"input[name='b{lot.pk}-received_at']").fill(received_an_hour_ago())
        bid_form.locator("[type=submit]").click()
        checked_page.wait_for_htmx()

    # A discount over 100 % is refused in place: the form stays open with the reason by the field, the
    # notice on top of the tab has the focus, and nothing is written.
    page.locator("#bid-add-1").click()
    record_bid(operators[0], "120")
    expect(page.locator(f"#b{lot.pk}-discount_percent-errors")).to_be_visible()
    expect(page.locator("#tab-feedback .alert-danger")).to_be_focused()
    assert not Bid.objects.exists()
    checked_page.assert_clean()
    for number, (operator, discount) in enumerate(zip(operators, DISCOUNTS, strict=True)):
        if number:  # the refused form is open already; a recorded bid's form closes
            page.locator("#bid-add-1").click()
        record_bid(operator, discount)
        expect(page.locator("#bids-lot-1 .bid-row")).to_have_count(number + 1)
        # The message is where the officer is, and has the focus.
        expect(page.locator("#tab-feedback .alert-success")).to_be_focused()
    expect(page.locator("#bids-lot-1 .bid-row")).to_have_count(5)
    assert page.evaluate("() => window.tabsNotReloaded === true")
    # While reception is open no bid is admitted or excluded: the page says until when, in Rome time.
    expect(page.locator("#decision-wait")).to_contain_text(
        timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")
    )
    expect(page.locator(".admit-bid")).to_have_count(0)
    checked_page.assert_clean()

    # The deadline passes; bids are closed, admitted and evaluated.
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))
    page.goto(url("procurement:procedure_detail", procedure.pk))
    act("close_bids")
    state_shown(ProcedureState.BIDS_CLOSED)
    no_admitted_bid = "Nessun lotto ha un'offerta ammessa"
    expect(page.locator("#procedure-next-steps")).to_contain_text(no_admitted_bid)
    page.evaluate("() => { window.bidsNotReloaded = true; }")
    checked_page.open_tab(page.locator("#tab-offerte"))
    for number in range(5):
        page.locator(".admit-bid").first.click()
        checked_page.wait_for_htmx()
        expect(page.locator("#bids-lot-1 .bid-row[data-status=admitted]")).to_have_count(number + 1)
        # The button pressed is gone: the bid's new status has the focus.
        expect(page.locator("#bids-lot-1 td[autofocus]")).to_be_focused()
    expect(page.locator("#bids-lot-1 .bid-row[data-status=admitted]")).to_have_count(5)
    # The next steps followed the decisions, without a reload.
    expect(page.locator("#procedure-next-steps")).not_to_contain_text(no_admitted_bid)
    assert page.evaluate("() => window.bidsNotReloaded === true")
    checked_page.assert_clean()
    act("start_evaluation")
    state_shown(ProcedureState.EVALUATION)
    checked_page.open_tab(page.locator("#tab-valutazione"))
    page.locator("#evaluate-1").click()
    page.wait_for_load_state()
    # Method A, 5 bids: wings 10,5 and 27,9 aside; M = 13,450, SM = 1,550, rho <= 0,15: T = 1,2 × M = 16,140.
    expect(page.locator("#threshold-1")).to_have_text("16.140")
    expect(page.locator("#anomalous-1")).to_contain_text(operators[4].name)
    checked_page.assert_clean()

    # Proposal, award, contract.
    act("propose_award")
    state_shown(ProcedureState.PROPOSED_AWARD)
    checked_page.open_tab(page.locator("#tab-valutazione"))
    # The winner's requirements to verify, from the albo: it has uploaded no DURC and no SOA certificate.
    expect(page.locator("#requirements-1 .requirement[data-kind=durc]")).to_have_attribute(
        "data-state", "missing"
    )
    checked_page.assert_clean()
    page.locator("#award-1").click()
    page.wait_for_load_state()
    act("award")
    state_shown(ProcedureState.AWARDED)
    expect(page.locator("#lot-1 .lot-savings")).to_contain_text("22.500,00")
    checked_page.assert_clean()
    # The contract is refused while they are missing, until the officer writes a reasoned decision.
    checked_page.open_tab(page.locator("#tab-valutazione"))
    page.locator("#contract-1").click()
    page.wait_for_load_state()
    expect(page.locator("#contract-form-1")).to_contain_text("DURC: Mancante")
    expect(page.locator("#contract-lot-1")).to_have_count(0)
    checked_page.assert_clean()
    reason = "DURC e attestazione SOA acquisiti d'ufficio presso gli enti: esito regolare in atti."
    page.locator(f"textarea[name='c{lot.pk}-requirements_reason']").fill(reason)
    page.locator("#contract-1").click()
    page.wait_for_load_state()
    expect(page.locator("#contract-lot-1")).to_be_visible()
    expect(page.locator("#requirements-decision-1")).to_contain_text(reason)
    checked_page.assert_clean()
    act("sign_contract")
    state_shown(ProcedureState.CONTRACT_SIGNED)
    checked_page.open_tab(page.locator("#tab-cronologia"))
    expect(page.locator("#timeline li[data-step=contract]")).to_be_visible()
    checked_page.assert_clean()
    lot.refresh_from_db()
    assert lot.awarded_operator == operators[3] and str(lot.awarded_amount) == "127500.00"

    # The list's filters refresh the table as they change, and the address follows them.
    page.goto(url("procurement:procedure_list"))
    page.evaluate("() => { window.listNotReloaded = true; }")
    caption = page.locator("#procedure-table caption")
    expect(caption).to_have_text("1 procedura")
    page.locator("#id_q").press_sequentially("palestra")
    expect(caption).to_have_text("0 procedure")
    expect(page).to_have_url(re.compile(r"[?&]q=palestra"))
    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("scuola")
    expect(caption).to_have_text("1 procedura")
    page.locator("#id_state").select_option(ProcedureState.AWARDED.value)
    expect(caption).to_have_text("0 procedure")
    expect(page).to_have_url(re.compile(r"[?&]q=scuola&state=awarded"))
    page.locator("#id_state").select_option(ProcedureState.CONTRACT_SIGNED.value)
    expect(page.locator("#procedure-table tbody")).to_contain_text(procedure.title)
    assert page.evaluate("() => window.listNotReloaded === true")
    checked_page.assert_clean()
    # The back button goes back to the previous filters.
    page.go_back()
    expect(caption).to_have_text("0 procedure")
    expect(page).to_have_url(re.compile(r"state=awarded"))


def received_an_hour_ago() -> str:
    """A time of receipt before the deadline, as the datetime-local field takes it (Rome time)."""
    return timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
