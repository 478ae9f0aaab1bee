"""The acceptance journey of the model library (issue 12, acceptance b), in a real browser at a desktop's and a
phone's size.

Treviso adopted version 1 of UPI's disciplinare di gara. UPI's administrator writes version 2 on its page (a new
attachment, a changed legal basis, what changed) and publishes it; Treviso's SUA officer finds "aggiornamento
disponibile" on the library list, opens the update, reads what changed (the field, the file added, UPI's
changelog) and accepts it: the copy now follows version 2, with the local notes kept. Every page visited must
respect the strict CSP, raise no script error, fit the screen and pass axe (WCAG 2.1 AA).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD, make_side
from casacomuni.library import services
from casacomuni.library.models import LibraryModel, ModelKind
from casacomuni.library.testing import docx_bytes, docx_upload, make_model
from casacomuni.territory.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

TITLE = "Disciplinare di gara per procedura aperta telematica"


def member(username: str, organization, role: str) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, first_name=username.split("_")[0].capitalize()
    )
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def adopted(live_server):
    """UPI's disciplinare (version 1, published) and Treviso's copy of it, with a local note."""
    region = Region.objects.create(code="05", name="Veneto", is_ordinary_statute=True)
    treviso = make_side(region, "026", "TV", "Treviso").province_org
    upi = Organization.objects.create(kind=OrganizationKind.UPI, name="Unione delle Province d'Italia")
    upi_user = member("dirigente_upi", upi, Role.UPI_ADMIN)
    officer = member("sua_treviso", treviso, Role.SUA_OFFICER)
    model = make_model(
        Actor.for_membership(upi_user.memberships.get()),
        TITLE,
        kind=ModelKind.DISCIPLINARE,
        legal_basis="D.Lgs. 36/2023, artt. 71 e 108",
        files=[docx_upload("disciplinare.docx", "DISCIPLINARE DI GARA")],
    )
    copy = services.adopt_version(Actor.for_membership(officer.memberships.get()), model.current_version)
    LibraryModel.objects.filter(pk=copy.pk).update(
        local_notes="Sopralluogo facoltativo per i Comuni montani."
    )
    return model, copy, upi_user, officer


def test_upi_publishes_version_2_and_treviso_accepts_the_update(
    checked_page, log_in, live_server, adopted, tmp_path
):
    model, copy, upi_user, officer = adopted
    page = checked_page.page

    def url(name, *args):
        return live_server.url + reverse(name, args=args)

    log_in(upi_user)
    page.goto(url("library:model_detail", model.pk))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#new-version"))
    checked_page.assert_clean()
    page.locator("input[name=legal_basis]").fill("D.Lgs. 36/2023, artt. 71, 101 e 108 (correttivo 2024)")
    page.locator("textarea[name=changelog]").fill("Aggiornato al correttivo: soccorso istruttorio e FVOE.")
    attachment = tmp_path / "allegato-dgue.docx"
    attachment.write_bytes(docx_bytes("MODELLO DI DGUE"))
    page.locator("input[name=uploads]").set_input_files(str(attachment))
    checked_page.follow(page.locator("#save-version"))
    checked_page.follow(page.locator("#publish-2"))
    expect(page.locator("#current-version")).to_contain_text("2")
    checked_page.assert_clean()

    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("library:model_list"))
    expect(page.locator("#updates")).to_contain_text(TITLE)
    expect(page.locator("#models")).to_contain_text("aggiornamento disponibile")
    checked_page.assert_clean()
    checked_page.follow(page.locator("#updates a"))
    expect(page.locator("#changes")).to_contain_text("La base giuridica")
    expect(page.locator("#changes")).to_contain_text("File aggiunto: allegato-dgue.docx")
    expect(page.locator("#upstream-changelog")).to_contain_text("Aggiornato al correttivo")
    checked_page.assert_clean()
    checked_page.follow(page.locator("#accept-update"))
    expect(page.locator("#origin")).to_contain_text("versione 2")
    expect(page.locator("#local-notes")).to_contain_text("Sopralluogo facoltativo")
    expect(page.locator("#update-available")).to_have_count(0)
    expect(page.locator("#versions")).to_contain_text("allegato-dgue.docx")
    checked_page.assert_clean()
