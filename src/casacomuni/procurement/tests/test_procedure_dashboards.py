"""Dashboards of the SUA procedures (SUA, Comune, UPI), the dashboard card and the CSV export: figures,
tenancy, roles, bad input, constant query counts."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.procurement.procedures import selectors
from casacomuni.procurement.procedures.exports import COLUMNS
from casacomuni.procurement.procedures.models import ProcedureState
from casacomuni.procurement.procedures.testing import write_procedure
from casacomuni.procurement.testing import make_procedure

pytestmark = pytest.mark.django_db


def this_year_noon(month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(timezone.localdate().year, month, day, 12, 0))


@pytest.fixture
def history(world):
    """Home: one signed procedure with two lots (Comune, sibling), one open, one draft; elsewhere: one signed.
    Every lot's base is 200,000.00; the winner bids 12.5%: awarded 175,000.00, savings 25,000.00 (12.50%)."""
    published = this_year_noon(1, 2)  # request 30 days before, award 40 days after, contract 30 after that
    home = world.home
    return {
        "signed": write_procedure(
            home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[home.comune, home.sibling_comune],
            published_at=published,
        ),
        "open": write_procedure(home, world, ProcedureState.BIDS_OPEN, published_at=published),
        "draft": write_procedure(home, world, ProcedureState.DRAFT, published_at=published),
        "elsewhere": write_procedure(
            world.elsewhere, world, ProcedureState.CONTRACT_SIGNED, published_at=published
        ),
    }


def test_sua_dashboard_figures(client, login_as, world, history):
    login_as("funzionario_sua")
    response = client.get(reverse("procurement:dashboard"))
    assert response.status_code == 200
    context = response.context
    this_year = context["awarded_this_year"]
    assert this_year["lots"] == 2  # the other Province's lot is not counted
    assert this_year["base"] == Decimal("400000.00")
    assert this_year["awarded"] == Decimal("350000.00")
    assert this_year["savings"] == Decimal("50000.00")
    assert this_year["savings_percent"] == Decimal("12.50")
    assert context["comuni_served"] == 2
    states = {row["code"]: row["count"] for row in context["procedures_by_state"]}
    assert states == {ProcedureState.CONTRACT_SIGNED: 1, ProcedureState.BIDS_OPEN: 1, ProcedureState.DRAFT: 1}
    durations = context["durations"]
    assert durations["request_to_publication"] == Decimal("30.0")
    assert durations["publication_to_award"] == Decimal("40.0")
    assert durations["award_to_contract"] == Decimal("30.0")
    assert durations["request_to_award"] == Decimal("70.0")
    assert context["top_cpv"][0]["cpv"] == "45233141" and context["top_cpv"][0]["lots"] == 4
    assert b'id="figure-savings"' in response.content
    page = response.content.decode()
    assert "Tutti gli anni: 2 lotti aggiudicati, €\u00a050.000,00 risparmiati." in page
    assert '<td class="text-end">€\u00a0400.000,00</td><td class="text-end">€\u00a0350.000,00</td>' in page


def test_comune_dashboard_sees_its_lots_only(client, login_as, world, history):
    login_as("referente_comune")
    response = client.get(reverse("procurement:dashboard"))
    assert response.status_code == 200
    assert response.context["awarded_this_year"]["lots"] == 1  # not the sibling's lot of the same procedure
    assert response.context["awarded_this_year"]["savings"] == Decimal("25000.00")
    assert response.context["comuni_served"] is None
    states = {row["code"]: row["count"] for row in response.context["procedures_by_state"]}
    assert states[ProcedureState.CONTRACT_SIGNED] == 1


@pytest.mark.parametrize("persona", ["operatore_economico", "funzionario_europa", "dirigente_upi"])
def test_dashboard_refused_to_other_roles(client, login_as, persona):
    login_as(persona)
    assert client.get(reverse("procurement:dashboard")).status_code == 403


def test_dashboard_needs_login(client):
    response = client.get(reverse("procurement:dashboard"))
    assert response.status_code == 302


def test_national_page(client, login_as, world, history):
    login_as("dirigente_upi")
    response = client.get(reverse("procurement:national_dashboard"))
    assert response.status_code == 200
    rows = {row["organization"].province.sigla: row for row in response.context["rows"]}
    assert rows["TV"]["procedures"] == 2  # published this year: the signed and the open one, not the draft
    assert rows["TV"]["lots"] == 2 and rows["TV"]["savings"] == Decimal("50000.00")
    assert rows["PD"]["lots"] == 1 and rows["PD"]["awarded"] == Decimal("175000.00")
    assert rows["TV"]["average_days"] == Decimal("40.0")
    totals = response.context["totals"]
    assert totals["procedures"] == 3 and totals["lots"] == 3
    assert totals["savings"] == Decimal("75000.00") and totals["savings_percent"] == Decimal("12.50")
    assert totals["average_days"] == Decimal("40.0")
    assert b'id="national-totals"' in response.content
    page = response.content.decode()
    # What the reader sees: amounts and shares in the Italian format, the euro sign kept with its number.
    assert '<td class="text-end">€\u00a075.000,00</td>' in page
    assert '<td class="text-end">12,50\u00a0%</td>' in page


