"""The public anomaly-threshold calculator: no login, Italian numbers in, every value and the minutes out.

The worked example is the one of test_anomaly.py (method A, fifteen bids, T = 12,846: derivation there).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FIFTEEN = "\n".join(
    f"OE{number:02}; {discount}"
    for number, discount in enumerate(
        ["8,000", "9,000", "10,000", "10,500", "11,000", "11,500", "12,000", "12,295", "13,000", "13,500",
         "13,700", "14,000", "14,300", "16,000", "18,500"],
        start=1,
    )
)  # fmt: skip


def form(**changes):
    values = {
        "bids": FIFTEEN,
        "method": "A",
        "wing_rule": "allegato",
        "equal_to_threshold": "",
        "decimals": 3,
        "rounding": "ROUND_HALF_UP",
        "contract_kind": "works",
        "lowest_price": "on",
        "below_eu_threshold": "on",
        "stated_in_documents": "on",
    }
    return values | changes


def test_anyone_computes_the_threshold_without_logging_in(client):
    response = client.post(reverse("procurement:anomaly_calculator"), form())
    assert response.status_code == 200
    result = response.context["result"]
    assert result["applicable"] and result["threshold"] == "12.846"
    assert result["winner"] == "OE08"
    assert [bid["operator"] for bid in result["excluded"]] == [f"OE{n:02}" for n in range(9, 16)]
    assert "12,846" in response.content.decode()  # the minutes, in Italian number format


def test_supplies_are_never_excluded_automatically_and_the_page_says_why(client):
    response = client.post(reverse("procurement:anomaly_calculator"), form(contract_kind="supplies"))
    result = response.context["result"]
    assert not result["applicable"] and result["excluded"] == []
    assert [reason["article"] for reason in result["reasons"]] == ["art. 54 c. 1 D.Lgs. 36/2023"]


def test_a_malformed_bid_is_named_by_its_line_and_nothing_is_computed(client):
    response = client.post(reverse("procurement:anomaly_calculator"), form(bids="Alfa; 12,5\nBeta; dodici"))
    assert response.status_code == 400
    assert response.context["result"] is None
    assert "Riga 2" in response.content.decode()


def test_method_c_without_its_reference_discount_is_refused(client):
    response = client.post(reverse("procurement:anomaly_calculator"), form(method="C"))
    assert response.status_code == 400
    assert "reference_discount" in response.context["form"].errors


def api_payload(**changes):
    discounts = ["8.000", "9.000", "10.000", "10.500", "11.000", "11.500", "12.000", "12.295", "13.000",
                 "13.500", "13.700", "14.000", "14.300", "16.000", "18.500"]  # fmt: skip
    bids = [{"operator": f"OE{n:02}", "discount": d} for n, d in enumerate(discounts, start=1)]
    return {"bids": bids, "method": "A"} | changes


def test_the_api_computes_the_same_threshold_with_every_value(client):
    response = client.post(
        "/api/v1/procurement/anomaly-threshold", api_payload(), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["mean"], body["mean_deviation"], body["threshold"]) == (
        "135.795",
        "12.345",
        "1.355",
        "12.846",
    )
    assert (body["c1"], body["c2"], body["winner"]) == (7, 9, "OE08")


def test_the_api_centres_method_c_on_the_reference_discount(client):
    """Allegato II.2 method C (DOMAIN.md §4.5): T = R_ref + V when d is odd, M + SM playing no part.

    The fifteen bids above with R_ref = 10,000: S = 135,795, M = 12,345, SM = 1,355 (excess over M),
    c1 x c2 = 7 x 9 = 63, V = 1,355 x 63 / 100 = 0,85365, d = 25 (odd): T = 10 + 0,85365 = 10,854.
    """
    response = client.post(
        "/api/v1/procurement/anomaly-threshold",
        api_payload(method="C", reference_discount="10.000"),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["mean"], body["mean_deviation"], body["adjustment"], body["digit_sum"]) == (
        "12.345",
        "1.355",
        "0.854",
        25,
    )
    assert body["threshold"] == "10.854" and body["winner"] == "OE04"


def test_the_api_refuses_a_discount_of_a_hundred_percent_with_a_problem(client):
    payload = api_payload()
    payload["bids"][0]["discount"] = "100"
    response = client.post("/api/v1/procurement/anomaly-threshold", payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "bids.0.discount"


def test_the_api_refuses_the_same_operator_twice(client):
    payload = api_payload()
    payload["bids"][1]["operator"] = "OE01"
    response = client.post("/api/v1/procurement/anomaly-threshold", payload, content_type="application/json")
    assert response.status_code == 400


def route_answers(response) -> dict:
    return {answer["name"]: answer for answer in response.context["result"]["answers"]}


def test_works_of_exactly_150000_euro_need_a_negotiated_procedure_with_five_operators(client):
    # Art. 50 c.1 lett. c): works from 150,000 (included) to under 1,000,000 → negotiated, at least 5 operators.
    response = client.get(
        reverse("procurement:route_calculator"),
        {
            "object_kind": "works",
            "amount": "150.000,00",
            "day": "2026-03-01",
            "buyer_qualification": "none",
            "sua_qualification": "advanced",
        },
    )
    assert response.status_code == 200
    answers = route_answers(response)
    assert [option["code"] for option in answers["procedures"]["value"]] == ["negotiated_below_threshold"]
    assert answers["min_operators"]["value"] == 5
    assert "art. 50" in answers["procedures"]["article"]


def test_works_just_under_150000_euro_may_be_awarded_directly(client):
    response = client.get(
        reverse("procurement:route_calculator"),
        {
            "object_kind": "works",
            "amount": "149.999,99",
            "day": "2026-03-01",
            "buyer_qualification": "none",
            "sua_qualification": "advanced",
        },
    )
    assert [option["code"] for option in route_answers(response)["procedures"]["value"]] == ["direct_award"]


def test_a_date_with_no_known_thresholds_is_a_clear_error(client):
    response = client.get(
        reverse("procurement:route_calculator"),
        {
            "object_kind": "works",
            "amount": "100.000",
            "day": "2031-01-01",
            "buyer_qualification": "none",
            "sua_qualification": "advanced",
        },
    )
    assert response.status_code == 400
    assert response.context["result"] is None


def test_the_route_api_says_services_of_216000_euro_are_above_the_2026_threshold(client):
    # Reg. (EU) 2025/2151: sub-central supplies/services threshold 216,000 from 2026-01-01 (221,000 before);
    # an amount equal to the threshold counts as above it (Dir. 2014/24 art. 4).
    payload = {
        "object_kind": "services",
        "amount": "216000.00",
        "day": "2026-01-01",
        "sua_qualification": "advanced",
    }
    body = client.post("/api/v1/procurement/route", payload, content_type="application/json").json()
    answers = {answer["name"]: answer for answer in body["answers"]}
    assert answers["threshold"]["value"] == "216000"
    assert answers["above_threshold"]["value"] is True
    before = client.post(
        "/api/v1/procurement/route", payload | {"day": "2025-12-31"}, content_type="application/json"
    ).json()
    assert {a["name"]: a for a in before["answers"]}["above_threshold"]["value"] is False


def test_the_oepv_api_scores_and_ranks_the_bids(client):
    # One criterion "Q" of 70 points, no sub-criteria; two commissioners. Economic 30 points, linear on the
    # discount (art. 108; DOMAIN.md §4.6): A_max = 20.
    # Alfa: technical coefficient (1 + 0.8)/2 = 0.9 → 63; discount 10 → C = 0.5 → 15; total 78.
    # Beta: (0.6 + 0.6)/2 = 0.6 → 42; discount 20 → C = 1 → 30; total 72.
    payload = {
        "criteria": [{"code": "Q", "max_points": "70"}],
        "technical": {"Alfa": {"Q": ["1", "0.8"]}, "Beta": {"Q": ["0.6", "0.6"]}},
        "economic": {"Alfa": "10", "Beta": "20"},
        "formula": "linear",
        "economic_max": "30",
    }
    response = client.post("/api/v1/procurement/oepv-score", payload, content_type="application/json")
    assert response.status_code == 200
    ranking = response.json()["ranking"]
    assert [(row["bid"], row["rank"]) for row in ranking] == [("Alfa", 1), ("Beta", 2)]
    assert [row["total"] for row in ranking] == ["78", "72"]


def test_the_oepv_api_refuses_an_economic_weight_above_30_percent_for_labour_intensive_contracts(client):
    # Art. 108 c.4: labour-intensive contracts cap the economic score at 30 % of the total.
    payload = {
        "criteria": [{"code": "Q", "max_points": "60"}],
        "technical": {"Alfa": {"Q": ["1"]}},
        "economic": {"Alfa": "10"},
        "economic_max": "40",
        "labour_intensive": True,
    }
    response = client.post("/api/v1/procurement/oepv-score", payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
