"""The innovation-and-data journey in one continuous run of a real browser, on the same data throughout:

1. the Province's data officer creates a campaign from the "Maturità digitale" template for two Comuni and
   sends it;
2. each Comune's referent answers (differently) and submits: the completion page shows the digital
   maturity index the formula gives those answers;
3. the officer asks for the year's indicators to be recomputed now ("Recompute now");
4. the Province's dashboard, with the digital-maturity indicator chosen, colours the two comuni on the map
   and ranks them with their index;
5. the officer creates and publishes the open dataset of the indicators; logged out, the Province's
   catalogue lists it, its CSV holds the two indexes and the harvestable catalogue (Turtle) describes it.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The UI is
in Italian: the test finds elements by ids, names and form actions, and compares visible labels with the
Italian translation of the source strings.
"""

import csv
import io
import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.indicators.definitions import REGISTRY
from casacomuni.indicators.models import Observation
from casacomuni.insights.models import Campaign, Response
from casacomuni.insights.rules.maturity import maturity_index
from casacomuni.opendata.models import Dataset
from casacomuni.territory.models import Municipality, Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

INDICATOR = "digital_maturity"
GENERATOR = "indicatori-comuni"
# Two Comuni and their answers, as the form takes them (yes/no values, Italian decimal comma); the
# conditional questions (website_online_since, open_datasets) follow the answer that reveals them.
ANSWERS = {
    "Montebelluna": {
        "spid_cie_login": "yes",
        "pagopa_services": "7",
        "io_services": "4",
        "website_model": "compliant",
        "website_online_since": "2025-06-16",
        "send_act_types": "1",
        "pdnd_eservices": "2",
        "cloud_services_total": "16",
        "cloud_services_migrated": "12",
        "open_data_harvested": "yes",
        "open_datasets": "18",
        "rtd_named": "yes",
        "syllabus_percent": "45,5",
    },
    "Castelfranco Veneto": {
        "spid_cie_login": "no",
        "pagopa_services": "2",
        "io_services": "0",
        "website_model": "partial",
        "send_act_types": "0",
        "pdnd_eservices": "1",
        "cloud_services_total": "8",
        "cloud_services_migrated": "3",
        "open_data_harvested": "no",
        "rtd_named": "yes",
        "syllabus_percent": "12",
    },
}


def expected_index(answers: dict) -> Decimal:
    """The index of the formula (insights.rules.maturity) for answers given as in the form."""
    cleaned = {
        code: {"yes": True, "no": False}.get(value, value.replace(",", "."))
        for code, value in answers.items()
    }
    return maturity_index(cleaned).score


def italian(value: Decimal, decimals: int) -> str:
    """``value`` rounded half up to ``decimals`` places, with the Italian decimal comma (values < 1000)."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}".replace(".", ",")


@pytest.fixture
def treviso(territory, settings):
    """The Province of Treviso with a data officer; Montebelluna and Castelfranco Veneto with a referent.

    Tasks run at once (the recomputation the officer asks for is a background task: no worker runs
    beside the live server)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    officer = User.objects.create_user("dati_treviso", password=PASSWORD, first_name="Daria")
    Membership.objects.create(user=officer, organization=province_org, role=Role.DATA_OFFICER)
    comuni = {}
    for name in ANSWERS:
        comune = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune di {name}",
            province=province,
            municipality=Municipality.objects.current().get(name=name),
        )
        referent = User.objects.create_user(f"referente_{comune.pk}", password=PASSWORD, first_name="Rita")
        Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
        comuni[name] = (comune, referent)
    return officer, comuni