def test_national_page_year_filter_and_bad_year(client, login_as, world, history):
    login_as("dirigente_upi")
    last_year = timezone.localdate().year - 1
    response = client.get(reverse("procurement:national_dashboard"), {"year": last_year})
    assert response.status_code == 200
    assert response.context["totals"]["lots"] == 0 and response.context["totals"]["procedures"] == 0
    response = client.get(reverse("procurement:national_dashboard"), {"year": "duemila"})
    assert response.status_code == 400
    assert "year" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["funzionario_sua", "referente_comune", "operatore_economico"])
def test_national_page_is_upi_only(client, login_as, persona):
    login_as(persona)
    assert client.get(reverse("procurement:national_dashboard")).status_code == 403


def count_queries(client, url) -> int:
    """Queries of a second request (the first of a session also loads what is cached afterwards)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboards_query_count_constant(client, login_as, world):
    published = this_year_noon(1, 2)
    write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED, published_at=published)
    login_as("funzionario_sua")
    sua_few = count_queries(client, reverse("procurement:dashboard"))
    home_few = count_queries(client, reverse("web:dashboard"))
    for _ in range(6):
        write_procedure(
            world.home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[world.home.comune, world.home.sibling_comune],
            published_at=published,
        )
        write_procedure(world.home, world, ProcedureState.BIDS_OPEN, published_at=timezone.now())
        write_procedure(world.elsewhere, world, ProcedureState.AWARDED, published_at=published)
    assert count_queries(client, reverse("procurement:dashboard")) == sua_few
    assert count_queries(client, reverse("web:dashboard")) == home_few
    login_as("dirigente_upi")
    national_many = count_queries(client, reverse("procurement:national_dashboard"))
    assert national_many <= sua_few


def test_national_query_count_constant(client, login_as, world):
    login_as("dirigente_upi")
    few = count_queries(client, reverse("procurement:national_dashboard"))
    for _ in range(5):
        write_procedure(
            world.elsewhere, world, ProcedureState.CONTRACT_SIGNED, published_at=this_year_noon(1, 2)
        )
    assert count_queries(client, reverse("procurement:national_dashboard")) == few


def test_card_on_the_home_dashboard(client, login_as, world, history):
    login_as("funzionario_sua")
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    card = next(card for card in response.context["cards"] if card["template"].startswith("procurement/"))
    assert card["in_progress"] == 1 and card["awarded"]["lots"] == 2
    # 2 lots of 200.000,00 awarded at 175.000,00: 50.000,00 saved, 12,50 % of the base.
    assert '<p class="figure-value mb-1" id="card-savings">€\u00a050.000,00</p>' in response.content.decode()
    assert "(12,50\u00a0%)" in response.content.decode()
    login_as("operatore_economico")
    cards = client.get(reverse("web:dashboard")).context["cards"]
    assert not any(card["template"].startswith("procurement/") for card in cards)


# --- CSV export ----------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_for_the_sua(client, login_as, world, history):
    login_as("funzionario_sua")
    response = client.get(reverse("procurement:procedures_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header == [name for name, _field in COLUMNS]
    assert len(body) == 4  # 2 lots signed + 1 open + 1 draft; not the other Province's
    cigs = {lot.cig for lot in history["elsewhere"].lots.all()}
    assert not cigs & {row[0] for row in body}
    signed_lot = history["signed"].lots.get(number=1)
    row = next(r for r in body if r[0] == signed_lot.cig)
    data = dict(zip(header, row, strict=True))
    assert data["Importo a base di gara"] == "200000,00"
    assert data["Importo di aggiudicazione"] == "175000,00"
    assert data["Risparmio (euro)"] == "25000,00"
    assert data["Risparmio (%)"] == "12,50"
    assert data["Aggiudicatario"] == world.operator.name
    assert data["Comune"] == world.home.comune.name
    assert data["Stato della procedura"] == "Contratto stipulato"
    assert data["Data di pubblicazione"] == this_year_noon(1, 2).date().isoformat()
    assert data["OCID"] == history["signed"].ocid


def test_csv_for_a_comune_has_its_lots_only(client, login_as, world, history):
    login_as("referente_comune")
    body = read_csv(client.get(reverse("procurement:procedures_csv")))[1:]
    comuni = {row[9] for row in body}
    assert comuni == {world.home.comune.name}
    assert len(body) == 3  # its lot of the signed, the open and the draft procedure


def test_csv_filters(client, login_as, world, history):
    login_as("funzionario_sua")
    body = read_csv(client.get(reverse("procurement:procedures_csv"), {"state": ProcedureState.BIDS_OPEN}))[
        1:
    ]
    assert len(body) == 1
    body = read_csv(client.get(reverse("procurement:procedures_csv"), {"year": "1999"}))[1:]
    assert body == []


def test_csv_counts_the_bid_excluded_as_anomalous(client, login_as, world):
    """Art. 54 c.1 D.Lgs. 36/2023: the bid above the anomaly threshold is excluded. make_procedure's five bids
    under method A (n < 15): T = 1,20 x M = 16,140 (worked in test_procedures), 27,90 % excluded."""
    procedure = make_procedure(world.home, world, state="evaluation")
    login_as("funzionario_sua")
    rows = read_csv(client.get(reverse("procurement:procedures_csv")))
    data = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == procedure.lots.get().cig), strict=True))
    assert (data["Offerte ricevute"], data["Offerte ammesse"], data["Offerte escluse"]) == ("5", "4", "1")
    assert data["di cui escluse perché anomale (art. 54)"] == "1"
    assert data["Soglia di anomalia (%)"] == "16,140"


@pytest.mark.parametrize("persona", ["operatore_economico", "dirigente_upi", "funzionario_europa"])
def test_csv_refused_to_other_roles(client, login_as, persona):
    login_as(persona)
    assert client.get(reverse("procurement:procedures_csv")).status_code == 403


def test_csv_query_count_constant(client, login_as, world):
    login_as("funzionario_sua")
    write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    read_csv(client.get(reverse("procurement:procedures_csv")))  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        read_csv(client.get(reverse("procurement:procedures_csv")))
    for _ in range(5):
        write_procedure(
            world.home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[world.home.comune, world.home.sibling_comune],
        )
    with CaptureQueriesContext(connection) as many:
        assert len(read_csv(client.get(reverse("procurement:procedures_csv")))) == 12
    assert len(many) == len(few)


def test_selectors_with_nothing(world):
    """Empty scopes: zero totals, no percentage, no average (no division by zero)."""
    scope = selectors.province_scope(world.home.province_org)
    totals = selectors.award_totals(scope.lots, 2026)
    assert totals["lots"] == 0 and totals["savings"] == Decimal("0") and totals["savings_percent"] is None
    assert selectors.median_days(scope.lots) is None
    rows, totals = selectors.national_rows(None)
    assert totals["average_days"] is None and {row["lots"] for row in rows} == {0}


def test_csv_neutralises_formulas(client, login_as, world):
    procedure = write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    procedure.title = '=HYPERLINK("http://x.test","clic")'
    procedure.save()
    login_as("funzionario_sua")
    row = read_csv(client.get(reverse("procurement:procedures_csv")))[1]
    assert row[2] == "'" + procedure.title
    assert row[13] == "25000,00"  # amounts are ours: untouched


def test_csv_and_open_data_across_tenants(client, login_as, world):
    """With add_procedure_history on both sides: each SUA exports only its lots; the OCDS record of a
    published procedure is public, a draft's does not exist."""
    from casacomuni.procurement.procedures.testing import add_procedure_history

    home = add_procedure_history(world.home, world)
    elsewhere = add_procedure_history(world.elsewhere, world)
    cigs = {
        side: {lot.cig for obj in objs.values() for lot in obj.lots.all()}
        for side, objs in (("home", home), ("elsewhere", elsewhere))
    }
    login_as("funzionario_sua")
    exported = {row[0] for row in read_csv(client.get(reverse("procurement:procedures_csv")))[1:]}
    assert exported == cigs["home"]
    client.logout()
    for objects in (home, elsewhere):
        record = reverse("ocds:record", kwargs={"ocid": objects["procedure_contract"].ocid})
        assert client.get(record).status_code == 200
        assert objects["procedure_draft"].ocid is None


