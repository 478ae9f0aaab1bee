"""Online bids in a real browser (issue 13's acceptance journey): an invited procedure of the SUA takes bids;
three operators bid online — one replaces its bid, one tries after the deadline and is refused —; the
commission, named with its declarations, opens envelope A, asks one operator to complete its documents (the
operator answers online), admits the bids, opens envelope C; the lot is evaluated with the anomaly threshold
and awarded; the operators follow the session's log and keep their receipts; the public OCDS record counts
the bids.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA).
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.bidding.models import OnlineBid, OnlineBidState
from casacomuni.procurement.bidding.testing import ESPD_XML, submit_bid
from casacomuni.procurement.procedures.models import Bid, BidStatus, Invitation, LotState, Procedure
from casacomuni.procurement.testing import give_requirements, make_operators, make_procedure, sua_adhesion
from casacomuni.territory.models import Municipality, Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

# Three operators bid in the browser, three more through the services: five bids count (one is refused).
BROWSER_DISCOUNTS = {"first": "12,5", "second": "11", "second_again": "13,75"}
SERVICE_DISCOUNTS = ("10.2", "14.8", "27.3")


@pytest.fixture
def tender(territory):
    """The Province of Treviso's SUA with an officer; Montebelluna joined it; six operators of the albo
    invited to a procedure taking bids, three of them with a representative who logs in."""
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
    side = SimpleNamespace(province=province, province_org=province_org, comune=comune)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sergio")
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    sua_adhesion(side, comune)
    procedure = make_procedure(
        side,
        state="bids_open",
        party=comune,
        title="Riqualificazione energetica della scuola primaria",
        base_amount=Decimal("180000.00"),
    )
    lot = procedure.lots.get()
    operators = make_operators(side, 6, prefix="Telematica")
    for operator in operators:
        Invitation.objects.create(
            procedure=procedure, lot=lot, operator=operator, reason="Iscritta all'albo in OG1."
        )
        give_requirements(side, operator.pk)
    representatives = []
    for number, operator in enumerate(operators[:3], start=1):
        user = User.objects.create_user(
            f"rappresentante_{number}",
            password=PASSWORD,
            first_name="Legale",
            email=f"l{number}@example.test",
        )
        Membership.objects.create(user=user, organization=operator, role=Role.OPERATOR_REPRESENTATIVE)
        representatives.append(user)
    for operator, discount in zip(operators[3:], SERVICE_DISCOUNTS, strict=True):
        submit_bid(operator, lot, discount=discount)
    return SimpleNamespace(
        procedure=procedure, lot=lot, officer=officer, operators=operators, representatives=representatives
    )


def test_operators_bid_online_and_the_commission_opens_the_envelopes_in_session(
    checked_page, live_server, log_in, tender
):
    page = checked_page.page
    procedure, lot = tender.procedure, tender.lot

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def as_user(user) -> None:
        page.context.clear_cookies()
        log_in(user)

    def upload(choice: str, name: str, content: bytes, mime: str) -> None:
        form = page.locator("#document-form")
        form.locator("select[name=document]").select_option(choice)
        form.locator("input[name=file]").set_input_files({"name": name, "mimeType": mime, "buffer": content})
        checked_page.follow(page.locator("#document-upload"))
        expect(page.locator("#bid-error")).to_have_count(0)

    def prepare(discount: str) -> None:
        upload("A:espd", "dgue.xml", ESPD_XML, "application/xml")
        upload(
            "A:declaration", "dichiarazioni.pdf", act_pdf(["Dichiarazioni dell'operatore"]), "application/pdf"
        )
        form = page.locator("#offer-form")
        form.locator("input[name=discount_percent]").fill(discount)
        form.locator("input[name=labour_costs]").fill("21000")
        form.locator("input[name=safety_costs]").fill("3500")
        checked_page.follow(page.locator("#offer-seal"))
        expect(page.locator("#offer-sealed")).to_be_visible()
        expect(page.locator("#bid-missing")).to_have_count(0)

    # 1. The first operator finds the lot on the public page and submits a bid: receipt on screen and as PDF.
    as_user(tender.representatives[0])
    page.goto(url("procurement:procedure_public", procedure.pk))
    checked_page.follow(page.locator("#bid-lot-1"))
    expect(page.locator("#server-time")).to_be_visible()
    checked_page.follow(page.locator("#bid-start"))
    checked_page.assert_clean()
    prepare(BROWSER_DISCOUNTS["first"])
    checked_page.assert_clean()
    checked_page.follow(page.locator("#bid-confirm"))
    first = OnlineBid.objects.get(operator=tender.operators[0], state=OnlineBidState.CONFIRMED)
    expect(page.locator("#submitted")).to_contain_text(first.receipt_code)
    checked_page.assert_clean()
    receipt = page.request.get(live_server.url + page.locator("#receipt-download").get_attribute("href"))
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF-")

    # 2. The second operator submits, then replaces its bid: only the last counts, the first is in its history.
    as_user(tender.representatives[1])
    page.goto(url("procurement:online_bid", procedure.pk, lot.pk))
    checked_page.follow(page.locator("#bid-start"))
    prepare(BROWSER_DISCOUNTS["second"])
    checked_page.follow(page.locator("#bid-confirm"))
    checked_page.follow(page.locator("#bid-replace"))
    prepare(BROWSER_DISCOUNTS["second_again"])
    checked_page.follow(page.locator("#bid-confirm"))
    expect(page.locator("#bid-history li")).to_have_count(1)
    checked_page.assert_clean()
    assert OnlineBid.objects.filter(operator=tender.operators[1], state=OnlineBidState.CONFIRMED).count() == 1

    # 3. The third prepares its bid, but the deadline passes before it submits: refused, nothing received.
    as_user(tender.representatives[2])
    page.goto(url("procurement:online_bid", procedure.pk, lot.pk))
    checked_page.follow(page.locator("#bid-start"))
    prepare("15")
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(seconds=1))
    checked_page.follow(page.locator("#bid-confirm"))
    expect(page.locator("#bid-error")).to_contain_text("dopo il termine non si accetta nulla")
    checked_page.assert_clean()
    assert not OnlineBid.objects.filter(operator=tender.operators[2], state=OnlineBidState.CONFIRMED).exists()

    # 4. The SUA closes the bids; the commission is named, declares, and opens envelope A.
    as_user(tender.officer)
    page.goto(url("procurement:procedure_detail", procedure.pk))
    checked_page.follow(page.locator("#action-close_bids"))
    checked_page.follow(page.locator("#bid-session"))
    checked_page.assert_clean()
    expect(page.locator("#online-bids tbody tr")).to_have_count(5)
    for name, role in (("Maria Rossi", "president"), ("Luca Bianchi", "member")):
        form = page.locator("#member-form")
        form.locator("input[name=name]").fill(name)
        form.locator("select[name=role]").select_option(role)
        checked_page.follow(page.locator("#member-add"))
        checked_page.follow(page.locator("#commission button[id^=declare-]").first)
    checked_page.follow(page.locator("#open-A"))
    expect(page.locator("#opened-A")).to_be_visible()
    checked_page.assert_clean()

    # 5. Soccorso istruttorio: the first operator is asked to complete its documents and answers online.
    row = page.locator("#online-bids tbody tr", has_text=first.receipt_code)
    row.locator("summary").click()
    row.locator("textarea[name=text]").fill(
        "Manca la copia del documento di identità del legale rappresentante."
    )
    row.locator("input[name=days]").fill("5")
    checked_page.follow(row.locator("button[id^=integration-]"))
    checked_page.assert_clean()
    as_user(tender.representatives[0])
    page.goto(url("procurement:online_bid", procedure.pk, lot.pk))
    expect(page.locator("main")).to_contain_text("Manca la copia del documento")
    page.locator("textarea[name=answer]").fill("Allegato il documento richiesto.")
    page.locator("input[name=file]").set_input_files(
        {"name": "documento.pdf", "mimeType": "application/pdf", "buffer": act_pdf(["Carta d'identità"])}
    )
    checked_page.follow(page.locator("button[id^=integration-answer-]"))
    checked_page.assert_clean()

    # 6. The SUA admits the five bids, opens envelope C, evaluates with the anomaly threshold and awards.
    as_user(tender.officer)
    page.goto(url("procurement:procedure_detail", procedure.pk))
    checked_page.open_tab(page.locator("#tab-offerte"))
    for _bid in range(5):
        page.locator(".admit-bid").first.click()  # htmx: the tab comes back in place
        checked_page.wait_for_htmx()
    expect(page.locator("#bids-lot-1 .bid-row[data-status=admitted]")).to_have_count(5)
    assert Bid.objects.filter(lot=lot, status=BidStatus.ADMITTED).count() == 5
    page.goto(url("procurement:bid_session", procedure.pk))
    checked_page.follow(page.locator("#open-C"))
    expect(page.locator("#opened-C")).to_be_visible()
    checked_page.assert_clean()
    assert Bid.objects.get(lot=lot, operator=tender.operators[1]).discount_percent == Decimal("13.75")
    page.goto(url("procurement:procedure_detail", procedure.pk))
    checked_page.follow(page.locator("#action-start_evaluation"))
    checked_page.open_tab(page.locator("#tab-valutazione"))
    checked_page.follow(page.locator("#evaluate-1"))
    expect(page.locator("#threshold-1")).not_to_be_empty()
    checked_page.assert_clean()
    checked_page.follow(page.locator("#action-propose_award"))
    checked_page.open_tab(page.locator("#tab-valutazione"))
    checked_page.follow(page.locator("#award-1"))
    checked_page.follow(page.locator("#action-award"))
    lot.refresh_from_db()
    assert lot.state == LotState.AWARDED
    minutes = page.request.get(url("procurement:session_minutes", procedure.pk))
    assert minutes.status == 200 and minutes.body().startswith(b"%PDF-")

    # 7. The operators follow the session's log (no reasons of others' exclusions, no documents) and keep
    # their receipts.
    as_user(tender.representatives[1])
    page.goto(url("procurement:session_log", procedure.pk))
    expect(page.locator("#session-log")).to_contain_text("Buste A aperte.")
    expect(page.locator("#session-log")).to_contain_text("13.7500%")
    checked_page.assert_clean()
    page.goto(url("procurement:online_bid", procedure.pk, lot.pk))
    expect(page.locator("#submitted")).to_be_visible()
    checked_page.assert_clean()

    # 8. The public OCDS record counts the five bids of the lot.
    page.context.clear_cookies()
    answer = page.request.get(url("ocds:record", procedure.ocid))
    assert answer.status == 200, answer.text()
    (record,) = answer.json()["records"]
    statistics = {row["measure"]: row["value"] for row in record["compiledRelease"]["bids"]["statistics"]}
    assert statistics["bids"] == 5
