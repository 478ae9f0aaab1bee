"""Agreements' write operations and the gate the other pillars use."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.agreements import services
from casacomuni.agreements.models import Adhesion, Agreement, JoinRequest, ServiceKind
from casacomuni.agreements.rules import lifecycle
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.pdf import act_pdf

pytestmark = pytest.mark.django_db

PDF = act_pdf(["Documento di prova"])


@pytest.fixture
def admin(world):
    user = world.acting("amministratore_provincia")
    return Actor(user=user, membership=user.acting_as)


@pytest.fixture
def referent(world):
    user = world.acting("referente_comune")
    return Actor(user=user, membership=user.acting_as)


def service_data(**extra) -> services.ServiceData:
    data = {
        "kind": ServiceKind.SUA,
        "name": "Stazione Unica Appaltante",
        "description": "Gare per i Comuni",
        "delegated_functions": [1, 2],
        "cost_model": "fixed_fee",
        "cost_amount": Decimal(1200),
        "cost_minimum": None,
        "cost_maximum": None,
        "standard_clauses": "",
        "is_published": True,
    }
    return services.ServiceData(**(data | extra))


def draft(services_, start=None, end=None):
    start = start or date(2026, 1, 1)
    return services.AgreementDraft(
        title="Convenzione SUA",
        legal_basis="art. 30 TUEL",
        object="Funzioni di centrale di committenza",
        governance="Conferenza dei sindaci",
        data_protection="art. 28 GDPR",
        disputes="Foro di Treviso",
        start_date=start,
        end_date=end or date(2028, 12, 31),
        services=services_,
    )


def active_agreement(admin, world, today=date(2026, 11, 26)):
    service = services.save_service(admin, service_data())
    (agreement,) = services.create_agreements(admin, draft([service]), [world.home.comune])
    steps = [
        (lifecycle.APPROVE_PROVINCE, services.ActData(number="12", day=date(2026, 1, 10))),
        (
            lifecycle.APPROVE_MUNICIPALITY,
            services.ActData(number="7", day=date(2026, 2, 3), file=SimpleUploadedFile("delibera.pdf", PDF)),
        ),
        (
            lifecycle.SIGN,
            services.ActData(day=date(2026, 2, 20), file=SimpleUploadedFile("firmata.pdf", PDF)),
        ),
        (lifecycle.ACTIVATE, services.ActData()),
    ]
    for transition, act in steps:
        agreement = services.perform_transition(admin, agreement, transition, act, today=today)
    return agreement


def test_an_agreement_is_sent_to_many_comuni_at_once(admin, world):
    service = services.save_service(admin, service_data())
    agreements = services.create_agreements(
        admin, draft([service]), [world.home.comune, world.home.sibling_comune, world.home.union]
    )
    assert {a.municipality for a in agreements} == {
        world.home.comune,
        world.home.sibling_comune,
        world.home.union,
    }
    assert all(a.state == lifecycle.DRAFT and a.adhesions.count() == 1 for a in agreements)


def test_an_agreement_with_a_comune_of_another_province_is_refused_and_nothing_is_written(admin, world):
    service = services.save_service(admin, service_data())
    with pytest.raises(ValidationError):
        services.create_agreements(admin, draft([service]), [world.home.comune, world.elsewhere.comune])
    assert not Agreement.objects.exists()


def test_the_lifecycle_leaves_its_acts_and_its_trail(admin, world):
    agreement = active_agreement(admin, world)
    assert agreement.state == lifecycle.ACTIVE
    assert agreement.municipality_resolution_file.read() == PDF
    assert agreement.signed_on == date(2026, 2, 20)
    actions = list(
        AuditEvent.objects.filter(object_id=str(agreement.pk), action__startswith="agreement.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "agreement.create",
        "agreement.approve_province",
        "agreement.approve_municipality",
        "agreement.sign",
        "agreement.activate",
    ]


def test_a_refused_transition_says_why_in_italian_and_changes_nothing(admin, world):
    service = services.save_service(admin, service_data())
    (agreement,) = services.create_agreements(admin, draft([service]), [world.home.comune])
    with pytest.raises(ValidationError) as refused:
        services.perform_transition(
            admin,
            agreement,
            lifecycle.SIGN,
            services.ActData(day=date(2026, 2, 20), file=SimpleUploadedFile("f.pdf", PDF)),
        )
    assert "Bozza" in refused.value.messages[0]
    agreement.refresh_from_db()
    assert agreement.state == lifecycle.DRAFT and not agreement.signed_file


def test_a_comune_referent_cannot_sign_for_the_province(admin, referent, world):
    service = services.save_service(admin, service_data())
    (agreement,) = services.create_agreements(admin, draft([service]), [world.home.comune])
    with pytest.raises(PermissionDenied):
        services.perform_transition(
            referent,
            agreement,
            lifecycle.APPROVE_PROVINCE,
            services.ActData(number="1", day=date(2026, 1, 1)),
        )


def test_the_gate_opens_only_with_an_adhesion_in_force(admin, world):
    agreement = active_agreement(admin, world)
    adhesion = services.require_adhesion(world.home.comune, ServiceKind.SUA, on=date(2026, 6, 1))
    assert adhesion.agreement == agreement
    with pytest.raises(services.AdhesionRequired, match="non ha una convenzione in vigore"):
        services.require_adhesion(world.home.sibling_comune, ServiceKind.SUA, on=date(2026, 6, 1))
    with pytest.raises(services.AdhesionRequired):
        services.require_adhesion(world.home.comune, ServiceKind.EU_FUNDS, on=date(2026, 6, 1))
    with pytest.raises(services.AdhesionRequired):
        services.require_adhesion(world.home.comune, ServiceKind.SUA, on=date(2029, 1, 1))


def test_after_a_withdrawal_takes_effect_the_gate_closes(admin, world):
    agreement = active_agreement(admin, world)
    today = timezone.localdate()
    services.perform_transition(
        admin,
        agreement,
        lifecycle.WITHDRAW,
        services.ActData(day=today, effective_date=today + timedelta(days=180)),
        today=today,
    )
    assert services.require_adhesion(world.home.comune, ServiceKind.SUA, on=today + timedelta(days=179))
    with pytest.raises(services.AdhesionRequired):
        services.require_adhesion(world.home.comune, ServiceKind.SUA, on=today + timedelta(days=180))


def test_expired_agreements_are_marked_by_the_daily_run(admin, world):
    agreement = active_agreement(admin, world)
    assert services.expire_agreements(today=date(2029, 1, 1)) == 1
    agreement.refresh_from_db()
    assert agreement.state == lifecycle.EXPIRED


def test_a_comune_asks_to_join_a_service_and_the_province_adds_it(admin, referent, world):
    agreement = active_agreement(admin, world, today=timezone.localdate())
    statistics = services.save_service(
        admin,
        service_data(
            kind=ServiceKind.STATISTICS,
            name="Statistica",
            cost_model="free",
            cost_amount=Decimal(0),
            delegated_functions=[],
        ),
    )
    join = services.request_join(referent, statistics, "Ci serve il supporto")
    with pytest.raises(ValidationError):
        services.request_join(referent, statistics)
    services.answer_join_request(admin, join, accept=True)
    assert JoinRequest.objects.get().status == JoinRequest.Status.ACCEPTED
    assert Adhesion.objects.filter(agreement=agreement, service=statistics).exists()


def test_the_yearly_cost_follows_the_service_model(admin, world):
    agreement = active_agreement(admin, world)
    adhesion = agreement.adhesions.get()
    # 1,200 € a year from 1 January 2026: the whole year.
    assert services.yearly_cost(adhesion, 2026).total == Decimal("1200.00")
    adhesion.service.cost_model, adhesion.service.cost_amount = "per_inhabitant", Decimal("0.25")
    adhesion.service.save()
    # Treviso Capoluogo of the test world: 80,000 inhabitants × 0.25 €.
    assert services.yearly_cost(Adhesion.objects.get(pk=adhesion.pk), 2026).total == Decimal("20000.00")


def test_a_unions_population_is_its_members_even_when_a_reference_year_is_missing(world):
    """The territory data may give a Comune's population without its reference year: the Unione's population
    is still its members' sum, with the latest year known (none known: none)."""
    union = world.home.union
    villa, monte = union.member_municipalities.order_by("-population")
    assert (villa.population, monte.population, villa.population_year) == (1500, 900, 2023)
    monte.population_year = None
    monte.save()
    assert services.population_of(union) == (2400, 2023)
    villa.population_year = None
    villa.save()
    assert services.population_of(union) == (2400, None)