def test_the_median_days_from_request_to_award_take_the_middle_lot_or_the_mean_of_the_two(world):
    """Lots awarded 10, 20 and 60 days after their request: the median is 20 (the average, 30, would be pulled
    by the slow one); with a fourth lot at 30 days the two in the middle give (20 + 30) / 2 = 25."""
    scope = selectors.province_scope(world.home.province_org)

    def awarded_after(days: int) -> None:
        procedure = write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
        lot = procedure.lots.get()
        lot.award_date = timezone.localdate(lot.request.submitted_at) + timedelta(days=days)
        lot.save(update_fields=["award_date"])

    for days in (60, 10, 20):
        awarded_after(days)
    assert selectors.median_days(scope.lots) == Decimal("20.0")
    awarded_after(30)
    assert selectors.median_days(scope.lots) == Decimal("25.0")


# --- Charts and filters ---------------------------------------------------------------------------------------


def spec_of(response, name: str) -> dict:
    """The Vega-Lite specification the page embeds for chart ``name`` (json_script, read by charts.js)."""
    import json
    import re

    html = response.content.decode()
    match = re.search(rf'<script id="chart-{name}-spec" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no chart {name}"
    return json.loads(match.group(1))


def test_the_sua_dashboard_draws_charts_each_with_its_data_table(client, login_as, world, history):
    login_as("funzionario_sua")
    response = client.get(reverse("procurement:dashboard"))
    html = response.content.decode()
    for name in ("awards-by-month", "procedures-by-state", "requests-by-state", "top-cpv"):
        spec = spec_of(response, name)
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert f'data-spec-id="chart-{name}-spec"' in html
    # The signed procedure was published on 2 January and awarded 40 days later: two lots in February.
    months = spec_of(response, "awards-by-month")["data"]["values"]
    assert len(months) == 12
    assert [row["lots"] for row in months if row["lots"]] == [2]
    assert months[1]["lots"] == 2 and months[1]["savings"] == 50000.0
    table = response.context["awards_by_month"]
    assert table[1]["lots"] == 2 and table[1]["savings"] == Decimal("50000.00")
    assert 'id="awards-by-month"' in html  # the chart's data table
    states = {row["code"]: row["count"] for row in spec_of(response, "procedures-by-state")["data"]["values"]}
    assert states == {ProcedureState.CONTRACT_SIGNED: 1, ProcedureState.BIDS_OPEN: 1, ProcedureState.DRAFT: 1}


def test_the_sua_dashboard_filters_by_year_comune_and_procedure_type(client, login_as, world, history):
    login_as("funzionario_sua")
    url = reverse("procurement:dashboard")

    sibling = client.get(url, {"municipality": world.home.sibling_comune.pk})
    assert sibling.status_code == 200
    assert sibling.context["awarded_this_year"]["lots"] == 1
    assert '<p class="figure-value mb-1" id="figure-lots-awarded">1</p>' in sibling.content.decode()
    assert [row["lots"] for row in spec_of(sibling, "awards-by-month")["data"]["values"] if row["lots"]] == [
        1
    ]
    states = {row["code"]: row["count"] for row in sibling.context["procedures_by_state"]}
    assert states == {ProcedureState.CONTRACT_SIGNED: 1}  # its lot is in the signed procedure only

    open_type = client.get(url, {"procedure_type": "open"})
    assert (
        open_type.context["awarded_this_year"]["lots"] == 0 and not open_type.context["procedures_by_state"]
    )
    negotiated = client.get(url, {"procedure_type": "negotiated_below_threshold"})
    assert negotiated.context["awarded_this_year"]["lots"] == 2

    last_year = client.get(url, {"year": timezone.localdate().year - 1})
    assert last_year.context["awarded_this_year"]["lots"] == 0 and last_year.context["year"] == (
        timezone.localdate().year - 1
    )
    assert last_year.context["awarded_all_time"]["lots"] == 2
    assert f'<option value="{world.home.sibling_comune.pk}"' in sibling.content.decode()
    assert world.elsewhere.comune.name not in sibling.content.decode()


@pytest.mark.parametrize(
    "query", [{"year": "duemila"}, {"procedure_type": "asta"}, {"municipality": "999999"}]
)
def test_a_bad_filter_is_refused_with_the_form(client, login_as, world, history, query):
    login_as("funzionario_sua")
    response = client.get(reverse("procurement:dashboard"), query)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == set(query)


def test_a_comune_of_another_province_cannot_be_chosen(client, login_as, world, history):
    login_as("funzionario_sua")
    response = client.get(reverse("procurement:dashboard"), {"municipality": world.elsewhere.comune.pk})
    assert response.status_code == 400
    assert response.context["awarded_this_year"]["lots"] == 2  # the page shows the unfiltered figures


def test_a_comune_filters_by_year_and_type_but_chooses_no_other_comune(client, login_as, world, history):
    login_as("referente_comune")
    response = client.get(reverse("procurement:dashboard"), {"municipality": world.home.sibling_comune.pk})
    assert response.status_code == 200
    assert "municipality" not in response.context["form"].fields
    assert response.context["awarded_this_year"]["lots"] == 1  # its own lot, whatever the query says


def test_filtered_dashboards_cost_the_same_queries_whatever_the_data(client, login_as, world):
    published = this_year_noon(1, 2)
    write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED, published_at=published)
    login_as("funzionario_sua")
    url = (
        reverse("procurement:dashboard")
        + f"?year={timezone.localdate().year}&municipality={world.home.comune.pk}"
        + "&procedure_type=negotiated_below_threshold"
    )
    few = count_queries(client, url)
    for _ in range(5):
        write_procedure(
            world.home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[world.home.comune, world.home.sibling_comune],
            published_at=published,
        )
    assert count_queries(client, url) == few
