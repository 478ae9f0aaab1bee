"""The agreements API: catalogue, agreements and their acts, adhesions on a day, national coverage (UPI)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from casacomuni.accounts.actor import Actor
from casacomuni.agreements import services
from casacomuni.agreements.models import Agreement, Service, ServiceKind
from casacomuni.agreements.rules import lifecycle
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.pdf import act_pdf

pytestmark = pytest.mark.django_db

PDF = act_pdf(["Documento di prova"])
PROBLEM = "application/problem+json"


def service(province_org, name, kind=ServiceKind.SUA, published=True, **extra):
    return Service.objects.create(
        province=province_org,
        kind=kind,
        name=name,
        description=f"{name}: descrizione",
        cost_model=extra.pop("cost_model", "free"),
        is_published=published,
        **extra,
    )


@pytest.fixture
def catalogue(world):
    return {
        "sua": service(
            world.home.province_org,
            "Stazione unica appaltante",
            delegated_functions=[1, 2],
            cost_model="percentage",
            cost_amount=Decimal("1.5"),
            cost_minimum=Decimal(500),
            cost_maximum=Decimal(15000),
        ),
        "statistics": service(
            world.home.province_org, "Ufficio statistica", ServiceKind.STATISTICS, published=False
        ),
        "elsewhere": service(world.elsewhere.province_org, "Centrale di committenza di Padova"),
    }


def actor(world, name: str) -> Actor:
    user = world.acting(name)
    return Actor(user=user, membership=user.acting_as)


def payload(world, catalogue, *parties, **extra):
    today = timezone.localdate()
    return {
        "title": "Convenzione per la stazione unica appaltante",
        "legal_basis": "Art. 30 D.Lgs. 267/2000; art. 1 c. 88 L. 56/2014",
        "object": "Funzioni di centrale di committenza",
        "governance": "Conferenza dei sindaci",
        "data_protection": "La Provincia è responsabile del trattamento (art. 28 GDPR)",
        "disputes": "Foro di Treviso",
        "start_date": str(today),
        "end_date": str(today + timedelta(days=3 * 365)),
        "max_renewals": 1,
        "notice_days": 90,
        "services": [catalogue["sua"].pk],
        "municipalities": [party.pk for party in parties],
    } | extra


def agreement_in(world, catalogue, state: str, party=None) -> Agreement:
    """An agreement of the home Province with its Comune, moved by the services up to ``state``."""
    today = timezone.localdate()
    draft = services.AgreementDraft(
        **{k: v for k, v in payload(world, catalogue).items() if k not in ("services", "municipalities")}
        | {"start_date": today, "end_date": today + timedelta(days=1000)},
        services=[catalogue["sua"]],
    )
    admin = actor(world, "amministratore_provincia")
    (agreement,) = services.create_agreements(admin, draft, [party or world.home.comune])
    steps = [
        (lifecycle.APPROVE_PROVINCE, services.ActData(number="12", day=today - timedelta(days=30))),
        (
            lifecycle.APPROVE_MUNICIPALITY,
            services.ActData(number="7", day=today - timedelta(days=10), file=pdf("delibera.pdf")),
        ),
        (lifecycle.SIGN, services.ActData(day=today, file=pdf("firmata.pdf"))),
        (lifecycle.ACTIVATE, services.ActData()),
    ]
    for transition, act in steps:
        if agreement.state == state:
            break
        agreement = services.perform_transition(admin, agreement, transition, act)
    return agreement


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def transitions_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/transitions"


def test_a_comune_sees_the_published_services_of_its_own_province_only(client, world, catalogue, as_persona):
    response = client.get("/api/v1/services", headers=as_persona("referente_comune"))

    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Stazione unica appaltante"]
    assert body["count"] == 1
    sua = body["items"][0]
    assert sua["province"] == "TV" and sua["delegated_functions"] == [1, 2]
    assert Decimal(sua["cost_minimum"]) == 500 and Decimal(sua["cost_maximum"]) == 15000


def test_upi_filters_the_catalogues_by_province(client, world, catalogue, as_persona):
    response = client.get("/api/v1/services", {"province": "pd"}, headers=as_persona("dirigente_upi"))
    assert [item["name"] for item in response.json()["items"]] == ["Centrale di committenza di Padova"]


def test_a_province_sends_one_agreement_to_each_comune(client, world, catalogue, as_persona):
    body = payload(world, catalogue, world.home.comune, world.home.union)

    response = client.post(
        "/api/v1/agreements",
        body,
        content_type="application/json",
        headers=as_persona("amministratore_provincia"),
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert sorted(a["municipality"]["name"] for a in created) == sorted(
        [world.home.comune.name, world.home.union.name]
    )
    assert {a["state"] for a in created} == {"draft"}
    assert created[0]["province"]["province"] == "TV"
    assert Agreement.objects.filter(adhesions__service=catalogue["sua"]).count() == 2
    assert AuditEvent.objects.filter(action="agreement.create").count() == 2


def test_a_comune_of_another_province_gets_a_bad_request_and_nothing_is_written(
    client, world, catalogue, as_persona
):
    body = payload(world, catalogue, world.home.comune, world.elsewhere.comune)

    response = client.post(
        "/api/v1/agreements",
        body,
        content_type="application/json",
        headers=as_persona("amministratore_provincia"),
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert str(world.elsewhere.comune.pk) in response.json()["detail"]
    assert not Agreement.objects.exists()


def test_dates_in_the_wrong_order_are_refused_with_the_services_message(client, world, catalogue, as_persona):
    today = timezone.localdate()
    body = payload(world, catalogue, world.home.comune, end_date=str(today - timedelta(days=1)))

    response = client.post(
        "/api/v1/agreements",
        body,
        content_type="application/json",
        headers=as_persona("amministratore_provincia"),
    )

    assert response.status_code == 400
    with translation.override("it"):
        expected = translation.gettext("The end date cannot come before the start date.")
    assert response.json()["detail"] == expected
    assert not Agreement.objects.exists()


def test_blank_clauses_are_refused(client, world, catalogue, as_persona):
    body = payload(world, catalogue, world.home.comune, governance="   ")
    response = client.post(
        "/api/v1/agreements",
        body,
        content_type="application/json",
        headers=as_persona("amministratore_provincia"),
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["governance"]


def test_an_officer_cannot_send_agreements(client, world, catalogue, as_persona):
    body = payload(world, catalogue, world.home.comune)
    response = client.post(
        "/api/v1/agreements", body, content_type="application/json", headers=as_persona("funzionario_sua")
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert not Agreement.objects.exists()


def test_the_agreement_shows_its_parties_acts_adhesions_and_what_can_happen_next(
    client, world, catalogue, as_persona
):
    agreement = agreement_in(world, catalogue, lifecycle.MUNICIPALITY_APPROVED)

    body = client.get(
        f"/api/v1/agreements/{agreement.pk}", headers=as_persona("amministratore_provincia")
    ).json()

    assert body["state"] == "municipality_approved"
    assert body["municipality"]["istat_code"] == world.home.comune.municipality.istat_code
    assert body["acts"]["province_resolution"]["number"] == "12"
    assert body["acts"]["municipality_resolution"]["has_file"] is True
    assert body["acts"]["signature"] == {"date": None, "has_file": False}
    assert body["acts"]["withdrawal"] is None
    assert body["legal_basis"].startswith("Art. 30")
    [adhesion] = body["adhesions"]
    assert adhesion["service"]["kind"] == "sua" and adhesion["active_today"] is False
    assert body["allowed_transitions"] == ["sign"]


def test_the_comune_is_offered_only_the_acts_it_may_record(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.PROVINCE_APPROVED)
    body = client.get(f"/api/v1/agreements/{agreement.pk}", headers=as_persona("referente_comune")).json()
    assert body["allowed_transitions"] == ["approve_municipality"]
    staff = client.get(f"/api/v1/agreements/{agreement.pk}", headers=as_persona("personale_comune")).json()
    assert staff["allowed_transitions"] == []


def test_the_whole_lifecycle_through_the_api(client, world, catalogue, as_persona):
    today = timezone.localdate()
    admin, referent = as_persona("amministratore_provincia"), as_persona("referente_comune")
    agreement = agreement_in(world, catalogue, lifecycle.DRAFT)
    steps = [
        (
            admin,
            {"transition": "approve_province", "number": "45/2026", "date": str(today - timedelta(days=20))},
        ),
        (
            referent,
            {
                "transition": "approve_municipality",
                "number": "18",
                "date": str(today - timedelta(days=5)),
                "file": pdf("delibera-consiglio.pdf"),
            },
        ),
        (admin, {"transition": "sign", "date": str(today), "file": pdf("convenzione-firmata.pdf")}),
        (admin, {"transition": "activate"}),
    ]
    for headers, data in steps:
        response = client.post(transitions_url(agreement), data, headers=headers)
        assert response.status_code == 200, response.content

    body = response.json()
    assert body["state"] == "active"
    assert body["acts"]["signature"] == {"date": str(today), "has_file": True}
    assert body["adhesions"][0]["active_today"] is True
    assert body["allowed_transitions"] == ["renew", "withdraw"]
    actions = AuditEvent.objects.filter(object_id=str(agreement.pk)).values_list("action", flat=True)
    assert set(actions) >= {
        f"agreement.{name}" for name in ("approve_province", "approve_municipality", "sign")
    }
    assert "agreement.activate" in set(actions)


def test_signing_before_both_approvals_is_a_conflict_and_says_why(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.PROVINCE_APPROVED)
    today = timezone.localdate()

    response = client.post(
        transitions_url(agreement),
        {"transition": "sign", "date": str(today), "file": pdf("firmata.pdf")},
        headers=as_persona("amministratore_provincia"),
    )

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    with translation.override("it"):
        expected = services.refusal_message(
            lifecycle.TransitionRefused(
                "An agreement that is “%(state)s” cannot go through “%(transition)s”.",
                state=lifecycle.PROVINCE_APPROVED,
                transition=lifecycle.SIGN,
            )
        )
    assert response.json()["detail"] == expected
    agreement.refresh_from_db()
    assert agreement.state == lifecycle.PROVINCE_APPROVED and not agreement.signed_file


def test_activating_an_agreement_past_its_term_is_a_conflict(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.SIGNED)
    Agreement.objects.filter(pk=agreement.pk).update(
        start_date=timezone.localdate() - timedelta(days=800),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    response = client.post(
        transitions_url(agreement), {"transition": "activate"}, headers=as_persona("amministratore_provincia")
    )
    assert response.status_code == 409
    assert Agreement.objects.get(pk=agreement.pk).state == lifecycle.SIGNED


def test_a_council_approval_without_its_act_is_a_bad_request(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.PROVINCE_APPROVED)

    response = client.post(
        transitions_url(agreement),
        {"transition": "approve_municipality", "number": "18", "date": str(timezone.localdate())},
        headers=as_persona("referente_comune"),
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    with translation.override("it"):
        assert response.json()["detail"] == translation.gettext("Attach the council's resolution.")
    assert Agreement.objects.get(pk=agreement.pk).municipality_resolution_number == ""


def test_a_council_resolution_that_is_not_a_pdf_is_refused(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.PROVINCE_APPROVED)
    fake = SimpleUploadedFile("delibera.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post(
        transitions_url(agreement),
        {
            "transition": "approve_municipality",
            "number": "18",
            "date": str(timezone.localdate()),
            "file": fake,
        },
        headers=as_persona("referente_comune"),
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    agreement.refresh_from_db()
    assert agreement.state == lifecycle.PROVINCE_APPROVED and not agreement.municipality_resolution_file


def test_an_unknown_transition_is_a_bad_request(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.ACTIVE)
    response = client.post(
        transitions_url(agreement), {"transition": "expire"}, headers=as_persona("amministratore_provincia")
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "transition"


def test_the_comune_cannot_sign_for_the_province(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.MUNICIPALITY_APPROVED)
    response = client.post(
        transitions_url(agreement),
        {"transition": "sign", "date": str(timezone.localdate()), "file": pdf("firmata.pdf")},
        headers=as_persona("referente_comune"),
    )
    assert response.status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).state == lifecycle.MUNICIPALITY_APPROVED


def test_a_withdrawal_records_who_and_when_it_takes_effect(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.ACTIVE)
    today = timezone.localdate()

    response = client.post(
        transitions_url(agreement),
        {"transition": "withdraw", "date": str(today), "effective_date": str(today + timedelta(days=90))},
        headers=as_persona("referente_comune"),
    )

    assert response.status_code == 200, response.content
    withdrawal = response.json()["acts"]["withdrawal"]
    assert withdrawal == {
        "by": "municipality",
        "notice_date": str(today),
        "effective_date": str(today + timedelta(days=90)),
    }
    # Until it takes effect, the Comune still uses the service.
    assert response.json()["adhesions"][0]["active_today"] is True


def test_agreements_of_another_province_or_comune_are_not_found(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.DRAFT, party=world.home.sibling_comune)
    for persona in ("referente_comune", "dirigente_upi", "operatore_economico"):
        response = client.get(f"/api/v1/agreements/{agreement.pk}", headers=as_persona(persona))
        assert response.status_code == 404, persona
        assert response["Content-Type"] == PROBLEM
        refused = client.post(
            transitions_url(agreement), {"transition": "approve_province"}, headers=as_persona(persona)
        )
        assert refused.status_code == 404, persona


def test_agreements_are_filtered_by_state_and_istat_code(client, world, catalogue, as_persona):
    active = agreement_in(world, catalogue, lifecycle.ACTIVE)
    draft = agreement_in(world, catalogue, lifecycle.DRAFT, party=world.home.sibling_comune)
    headers = as_persona("amministratore_provincia")

    by_state = client.get("/api/v1/agreements", {"state": "draft"}, headers=headers).json()
    sibling_code = world.home.sibling_comune.municipality.istat_code
    by_code = client.get("/api/v1/agreements", {"municipality": sibling_code}, headers=headers).json()
    wrong = client.get("/api/v1/agreements", {"state": "nonsense"}, headers=headers)

    assert [a["id"] for a in by_state["items"]] == [draft.pk]
    assert [a["id"] for a in by_code["items"]] == [draft.pk]
    assert wrong.status_code == 400
    mine = client.get("/api/v1/agreements", headers=as_persona("referente_comune")).json()
    assert [a["id"] for a in mine["items"]] == [active.pk]


def test_adhesions_say_whether_they_are_active_on_the_day_asked(client, world, catalogue, as_persona):
    agreement = agreement_in(world, catalogue, lifecycle.ACTIVE)
    agreement_in(world, catalogue, lifecycle.DRAFT, party=world.home.sibling_comune)
    headers = as_persona("amministratore_provincia")
    code = world.home.comune.municipality.istat_code
    yesterday = timezone.localdate() - timedelta(days=1)

    today_rows = client.get(
        "/api/v1/adhesions", {"municipality": code, "service": "sua"}, headers=headers
    ).json()
    before_rows = client.get(
        "/api/v1/adhesions", {"municipality": code, "on": str(yesterday)}, headers=headers
    ).json()
    all_active = client.get("/api/v1/adhesions", {"active": "true"}, headers=headers).json()

    [row] = today_rows["items"]
    assert row["active"] is True
    assert row["agreement"]["id"] == agreement.pk
    assert row["service"]["name"] == "Stazione unica appaltante"
    assert row["municipality"]["istat_code"] == code
    assert before_rows["items"][0]["active"] is False  # the agreement starts today
    assert all_active["count"] == 1
    by_id = client.get("/api/v1/adhesions", {"service": catalogue["sua"].pk}, headers=headers).json()
    assert by_id["count"] == 2


def test_a_comune_sees_only_its_own_adhesions(client, world, catalogue, as_persona):
    agreement_in(world, catalogue, lifecycle.ACTIVE)
    agreement_in(world, catalogue, lifecycle.ACTIVE, party=world.home.sibling_comune)
    rows = client.get("/api/v1/adhesions", headers=as_persona("referente_comune")).json()["items"]
    assert [row["municipality"]["id"] for row in rows] == [world.home.comune.pk]


def test_an_unknown_service_filter_is_a_bad_request(client, world, catalogue, as_persona):
    response = client.get(
        "/api/v1/adhesions", {"service": "catering"}, headers=as_persona("referente_comune")
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "catering" in response.json()["detail"]


def test_upi_sees_the_national_coverage_by_province_and_service(client, world, catalogue, as_persona):
    agreement_in(world, catalogue, lifecycle.ACTIVE)  # Comune di Treviso Capoluogo, 80,000 inhabitants
    agreement_in(world, catalogue, lifecycle.ACTIVE, party=world.home.union)  # two comuni, 2,400

    response = client.get("/api/v1/national/service-coverage", headers=as_persona("dirigente_upi"))

    assert response.status_code == 200
    rows = {(row["province_sigla"], row["service_kind"]): row for row in response.json()["items"]}
    assert set(rows) == {("TV", "sua"), ("PD", "sua")}  # the unpublished statistics office is not offered
    assert rows[("TV", "sua")]["comuni_joined"] == 3
    assert rows[("TV", "sua")]["population_covered"] == 80000 + 1500 + 900
    assert rows[("PD", "sua")]["comuni_joined"] == 0


@pytest.mark.parametrize("persona", ["amministratore_provincia", "referente_comune", "operatore_economico"])
def test_only_upi_sees_the_national_coverage(client, world, catalogue, as_persona, persona):
    response = client.get("/api/v1/national/service-coverage", headers=as_persona(persona))
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("path", ["/api/v1/agreements", "/api/v1/adhesions", "/api/v1/services"])
def test_lists_cost_the_same_queries_whatever_their_length(client, world, catalogue, as_persona, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = as_persona("amministratore_provincia")
    agreement_in(world, catalogue, lifecycle.ACTIVE)
    client.get(path, headers=headers)  # the token's first use records itself: not part of the list's cost
    with CaptureQueriesContext(connection) as one:
        client.get(path, headers=headers)
    agreement_in(world, catalogue, lifecycle.ACTIVE, party=world.home.sibling_comune)
    agreement_in(world, catalogue, lifecycle.DRAFT, party=world.home.union)
    service(world.home.province_org, "Assistenza tecnica", ServiceKind.TECHNICAL_ASSISTANCE)
    with CaptureQueriesContext(connection) as three:
        response = client.get(path, headers=headers)
    assert response.json()["count"] >= 3
    assert len(three) == len(one)


def test_an_administrator_who_gave_only_the_password_cannot_write_through_the_session(
    client, world, catalogue, settings
):
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    client.force_login(world.personas["amministratore_provincia"])  # no second factor verified

    response = client.post(
        "/api/v1/agreements", payload(world, catalogue, world.home.comune), content_type="application/json"
    )

    assert response.status_code == 401
    assert not Agreement.objects.exists()


def test_an_agreement_overlapping_one_in_force_is_a_conflict_and_nothing_is_written(
    client, world, catalogue, as_persona
):
    agreement_in(world, catalogue, lifecycle.ACTIVE)
    response = client.post(
        "/api/v1/agreements",
        payload(world, catalogue, world.home.comune),
        content_type="application/json",
        headers=as_persona("amministratore_provincia"),
    )
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert "ha già una convenzione per «Stazione unica appaltante»" in response.json()["detail"]
    assert Agreement.objects.count() == 1


def test_approving_a_draft_that_overlaps_an_approved_agreement_is_a_conflict(
    client, world, catalogue, as_persona
):
    first, second = (agreement_in(world, catalogue, lifecycle.DRAFT) for _ in range(2))
    services.perform_transition(
        actor(world, "amministratore_provincia"),
        first,
        lifecycle.APPROVE_PROVINCE,
        services.ActData(number="45", day=timezone.localdate()),
    )
    response = client.post(
        transitions_url(second),
        {"transition": "approve_province", "number": "46", "date": str(timezone.localdate())},
        headers=as_persona("amministratore_provincia"),
    )
    assert response.status_code == 409
    assert Agreement.objects.get(pk=second.pk).state == lifecycle.DRAFT


def test_an_agreement_activated_before_its_start_is_upcoming_not_active_today(
    client, world, catalogue, as_persona
):
    agreement = agreement_in(world, catalogue, lifecycle.ACTIVE)
    start = timezone.localdate() + timedelta(days=30)
    Agreement.objects.filter(pk=agreement.pk).update(start_date=start)
    body = client.get(
        f"/api/v1/agreements/{agreement.pk}", headers=as_persona("amministratore_provincia")
    ).json()
    assert body["state"] == "active"
    assert body["standing"] == "upcoming"
    assert body["in_force_today"] is False