def approve(admin, agreement, day=date(2026, 11, 20)):
    return services.perform_transition(
        admin, agreement, lifecycle.APPROVE_PROVINCE, services.ActData(number="40", day=day), today=day
    )


def test_a_second_agreement_for_the_same_comune_and_service_on_the_same_days_is_refused(admin, world):
    """Two convenzioni for one service would make the Comune pay twice: the earlier must end first."""
    first = active_agreement(admin, world)  # SUA, 1/1/2026 – 31/12/2028
    service = first.adhesions.get().service
    with pytest.raises(ValidationError) as refused:
        services.create_agreements(
            admin, draft([service], start=date(2028, 1, 1), end=date(2030, 12, 31)), [world.home.comune]
        )
    message = refused.value.messages[0]
    assert refused.value.code == "overlap"
    assert "ha già una convenzione per «Stazione Unica Appaltante» dal 01/01/2026 al 31/12/2028" in message
    assert "dopo il 31/12/2028" in message and "recesso" in message
    assert Agreement.objects.count() == 1
    # Starting the day after the earlier one ends is what the message asks for, and it is accepted.
    (successor,) = services.create_agreements(
        admin, draft([service], start=date(2029, 1, 1), end=date(2031, 12, 31)), [world.home.comune]
    )
    assert successor.state == lifecycle.DRAFT


