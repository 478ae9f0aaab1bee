"""The help desk's acceptance journey (issue 12, acceptance (a)), in a real browser at desktop and phone size.

The referent of Montebelluna opens a request to the SUA of the Province of Treviso about one of its procedures,
with a PDF; the request's page shows the service level's clock. The SUA officer finds it in the queue, assigns
it to herself, writes an internal note and answers; the referent reopens it with a reason (the note is never
shown to her); the officer resolves it; the referent confirms and rates the answer. Every page visited respects
the strict CSP, raises no script error, fits the screen and passes axe (WCAG 2.1 AA). Fields are found by name,
forms by the URL they post to.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.helpdesk.models import HelpRequest
from casacomuni.helpdesk.testing import make_categories
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.testing import make_procedure
from casacomuni.territory.models import Municipality, Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

SUBJECT = "Documenti mancanti nella procedura della scuola"
NOTE = "Il RUP del Comune non ha ancora firmato il capitolato"


@pytest.fixture
def montebelluna(territory):
    """Treviso's SUA with an officer and its categories; Montebelluna, with a referent, joined the SUA and has a
    published procedure."""
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
    side = SimpleNamespace(province=treviso, province_org=province_org, comune=comune)
    procedure = make_procedure(side, state="published", title="Adeguamento sismico della scuola media")
    make_categories(province_org)
    referent = User.objects.create_user("referente_montebelluna", password=PASSWORD, first_name="Rita")
    Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
    officer = User.objects.create_user(
        "sportello_sua", password=PASSWORD, first_name="Giulia", last_name="Rossi"
    )
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    return referent, officer, procedure


def test_a_request_about_a_procedure_is_answered_reopened_resolved_and_rated(
    checked_page, live_server, log_in, montebelluna, tmp_path
):
    referent, officer, procedure = montebelluna
    page = checked_page.page
    pdf = tmp_path / "capitolato.pdf"
    pdf.write_bytes(act_pdf(["Capitolato speciale d'appalto"]))

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def step(request, slug: str):
        return page.locator(f"form[action='{reverse('helpdesk:step', args=[request.pk, slug])}']")

    def as_user(user) -> None:
        page.context.clear_cookies()
        log_in(user)

    # The referent chooses the SUA, writes the request about the procedure and attaches a PDF.
    log_in(referent)
    page.goto(url("helpdesk:create"))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#services a[href='?servizio=sua']"))
    checked_page.assert_clean()
    form = page.locator("#request-form")
    form.locator("select[name=category]").select_option(label="Documenti di gara e procedure")
    form.locator("input[name=subject]").fill(SUBJECT)
    form.locator("textarea[name=description]").fill("Quali allegati mancano per pubblicare la gara?")
    form.locator("select[name=procedure]").select_option(str(procedure.pk))
    form.locator("input[name=attachments]").set_input_files(str(pdf))
    checked_page.follow(form.locator("[type=submit]"))
    request = HelpRequest.objects.get()
    expect(page).to_have_url(url("helpdesk:detail", request.pk))
    expect(page.locator("#request-link")).to_contain_text("Adeguamento sismico della scuola media")
    expect(page.locator("#sla-clock")).to_contain_text("Prima risposta entro")
    expect(page.locator("#sla-standing")).to_be_visible()
    checked_page.assert_clean()

    # The SUA officer finds it in the queue, takes it, notes something for the office only and answers it.
    as_user(officer)
    page.goto(url("helpdesk:list"))
    checked_page.assert_clean()
    checked_page.follow(page.get_by_role("main").get_by_role("link", name=f"#{request.pk} {SUBJECT}"))
    step(request, "assegna").locator("select").select_option(str(officer.pk))
    checked_page.follow(step(request, "assegna").locator("[type=submit]"))
    step(request, "nota").locator("textarea").fill(NOTE)
    checked_page.follow(step(request, "nota").locator("[type=submit]"))
    step(request, "risolvi").locator("textarea").fill(
        "Manca il capitolato firmato dal RUP: caricatelo e pubblichiamo."
    )
    checked_page.follow(step(request, "risolvi").locator("[type=submit]"))
    expect(page.locator("#entries")).to_contain_text(NOTE)
    expect(page.locator("#request-state")).to_have_text("Risolta")
    checked_page.assert_clean()

    # The referent reads the answer (never the note) and reopens the request with a reason.
    detail = url("helpdesk:detail", request.pk)
    as_user(referent)
    page.goto(detail)
    expect(page.locator("#entries")).to_contain_text("Manca il capitolato firmato dal RUP")
    expect(page.locator("#entries")).not_to_contain_text(NOTE)
    step(request, "riapri").locator("textarea").fill("Il capitolato è firmato: resta un dubbio sul DUVRI.")
    checked_page.follow(step(request, "riapri").locator("[type=submit]"))
    expect(page.locator("#request-state")).to_have_text("In lavorazione")
    expect(page.locator("#sla-clock")).to_contain_text("Risoluzione entro")
    checked_page.assert_clean()

    # The officer resolves it; the referent confirms and rates the answer.
    as_user(officer)
    page.goto(detail)
    step(request, "risolvi").locator("textarea").fill("Il DUVRI non serve: non ci sono interferenze.")
    checked_page.follow(step(request, "risolvi").locator("[type=submit]"))
    expect(page.locator("#request-state")).to_have_text("Risolta")
    as_user(referent)
    page.goto(detail)
    close = step(request, "chiudi")
    close.locator("input[name='chiudi-rating'][value='5']").check(force=True)
    close.locator("textarea").fill("Risposte chiare, grazie.")
    checked_page.follow(close.locator("[type=submit]"))
    expect(page.locator("#request-state")).to_have_text("Chiusa")
    expect(page.locator("#request-rating")).to_contain_text("5/5")
    expect(page.locator("#sla-done")).to_contain_text("Risolta dopo")
    checked_page.assert_clean()
    request.refresh_from_db()
    assert (request.state, request.rating, request.procedure) == ("closed", 5, procedure)
