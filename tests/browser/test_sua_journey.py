"""The SUA's acceptance journey in a real browser, end to end: two Comuni send their requests to the SUA of
their Province, the officer accepts both and prepares one aggregated procedure (two lots), enters the CIGs and
the deadline, publishes, invites the operators of the albo to a lot — the outgoing contractor of the category
and band left out by rotation (art. 49 D.Lgs. 36/2023) —, records and admits their bids, evaluates them with
the anomaly threshold (art. 54, Allegato II.2), proposes the award (the lot without bids is deserted) and
awards; then, without login, the procedure's OCDS record and releases are published with the award.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). Fields are
found by name, forms by their action, buttons by id; the states shown are compared with the catalogue's
Italian translation of the model's labels.
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.procurement.procedures.models import Invitation, LotState, Procedure, ProcedureState
from casacomuni.procurement.requests.models import ProcurementRequest, RequestState
from casacomuni.procurement.rules import rotation
from casacomuni.procurement.testing import make_operators, make_procedure, next_cig, sua_adhesion
from casacomuni.territory.models import Municipality, Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

# Works of 180.000 + 140.000 euro: aggregated value 320.000, a negotiated procedure (art. 50 c.1 lett. c).
REQUESTS = (
    ("Comune di Montebelluna", "Riqualificazione energetica della scuola primaria Giovanni XXIII", "180000"),
    ("Comune di Castelfranco Veneto", "Adeguamento sismico della palestra comunale", "140000"),
)
DISCOUNTS = ("10.5", "12.25", "13.1", "15", "27.9")
OUTGOING_BADGE = gettext_lazy("Outgoing contractor: only with a motivated exception")


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with an SUA officer; Montebelluna and Castelfranco Veneto joined its SUA, a
    referent each; five operators approved in the albo (SOA OG1, class III); and an earlier procedure of the
    SUA in OG1, same band, already awarded: its winner is the outgoing contractor."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    side = SimpleNamespace(province=province, province_org=province_org)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sergio")
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    referents = []
    for name, _title, _amount in REQUESTS:
        comune = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=name,
            province=province,
            municipality=Municipality.objects.current().get(name=name.removeprefix("Comune di ")),
        )
        sua_adhesion(side, comune)
        username = f"referente_{comune.municipality.istat_code}"
        referent = User.objects.create_user(username, password=PASSWORD, first_name="Rita")
        Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
        referents.append(referent)
    operators = make_operators(side, 5)
    # The earlier award: works of 150.000 euro (band 150.000-1.000.000) in OG1 for Montebelluna.
    earlier = make_procedure(
        side,
        state="awarded",
        party=Organization.objects.get(name=REQUESTS[0][0]),
        title="Manutenzione straordinaria del municipio",
        base_amount=Decimal("150000.00"),
    )
    outgoing = earlier.lots.get().awarded_operator
    return SimpleNamespace(officer=officer, referents=referents, operators=operators, outgoing=outgoing)


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_two_comuni_requests_become_one_procedure_awarded_and_published_as_ocds(
    checked_page, live_server, log_in, treviso
):
    page = checked_page.page
    operators, outgoing = treviso.operators, treviso.outgoing

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def procedure_state(state) -> None:
        expect(page.locator("#procedure-state")).to_have_text(italian(state.label))

    def act(action: str) -> None:
        checked_page.follow(page.locator(f"#action-{action}"))

    # 1. Each Comune's referent sends a request to the SUA.
    requests = []
    for referent, (_name, title, amount) in zip(treviso.referents, REQUESTS, strict=True):
        page.context.clear_cookies()
        log_in(referent)
        page.goto(url("procurement:request_create"))
        checked_page.assert_clean()
        form = page.locator("main form[method=post]")
        form.locator("input[name=title]").fill(title)
        form.locator("textarea[name=description]").fill("Lavori edili sull'immobile comunale.")
        form.locator("select[name=contract_kind]").select_option("works")
        form.locator("input[name=cpv_code]").fill("45214210")
        form.locator("input[name=base_amount]").fill(amount)
        form.locator("select[name=funding_source]").select_option("own_budget")
        form.locator("input[name=rup_name]").fill("Ing. Paolo Ferrari")
        checked_page.follow(form.locator("[type=submit]"))
        request = ProcurementRequest.objects.get(title=title)
        expect(page).to_have_url(url("procurement:request_detail", request.pk))
        expect(page.locator("#request-state")).to_have_text(italian(RequestState.SUBMITTED.label))
        checked_page.assert_clean()
        requests.append(request)

    # 2. The SUA officer accepts both.
    page.context.clear_cookies()
    log_in(treviso.officer)
    for request in requests:
        page.goto(url("procurement:request_detail", request.pk))
        checked_page.assert_clean()
        accept = page.locator(
            f"form[action='{reverse('procurement:request_action', args=[request.pk, 'accept'])}']"
        )
        checked_page.follow(accept.locator("[type=submit]"))
        expect(page.locator("#request-state")).to_have_text(italian(RequestState.ACCEPTED.label))
        checked_page.assert_clean()
    assert {r.state for r in ProcurementRequest.objects.filter(pk__in=[r.pk for r in requests])} == {
        RequestState.ACCEPTED
    }

    # 3. One procedure from the two accepted requests: one lot per Comune.
    page.goto(url("procurement:procedure_create"))
    checked_page.assert_clean()
    form = page.locator("#procedure-create-form")
    for request in requests:
        choice = form.locator(f"input[name=requests][value='{request.pk}']")
        form.locator(f"label[for='{choice.get_attribute('id')}']").click()
        expect(choice).to_be_checked()
    checked_page.follow(form.locator("[type=submit]"))
    procedure = Procedure.objects.get(lots__request=requests[0])
    expect(page).to_have_url(url("procurement:procedure_detail", procedure.pk))
    procedure_state(ProcedureState.DRAFT)
    checked_page.assert_clean()
    lot, other_lot = procedure.lots.order_by("number")
    assert [lot.request_id, other_lot.request_id] == [r.pk for r in requests]
    assert procedure.uses_invitations

    # The CIG of each lot (the first also in the register's category OG1), then the deadline and publication.
    cigs = [next_cig(), next_cig()]
    for number, cig in enumerate(cigs, start=1):
        checked_page.follow(page.locator(f"#lot-edit-{number}"))
        checked_page.assert_clean()
        page.locator("input[name=cig]").fill(cig)
        if number == 1:
            page.locator("input[name=category]").fill("OG1")
        checked_page.follow(page.locator("#lot-save"))
        expect(page.locator(f"#lot-{number} .lot-cig")).to_have_text(cig)
    checked_page.follow(page.locator("#procedure-edit"))
    checked_page.assert_clean()
    deadline = timezone.localtime() + timedelta(days=15)
    page.locator("input[name=bid_deadline]").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    checked_page.follow(page.locator("#procedure-save"))
    expect(page.locator("#deadline-chosen")).to_be_visible()
    checked_page.assert_clean()
    act("publish")
    procedure_state(ProcedureState.PUBLISHED)
    procedure.refresh_from_db()
    assert procedure.ocid
    expect(page.locator("#procedure-ocid")).to_have_text(procedure.ocid)
    checked_page.assert_clean()

    # 4. Invitations to lot 1: the earlier award's winner is the outgoing contractor, flagged with the reason.
    checked_page.follow(page.locator("#lot-invite-1"))
    expect(page).to_have_url(url("procurement:lot_invitations", procedure.pk, lot.pk))
    checked_page.assert_clean()
    for operator in (*operators, outgoing):
        expect(page.locator(f"#candidates-table tr.candidate[data-operator='{operator.pk}']")).to_have_count(
            1
        )
    expect(page.locator("#candidates-table .outgoing")).to_have_count(1)
    expect(page.locator(f"tr.candidate[data-operator='{outgoing.pk}'] .outgoing")).to_have_text(
        italian(OUTGOING_BADGE)
    )
    # Without a motivated exception the outgoing contractor is refused, and nothing is written.
    form = page.locator("#invitation-form")
    form.locator("select[name=operator]").select_option(str(outgoing.pk))
    form.locator("textarea[name=reason]").fill("Impresa iscritta all'albo nella categoria OG1.")
    checked_page.follow(page.locator("#invite"))
    refusal = rotation.check_invitation(
        "outgoing", "outgoing", procedure=rotation.NEGOTIATED, amount=lot.total_amount
    )
    assert not refusal.allowed and refusal.needs_exception
    with translation.override("it"):
        reason_shown = translation.gettext(refusal.message) % refusal.params
    expect(page.locator("#invitation-error")).to_have_text(reason_shown)
    checked_page.assert_clean()
    assert not Invitation.objects.filter(lot=lot).exists()
    # Five other operators of the albo are invited, each with the reasons of the choice.
    for operator in operators:
        form = page.locator("#invitation-form")
        form.locator("select[name=operator]").select_option(str(operator.pk))
        form.locator("textarea[name=reason]").fill(f"{operator.name}: iscritta all'albo in OG1, classe III.")
        checked_page.follow(page.locator("#invite"))
        expect(page.locator("#invited-list")).to_contain_text(operator.name)
    expect(page.locator("#invited-list li")).to_have_count(5)
    expect(page.locator("#invited-list")).not_to_contain_text(outgoing.name)
    checked_page.assert_clean()
    assert set(Invitation.objects.filter(lot=lot).values_list("operator", flat=True)) == {
        operator.pk for operator in operators
    }

    # 5. Bids: only the invited operators may bid; five bids recorded on lot 1 and admitted.
    page.goto(url("procurement:procedure_detail", procedure.pk))
    act("open_bids")
    procedure_state(ProcedureState.BIDS_OPEN)
    checked_page.open_tab(page.locator("#tab-offerte"))
    checked_page.assert_clean()
    operator_field = f"select[name='b{lot.pk}-operator']"
    expect(page.locator(f"#bid-form-1 {operator_field} option[value='{outgoing.pk}']")).to_have_count(0)
    for operator, discount in zip(operators, DISCOUNTS, strict=True):
        page.locator("#bid-add-1").click()
        bid_form = page.locator("#bid-form-1")
        bid_form.locator(operator_field).select_option(str(operator.pk))
        bid_form.locator(f"input[name='b{lot.pk}-discount_percent']").fill(discount)
        bid_form.locator(f"input[name='b{lot.pk}-received_at']").fill(received_an_hour_ago())
        bid_form.locator("[type=submit]").click()  # htmx swaps the tab in place
        checked_page.wait_for_htmx()
    expect(page.locator("#bids-lot-1 .bid-row")).to_have_count(5)
    expect(page.locator("#bids-lot-2 .bid-row")).to_have_count(0)
    # Reception is open: no bid is admitted or excluded yet (the page says until when).
    expect(page.locator("#decision-wait")).to_be_visible()
    expect(page.locator(".admit-bid")).to_have_count(0)
    checked_page.assert_clean()

    # 6. The deadline passes; bids closed and admitted, lot 1 evaluated with the anomaly threshold.
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))
    page.goto(url("procurement:procedure_detail", procedure.pk))
    act("close_bids")
    procedure_state(ProcedureState.BIDS_CLOSED)
    checked_page.open_tab(page.locator("#tab-offerte"))
    for _bid in range(5):
        page.locator(".admit-bid").first.click()
        checked_page.wait_for_htmx()
    expect(page.locator("#bids-lot-1 .bid-row[data-status=admitted]")).to_have_count(5)
    checked_page.assert_clean()
    page.goto(url("procurement:procedure_detail", procedure.pk))
    act("start_evaluation")
    procedure_state(ProcedureState.EVALUATION)
    checked_page.open_tab(page.locator("#tab-valutazione"))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#evaluate-1"))
    # Method A, 5 bids: wings 10,5 and 27,9 aside; M = 13,450, SM = 1,550, rho <= 0,15: T = 1,2 × M = 16,140.
    expect(page.locator("#threshold-1")).to_have_text("16.140")
    expect(page.locator("#anomalous-1")).to_have_text(operators[4].name)
    expect(page.locator("#ranking-1 tbody tr").first).to_contain_text(operators[3].name)
    for fmt in ("pdf", "docx"):
        link = page.locator(f"#minutes-{fmt}-1")
        expect(link).to_have_attribute(
            "href", reverse("procurement:lot_minutes", args=[procedure.pk, lot.pk, fmt])
        )
    minutes = page.request.get(live_server.url + page.locator("#minutes-pdf-1").get_attribute("href"))
    assert minutes.status == 200 and minutes.body().startswith(b"%PDF-")
    checked_page.assert_clean()

    # 7. Proposal (lot 2, without bids, is deserted), award of lot 1, award of the procedure.
    act("propose_award")
    procedure_state(ProcedureState.PROPOSED_AWARD)
    expect(page.locator("#lot-2")).to_contain_text(italian(LotState.DESERTED.label))
    checked_page.assert_clean()
    checked_page.open_tab(page.locator("#tab-valutazione"))
    checked_page.assert_clean()
    expect(page.locator("#award-2")).to_have_count(0)
    checked_page.follow(page.locator("#award-1"))
    act("award")
    procedure_state(ProcedureState.AWARDED)
    winner = operators[3]
    expect(page.locator("#lot-1")).to_contain_text(winner.name)
    expect(page.locator("#lot-1")).to_contain_text("153.000,00")  # 180.000 less 15 %
    expect(page.locator("#lot-1 .lot-savings")).to_contain_text("27.000,00")
    checked_page.assert_clean()
    lot.refresh_from_db()
    other_lot.refresh_from_db()
    assert (lot.state, lot.awarded_operator, lot.awarded_amount) == (
        LotState.AWARDED,
        winner,
        Decimal("153000.00"),
    )
    assert other_lot.state == LotState.DESERTED

    # 8. Logged out: the public page and the OCDS publication, without login.
    page.locator("#user-menu").click()
    checked_page.follow(page.locator(f"form[action='{reverse('accounts:logout')}'] [type=submit]"))
    page.goto(url("procurement:procedure_public", procedure.pk))
    expect(page.locator("#public-state")).to_have_text(italian(ProcedureState.AWARDED.label))
    for cig in cigs:
        expect(page.locator("#public-lots")).to_contain_text(cig)
    expect(page.locator("#consulted li")).to_have_count(5)
    checked_page.assert_clean()
    page.goto(url("ocds:policy"))
    checked_page.assert_clean()

    answer = page.request.get(url("ocds:record", procedure.ocid))
    assert answer.status == 200, answer.text()
    (record,) = answer.json()["records"]
    assert record["ocid"] == procedure.ocid
    assert [release["id"] for release in record["releases"]] == [
        f"{procedure.ocid}-tender",
        f"{procedure.ocid}-award",
    ]
    compiled = record["compiledRelease"]
    assert [(item["id"], item["status"]) for item in compiled["tender"]["lots"]] == [
        (cigs[0], "complete"),
        (cigs[1], "unsuccessful"),
    ]
    (award,) = compiled["awards"]
    assert award["relatedLots"] == [cigs[0]]
    assert [supplier["name"] for supplier in award["suppliers"]] == [winner.name]
    assert award["value"] == {"amount": 153000.0, "currency": "EUR"}
    tenderers = {party["name"] for party in compiled["parties"] if "tenderer" in party["roles"]}
    assert tenderers == {operator.name for operator in operators}
    buyers = {party["name"] for party in compiled["parties"] if "buyer" in party["roles"]}
    assert buyers == {name for name, _title, _amount in REQUESTS}

    answer = page.request.get(url("ocds:releases"))
    assert answer.status == 200, answer.text()
    ours = [release for release in answer.json()["releases"] if release["ocid"] == procedure.ocid]
    assert [release["id"] for release in ours] == [f"{procedure.ocid}-tender", f"{procedure.ocid}-award"]
    assert [award["suppliers"][0]["name"] for award in ours[1]["awards"]] == [winner.name]


def received_an_hour_ago() -> str:
    """A time of receipt before the deadline, as the datetime-local field takes it (Rome time)."""
    return timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