def test_of_two_overlapping_drafts_only_the_first_approved_goes_on(admin, world):
    service = services.save_service(admin, service_data())
    (first,) = services.create_agreements(admin, draft([service]), [world.home.comune])
    (second,) = services.create_agreements(admin, draft([service]), [world.home.comune])
    approve(admin, first)
    with pytest.raises(ValidationError, match="ha già una convenzione"):
        approve(admin, second)
    second.refresh_from_db()
    assert second.state == lifecycle.DRAFT and not second.province_resolution_number


def test_a_renewal_may_not_run_into_the_next_agreement(admin, world):
    first = active_agreement(admin, world)
    service = first.adhesions.get().service
    (successor,) = services.create_agreements(
        admin, draft([service], start=date(2029, 1, 1), end=date(2031, 12, 31)), [world.home.comune]
    )
    approve(admin, successor)
    renewal = services.ActData(number="41", day=date(2026, 11, 20), new_end_date=date(2030, 12, 31))
    with pytest.raises(ValidationError, match="ha già una convenzione"):
        services.perform_transition(admin, first, lifecycle.RENEW, renewal, today=date(2026, 11, 26))
    first.refresh_from_db()
    assert first.end_date == date(2028, 12, 31) and first.renewals == 0


def test_after_a_withdrawal_a_new_agreement_may_start_when_it_takes_effect(admin, world):
    first = active_agreement(admin, world)
    service = first.adhesions.get().service
    services.perform_transition(
        admin,
        first,
        lifecycle.WITHDRAW,
        services.ActData(day=date(2026, 3, 1), effective_date=date(2026, 9, 1)),
        today=date(2026, 3, 1),
    )
    with pytest.raises(ValidationError, match="al 31/08/2026"):
        services.create_agreements(admin, draft([service], start=date(2026, 8, 1)), [world.home.comune])
    services.create_agreements(admin, draft([service], start=date(2026, 9, 1)), [world.home.comune])


def test_another_service_or_another_comune_does_not_overlap(admin, world):
    first = active_agreement(admin, world)
    statistics = services.save_service(
        admin, service_data(kind=ServiceKind.STATISTICS, name="Statistica", cost_model="free")
    )
    services.create_agreements(admin, draft([statistics]), [world.home.comune])
    services.create_agreements(admin, draft([first.adhesions.get().service]), [world.home.sibling_comune])
    assert Agreement.objects.count() == 3


def test_an_agreement_activated_before_its_start_says_when_it_comes_into_force(admin, world):
    service = services.save_service(admin, service_data())
    start = timezone.localdate() + timedelta(days=30)
    (agreement,) = services.create_agreements(
        admin, draft([service], start=start, end=start + timedelta(days=1000)), [world.home.comune]
    )
    today = timezone.localdate()
    steps = [
        (lifecycle.APPROVE_PROVINCE, services.ActData(number="12", day=today)),
        (
            lifecycle.APPROVE_MUNICIPALITY,
            services.ActData(number="7", day=today, file=SimpleUploadedFile("d.pdf", PDF)),
        ),
        (lifecycle.SIGN, services.ActData(day=today, file=SimpleUploadedFile("f.pdf", PDF))),
        (lifecycle.ACTIVATE, services.ActData()),
    ]
    for transition, act in steps:
        agreement = services.perform_transition(admin, agreement, transition, act, today=today)
    assert agreement.standing() == lifecycle.UPCOMING
    assert agreement.standing_label == f"Firmata, in vigore dal {start:%d/%m/%Y}"
    assert not agreement.in_force(today)
