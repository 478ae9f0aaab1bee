"""The dashboard pages and their CSV downloads: who sees what, the figures shown, bad input, query counts."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.accounts.testing import make_municipality
from casacomuni.indicators import services
from casacomuni.indicators.models import MIN_GROUP_FOR_MUNICIPALITIES
from casacomuni.indicators.testing import YEARS, add_indicators, add_values, indicator_for_tests

pytestmark = pytest.mark.django_db
YEAR = YEARS[-1]


@pytest.fixture
def data(world):
    return {"home": add_indicators(world.home, world), "elsewhere": add_indicators(world.elsewhere, world)}


def province_url(sigla, **query):
    params = {"indicatore": "services_joined", "anno": YEAR, **query}
    return (
        reverse("indicators:province", args=[sigla]) + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    )


def comune_url(istat_code, **query):
    params = {"indicatore": "services_joined", "anno": YEAR, **query}
    url = reverse("indicators:municipality", args=[istat_code])
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.parametrize(
    "persona", ["funzionario_dati", "amministratore_provincia", "funzionario_sua", "funzionario_formazione"]
)
def test_province_people_see_the_ranking_of_their_comuni(login_as, world, data, persona):
    response = login_as(persona).get(province_url("TV"))
    assert response.status_code == 200
    ranking = response.context["dashboard"].charts["ranking"].rows
    # Values 2, 3, 4, 5 in the year: the highest first.
    assert [(row["rank"], row["istat_code"], row["value"]) for row in ranking] == [
        (1, "026004", 5),
        (2, "026003", 4),
        (3, "026002", 3),
        (4, "026001", 2),
    ]
    content = response.content.decode()
    assert 'data-istat-code="026004"' in content
    assert "028001" not in content
    assert 'id="chart-distribution-spec"' in content and 'id="chart-trend-spec"' in content


def test_another_province_is_not_found(login_as, data):
    assert login_as("funzionario_dati").get(province_url("PD")).status_code == 404


@pytest.mark.parametrize(
    "persona", ["referente_comune", "personale_comune", "referente_unione", "operatore_economico"]
)
def test_comuni_and_operators_may_not_open_a_province_dashboard(login_as, data, persona):
    assert login_as(persona).get(province_url("TV")).status_code == 403


def test_upi_opens_any_province_and_the_national_view(login_as, data):
    client = login_as("dirigente_upi")
    assert client.get(province_url("PD")).status_code == 200
    response = client.get(reverse("indicators:national") + f"?indicatore=services_joined&anno={YEAR}")
    assert response.status_code == 200
    ranking = response.context["dashboard"].charts["ranking"].rows
    # Padova's comuni have the same values as Treviso's: both medians 3.5, both ranked first.
    assert [(row["sigla"], row["rank"], row["median"]) for row in ranking] == [
        ("PD", 1, D("3.50")),
        ("TV", 1, D("3.50")),
    ]


@pytest.mark.parametrize("persona", ["funzionario_dati", "referente_comune", "operatore_economico"])
def test_only_upi_opens_the_national_view(login_as, data, persona):
    assert login_as(persona).get(reverse("indicators:national")).status_code == 403


def test_a_comune_sees_its_own_values_and_only_large_groups_medians(login_as, world, data):
    response = login_as("referente_comune").get(comune_url("026001"))
    assert response.status_code == 200
    (row,) = [
        r
        for r in response.context["dashboard"].context["overview"]
        if r["indicator"].code == "services_joined"
    ]
    # Its own value; the Province (4 comuni) and its class of size (2 comuni in Italy) are too small to
    # show; Italy's 8 comuni are enough (median of 2, 2, 3, 3, 4, 4, 5, 5 = 3.5).
    assert 4 < MIN_GROUP_FOR_MUNICIPALITIES <= 8
    assert (row["value"], row["province"], row["size"], row["italy"]) == ("2", "—", "—", "3,50")
    content = response.content.decode()
    assert "026002" not in content  # no other comune named


def test_a_comune_sees_the_provinces_median_once_the_province_has_enough_comuni(login_as, world, data):
    indicator = indicator_for_tests()
    extra = [make_municipality(world.home.province, f"02610{n}", f"Paese {n}", 2000 + n) for n in range(2)]
    add_values(indicator, YEAR, {extra[0]: 10, extra[1]: 20})
    response = login_as("referente_comune").get(comune_url("026001"))
    (row,) = [
        r
        for r in response.context["dashboard"].context["overview"]
        if r["indicator"].code == "services_joined"
    ]
    assert row["province"] == "4,50"  # 2, 3, 4, 5, 10, 20


@pytest.mark.parametrize(
    ("persona", "istat_code"),
    [
        ("referente_comune", "026002"),
        ("referente_comune", "028001"),
        ("referente_unione", "026001"),
        ("funzionario_dati", "028001"),
    ],
)
def test_another_tenants_comune_is_not_found(login_as, data, persona, istat_code):
    assert login_as(persona).get(comune_url(istat_code)).status_code == 404


def test_a_unione_sees_its_member_comuni(login_as, data):
    client = login_as("referente_unione")
    response = client.get(reverse("indicators:home"))
    assert response.status_code == 302 and response.url == reverse("indicators:municipality", args=["026004"])
    response = client.get(comune_url("026003"))
    assert response.status_code == 200
    assert [m.istat_code for m in response.context["siblings"]] == ["026004"]


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("dirigente_upi", ("indicators:national", [])),
        ("funzionario_dati", ("indicators:province", ["TV"])),
        ("referente_comune", ("indicators:municipality", ["026001"])),
    ],
)
def test_home_opens_the_organisations_own_dashboard(login_as, persona, target):
    response = login_as(persona).get(reverse("indicators:home"))
    assert response.status_code == 302
    assert response.url == reverse(target[0], args=target[1])


def test_operators_have_no_indicators(login_as):
    assert login_as("operatore_economico").get(reverse("indicators:home")).status_code == 403


def test_pages_without_data_say_so(login_as, world):
    response = login_as("funzionario_dati").get(reverse("indicators:province", args=["TV"]))
    assert response.status_code == 200
    assert b'id="no-indicator-data"' in response.content


@pytest.mark.parametrize("query", [{"anno": "1850"}, {"anno": "abc"}, {"indicatore": "nope"}])
def test_a_bad_choice_is_refused_with_the_form(login_as, data, query):
    response = login_as("funzionario_dati").get(province_url("TV", **query))
    assert response.status_code == 400
    assert response.context["dashboard"] is None
    assert response.context["form"].errors


def test_the_csv_has_the_rows_of_the_chart(login_as, data):
    client = login_as("funzionario_dati")
    response = client.get(
        reverse("indicators:province_csv", args=["TV", "trend"]) + f"?indicatore=services_joined&anno={YEAR}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Year, the Province's median, Q1, Q3, Italy's median: 2024 values 1-4, 2025 values 2-5.
    assert [row[0] for row in rows[1:]] == ["2024", "2025"]
    assert rows[0][0] and rows[2][1:] == ["3.50", "2.75", "4.25", "3.50"]


def test_the_csv_of_an_unknown_chart_is_not_found(login_as, data):
    url = (
        reverse("indicators:province_csv", args=["TV", "nothing"])
        + f"?indicatore=services_joined&anno={YEAR}"
    )
    assert login_as("funzionario_dati").get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "name", "args"),
    [
        ("funzionario_dati", "indicators:province_csv", ["PD", "ranking"]),
        ("referente_comune", "indicators:municipality_csv", ["026002", "trend"]),
        ("referente_comune", "indicators:province_csv", ["TV", "ranking"]),
        ("funzionario_dati", "indicators:national_csv", ["provinces"]),
    ],
)
def test_csv_of_others_is_refused(login_as, data, persona, name, args):
    url = reverse(name, args=args) + f"?indicatore=services_joined&anno={YEAR}"
    assert login_as(persona).get(url).status_code in (403, 404)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_province_dashboards_queries_do_not_grow_with_the_comuni(login_as, world, data):
    client = login_as("funzionario_dati")
    url = province_url("TV")
    queries_for(client, url)  # warm the caches (session, navigation)
    few = queries_for(client, url)
    indicator = indicator_for_tests()
    extra = [
        make_municipality(world.home.province, f"0262{n:02d}", f"Paese {n}", 500 + 300 * n) for n in range(40)
    ]
    add_values(indicator, YEAR, {m: n for n, m in enumerate(extra)})
    assert queries_for(client, url) == few


def settled_queries(login_as, persona, url) -> int:
    """The queries of ``url`` for ``persona``, once the session and the caches are warm."""
    client = login_as(persona)
    queries_for(client, url)
    return queries_for(client, url)


def test_the_comune_and_national_dashboards_queries_do_not_grow(login_as, world, data):
    comune = comune_url("026001")
    national = reverse("indicators:national") + f"?indicatore=services_joined&anno={YEAR}"
    few_comune = settled_queries(login_as, "referente_comune", comune)
    few_national = settled_queries(login_as, "dirigente_upi", national)
    indicator = indicator_for_tests()
    extra = [
        make_municipality(world.elsewhere.province, f"0282{n:02d}", f"Villa {n}", 900 + n) for n in range(30)
    ]
    add_values(indicator, YEAR, {m: n for n, m in enumerate(extra)})
    assert settled_queries(login_as, "referente_comune", comune) == few_comune
    assert settled_queries(login_as, "dirigente_upi", national) == few_national


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("referente_comune", {"figures": 1}),
        ("funzionario_dati", {"comuni": 4}),
        ("dirigente_upi", {"comuni": 8}),
    ],
)
def test_the_dashboard_card(login_as, data, persona, expected):
    response = login_as(persona).get(reverse("web:dashboard"))
    assert response.status_code == 200
    (card,) = [c for c in response.context["cards"] if c["template"] == "indicators/_dashboard_card.html"]
    assert card["year"] == YEAR
    if "figures" in expected:
        assert [f["value"] for f in card["figures"]] == ["2"]
        assert card["comuni"] is None
    else:
        assert card["comuni"] == expected["comuni"]
    assert b'id="indicators-card"' in response.content


def test_the_chosen_indicator_is_remembered_when_the_user_comes_back(login_as, world, data):
    """A user who chose an indicator and opens the dashboards again from the menu finds the same one."""
    second = services.sync_indicators(["procedures_run"])["procedures_run"]
    add_values(second, YEAR, {m: 7 for m in world.home.municipalities})
    client = login_as("funzionario_dati")
    default = client.get(reverse("indicators:province", args=["TV"]))
    assert default.context["indicator"].code != second.code  # the page opens on the first indicator

    client.get(province_url("TV", indicatore=second.code))
    client.get(reverse("web:dashboard"))  # elsewhere in the platform
    back = client.get(reverse("indicators:home"), follow=True)

    assert back.context["indicator"].code == second.code and back.context["year"] == YEAR
    assert back.context["form"]["indicatore"].value() == second.code
    # The Comune pages it links to open on the same indicator too.
    comune = client.get(reverse("indicators:municipality", args=[data["home"]["comune"].istat_code]))
    assert comune.context["indicator"].code == second.code


def test_a_remembered_indicator_no_longer_offered_falls_back_to_the_first(login_as, world, data):
    client = login_as("funzionario_dati")
    session = client.session
    session["indicators_choice"] = {"indicatore": "no_longer_there", "anno": 1999}
    session.save()
    response = client.get(reverse("indicators:province", args=["TV"]))
    assert response.status_code == 200
    assert response.context["indicator"].code == "services_joined" and response.context["year"] == YEAR
