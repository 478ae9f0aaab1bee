"""The questionnaire builder in a real browser, as LimeSurvey users expect it: on one page the Province's data
officer adds two questions, puts the second before the first with the keyboard ("Sposta su") and sees the
preview follow, with no page reload. The page respects the strict CSP, raises no script error and passes axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.territory.models import Province

pytestmark = pytest.mark.browser


@pytest.fixture
def questionnaire(territory):
    """The Province of Treviso's data officer and an empty questionnaire with one section."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    officer = User.objects.create_user("dati_treviso", password=PASSWORD, first_name="Daria")
    membership = Membership.objects.create(user=officer, organization=province_org, role=Role.DATA_OFFICER)
    actor = Actor(user=officer, membership=membership)
    questionnaire = questionnaire_services.create_questionnaire(
        actor, questionnaire_services.QuestionnaireData(title="Sportelli digitali")
    )
    section = questionnaire_services.save_section(
        actor, questionnaire, questionnaire_services.SectionData(title="Servizi online")
    )
    return officer, questionnaire, section


def test_the_officer_adds_reorders_and_previews_questions_on_one_page(
    checked_page, live_server, log_in, questionnaire
):
    officer, questionnaire, section = questionnaire
    page = checked_page.page
    log_in(officer)
    page.goto(live_server.url + reverse("insights:questionnaire_detail", args=[questionnaire.pk]))
    checked_page.assert_clean()
    page.evaluate("() => { window.builderNotReloaded = true; }")  # lost if the page reloaded

    # A question without text is refused in place, with the reason by the field.
    page.locator(f"#add-question-form-{section.pk} [type=submit]").click()
    form = page.locator(f"#add-question-form-{section.pk}")
    expect(form.locator("[name$=-text]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#builder-status")).to_have_text(
        "La domanda non è stata aggiunta: correggi il modulo."
    )
    expect(page.locator("#preview .preview-question")).to_have_count(0)

    form.locator("[name$=-text]").fill("Il Comune offre il pagamento con pagoPA?")
    form.locator("[name$=-kind]").select_option("yes_no")
    form.locator("[name$=-code]").fill("pagopa")
    form.locator("[type=submit]").click()
    expect(page.locator("#builder-status")).to_contain_text("Il Comune offre il pagamento con pagoPA?")

    form = page.locator(f"#add-question-form-{section.pk}")
    expect(form.locator("[name$=-text]")).to_have_value("")  # a fresh form for the next question
    form.locator("[name$=-text]").fill("Quanti servizi sono sull'app IO?")
    form.locator("[name$=-kind]").select_option("integer")
    form.locator("[type=submit]").click()

    preview = page.locator("#preview .preview-question")
    expect(preview).to_have_count(2)
    expect(preview.nth(0)).to_have_attribute("data-code", "pagopa")
    expect(preview.nth(1)).to_have_attribute("data-code", "quanti_servizi_sono_sull_app_io")
    checked_page.assert_clean()

    # The keyboard moves the second question up: focus on "Sposta su", Enter.
    second = page.locator("#builder .builder-question").nth(1)
    move_up = second.get_by_role("button", name="Sposta su")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(preview.nth(0)).to_have_attribute("data-code", "quanti_servizi_sono_sull_app_io")
    expect(preview.nth(1)).to_have_attribute("data-code", "pagopa")
    expect(page.locator("#builder .builder-question").nth(0)).to_contain_text("Quanti servizi")
    expect(page.locator("#builder-status")).to_contain_text("è ora la domanda 1 di 2")
    # The focus stays on the moved question's command, so the keyboard can go on from there.
    assert page.evaluate("() => document.activeElement.id").startswith("move-up-")

    # And back down with the mouse.
    page.locator("#builder .builder-question").nth(0).get_by_role("button", name="Sposta giù").click()
    expect(preview.nth(0)).to_have_attribute("data-code", "pagopa")
    assert page.evaluate("() => window.builderNotReloaded === true")
    checked_page.assert_clean()

    codes = list(questionnaire.questions.order_by("order").values_list("code", flat=True))
    assert codes == ["pagopa", "quanti_servizi_sono_sull_app_io"]