def test_a_maturity_campaign_becomes_an_indicator_on_the_map_and_an_open_dataset(
    checked_page, live_server, log_in, treviso
):
    officer, comuni = treviso
    page = checked_page.page
    today = timezone.localdate()
    year = today.year
    scores = {name: expected_index(answers) for name, answers in ANSWERS.items()}
    assert len(set(scores.values())) == 2, "the two Comuni must get different indexes"

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def choose(name: str, value: str) -> None:
        """Tick a radio button or checkbox by clicking its label (Bootstrap Italia draws the box on it)."""
        box = page.locator(f"input[name='{name}'][value='{value}']")
        page.locator(f"label[for='{box.get_attribute('id')}']").click()
        expect(box).to_be_checked()

    def switch_to(user) -> None:
        page.context.clear_cookies()
        log_in(user)

    # 1. The officer creates a campaign of the year from the built-in template and sends it to the two Comuni.
    log_in(officer)
    page.goto(url("insights:questionnaire_list"))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#campaign-from-maturita_digitale"))
    checked_page.assert_clean()
    form = page.locator("#campaign-form")
    form.locator("input[name=title]").fill("Maturità digitale dei Comuni trevigiani")
    form.locator("input[name=year]").fill(str(year))
    form.locator("input[name=opens_on]").fill(today.isoformat())
    form.locator("input[name=deadline]").fill((today + timedelta(days=30)).isoformat())
    for comune, _referent in comuni.values():
        choose("targets", str(comune.pk))
    page.locator("#create-campaign").click()
    campaign = Campaign.objects.get()
    expect(page).to_have_url(url("insights:campaign_detail", campaign.pk))
    expect(page.locator("#campaign-state")).to_have_attribute("data-state", "draft")
    checked_page.assert_clean()
    page.locator("#send-campaign").click()
    expect(page.locator("#campaign-state")).to_have_attribute("data-state", "sent")
    checked_page.assert_clean()
    assert campaign.questionnaire.template_code == "maturita_digitale"
    assert Campaign.objects.get().year == year

    # 2. Each referent answers and submits; the completion page shows the index of those answers.
    for name, answers in ANSWERS.items():
        comune, referent = comuni[name]
        switch_to(referent)
        page.goto(url("insights:campaign_list"))
        checked_page.assert_clean()
        page.get_by_role("main").get_by_role("link", name=campaign.title).click()
        expect(page).to_have_url(url("insights:response_form", campaign.pk))
        checked_page.assert_clean()
        for code, value in answers.items():
            field = page.locator(f"[name='q_{code}']")
            if field.first.get_attribute("type") in ("radio", "checkbox"):
                choose(f"q_{code}", value)
            else:
                expect(field).to_be_visible()
                field.fill(value)
        page.locator("#submit-response").click()
        expect(page.locator("#response-state")).to_have_attribute("data-state", "submitted")
        expect(page.locator("#response-score")).to_have_text(italian(scores[name], 2))
        checked_page.assert_clean()
        assert Response.objects.get(organization=comune).score == scores[name]

    # The officer's completion table: both submitted, each with its index.
    switch_to(officer)
    page.goto(url("insights:campaign_detail", campaign.pk))
    for name, (comune, _referent) in comuni.items():
        row = page.locator(f"#comune-{comune.pk}")
        expect(row).to_have_attribute("data-status", "submitted")
        expect(row.locator(".score")).to_have_text(italian(scores[name], 2))
    checked_page.assert_clean()

    # 3. Nothing computed yet: the officer's dashboard offers to compute the current year now.
    assert not Observation.objects.exists()
    page.goto(url("indicators:home"))
    expect(page).to_have_url(url("indicators:province", "TV"))
    expect(page.locator("#no-indicator-data")).to_be_visible()
    compute = page.locator(f"form[action='{reverse('indicators:compute')}']")
    expect(compute.locator("input[name=anno]")).to_have_value(str(year))
    checked_page.assert_clean()
    compute.locator("[type=submit]").click()
    expect(page).to_have_url(url("indicators:province", "TV"))
    expect(page.locator("#no-indicator-data")).to_have_count(0)
    checked_page.assert_clean()
    values = dict(
        Observation.objects.filter(indicator__code=INDICATOR, year=year).values_list(
            "municipality__name", "value"
        )
    )
    assert values == scores

    # 4. The dashboard with the digital-maturity indicator of the year: the map colours the two comuni,
    # the ranking lists them, best first, with their index (one decimal, as the indicator shows it).
    page.locator("select[name=indicatore]").select_option(INDICATOR)
    page.locator("select[name=anno]").select_option(str(year))
    page.locator("form:has(select[name=indicatore]) [type=submit]").click()
    expect(page).to_have_url(url("indicators:province", "TV") + f"?indicatore={INDICATOR}&anno={year}")
    with translation.override("it"):
        indicator_name = str(REGISTRY[INDICATOR].name)
    expect(page.locator("select[name=indicatore] option:checked")).to_have_text(indicator_name)
    expect(page.locator("#map-title")).to_contain_text(indicator_name)
    province_comuni = Province.objects.get(sigla="TV").municipalities.current().count()
    # Every comune of the province is a shape (white when it has no value), besides the outline (no fill).
    shapes = page.locator("[data-indicator-map][data-rendered] .leaflet-overlay-pane path")
    expect(shapes).to_have_count(province_comuni + 1)
    coloured = page.locator(
        "[data-indicator-map] .leaflet-overlay-pane path:not([fill='#ffffff']):not([fill='none'])"
    )
    expect(coloured).to_have_count(len(comuni))
    map_values = json.loads(page.locator("#map-values").text_content())
    assert {entry["name"]: entry["value"] for entry in map_values.values()} == {
        name: italian(score, 1) for name, score in scores.items()
    }
    ranking = page.locator("#ranking-table tbody tr")
    expect(ranking).to_have_count(len(comuni))
    best_first = sorted(scores, key=scores.get, reverse=True)
    for position, name in enumerate(best_first):
        row = ranking.nth(position)
        municipality = comuni[name][0].municipality
        expect(row).to_have_attribute("data-istat-code", municipality.istat_code)
        expect(row.locator("th a")).to_have_text(name)
        expect(row.locator("td").last).to_have_text(italian(scores[name], 1))
    checked_page.assert_clean()

    # 5. The officer enters the catalogue's IPA code, creates the indicators' dataset and publishes it.
    page.goto(url("opendata:manage"))
    expect(page.locator("#catalog-missing")).to_have_count(1)
    checked_page.assert_clean()
    checked_page.follow(page.locator(f"a[href='{reverse('opendata:catalog_edit')}']"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("input[name=ipa_code]").fill("p_tv")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("opendata:manage"))
    checked_page.assert_clean()
    checked_page.follow(page.locator(f"a[data-generator={GENERATOR}]"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    expect(form.locator("input[name=slug]")).to_have_value(GENERATOR)
    expect(form.locator("input[name=publish]")).not_to_be_checked()
    form.locator("[type=submit]").click()
    dataset = Dataset.objects.get()
    expect(page).to_have_url(url("opendata:dataset_edit", dataset.pk))
    expect(page.locator("#dataset-state")).to_have_attribute("data-published", "false")
    checked_page.assert_clean()
    page.locator(
        f"form[action='{reverse('opendata:dataset_action', args=[dataset.pk, 'publish'])}'] button"
    ).click()
    expect(page.locator("#dataset-state")).to_have_attribute("data-published", "true")
    expect(page.locator("#dataset-identifier")).to_have_text(f"p_tv:{GENERATOR}")
    checked_page.assert_clean()

    # Logged out: the Province's catalogue lists the dataset, whose CSV holds the two indexes.
    page.context.clear_cookies()
    page.goto(url("opendata:catalog_page", "tv"))
    expect(page.locator(f"#datasets a[data-slug={GENERATOR}]")).to_have_count(1)
    checked_page.assert_clean()
    page.locator(f"#datasets a[data-slug={GENERATOR}]").click()
    expect(page).to_have_url(url("opendata:dataset_page", "tv", GENERATOR))
    expect(page.locator("#dataset-identifier")).to_have_text(f"p_tv:{GENERATOR}")
    checked_page.assert_clean()
    download = page.request.get(url("opendata:download", "tv", GENERATOR, "csv"))
    assert download.status == 200
    published = {
        row["comune"]: Decimal(row["valore"])
        for row in csv.DictReader(io.StringIO(download.text()))
        if row["codice_indicatore"] == INDICATOR and row["anno"] == str(year)
    }
    assert published == scores

    # The harvestable catalogue answers, in Turtle, with the dataset in it.
    page.goto(url("opendata:catalog_page", "tv"))
    href = page.locator("#catalog-ttl").get_attribute("href")
    assert href == reverse("opendata:catalog_ttl", args=["tv"])
    turtle = page.request.get(live_server.url + href)
    assert turtle.status == 200
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert f"p_tv:{GENERATOR}" in turtle.text()
    assert "dcatapit:Dataset" in turtle.text()
