"""One partita IVA, one operator: nobody takes another company's identity by typing its name and code.

Reproduces the probe of the issue "Security" (mend first): an operator applied to an albo with another
company's name and partita IVA, and its own organisation became that company. Now a second person of a
company asks to act for it, and one of its representatives decides.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from casacomuni.accounts import services
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import JoinRequestState, Membership, OperatorJoinRequest, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import make_user
from casacomuni.inbox.models import Notification
from casacomuni.procurement.register import services as register_services
from casacomuni.procurement.testing import operator_data

pytestmark = pytest.mark.django_db

OTHER_VAT = "02110040231"


@pytest.fixture
def other_company(world):
    """Impresa Beta with its partita IVA and a representative."""
    world.other_operator.fiscal_code = OTHER_VAT
    world.other_operator.save()
    representative = make_user("rappresentante_beta")
    Membership.objects.create(
        user=representative, organization=world.other_operator, role=Role.OPERATOR_REPRESENTATIVE
    )
    return world.other_operator, representative


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def as_actor(user, organization) -> Actor:
    membership = Membership.objects.get(user=user, organization=organization)
    user.acting_as = membership
    return Actor(user=user, membership=membership)


def apply_as_alfa(world, **fields):
    return register_services.apply_to_register(
        as_actor(world.personas["operatore_economico"], world.operator),
        world.home.province_org,
        register_services.CompanyData(**operator_data(**fields)),
        register_services.parse_categories("90910", ""),
        [],
    )


def test_an_operator_cannot_apply_with_another_companys_partita_iva(world, other_company):
    with pytest.raises(ValidationError, match="appartiene a Impresa Beta S.r.l."):
        apply_as_alfa(world, name="Impresa Beta S.r.l.", fiscal_code=OTHER_VAT)
    world.operator.refresh_from_db()
    assert world.operator.name == "Impresa Alfa S.r.l." and world.operator.fiscal_code == ""


def test_an_operators_partita_iva_once_set_does_not_change(world, other_company):
    apply_as_alfa(world)
    with pytest.raises(ValidationError, match="non cambia"):
        apply_as_alfa(world, fiscal_code="01488160266")


def test_the_database_holds_one_operator_per_partita_iva(world, other_company):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(kind=OrganizationKind.OPERATOR, name="Copia", fiscal_code=OTHER_VAT)


def test_the_refused_form_offers_to_ask_to_join_and_a_representative_approves(
    world, other_company, login_as, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    _operator, representative = other_company
    client = login_as("operatore_economico")
    data = operator_data(name="Impresa Beta S.r.l.", fiscal_code=OTHER_VAT) | {
        "province": world.home.province_org.pk,
        "cpv_codes": "90910",
    }
    refused = client.post(reverse("procurement:register_apply"), data)
    assert refused.status_code == 400 and refused.context["join_code"] == OTHER_VAT
    assert reverse("accounts:operator_join") in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:operator_join"), {"fiscal_code": OTHER_VAT})
    join_request = OperatorJoinRequest.objects.get()
    assert mail.outbox[-1].to == [representative.email]
    assert Notification.objects.get(kind="accounts.operator_join").recipient == representative

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_operator_join_request(
            as_actor(representative, world.other_operator), join_request, True
        )
    assert Membership.objects.filter(
        user=world.personas["operatore_economico"], organization=world.other_operator
    ).exists()
    assert "approvata" in mail.outbox[-1].body


def test_only_the_companys_representative_decides_and_a_rejection_needs_reasons(world, other_company):
    _operator, representative = other_company
    applicant = make_user("persona_qualunque")
    join_request = services.ask_to_join_operator(Actor(user=applicant), OTHER_VAT)
    with pytest.raises(PermissionDenied):
        services.decide_operator_join_request(
            as_actor(world.personas["operatore_economico"], world.operator), join_request, True
        )
    alfa_representative = as_actor(representative, world.other_operator)
    with pytest.raises(ValidationError):
        services.decide_operator_join_request(alfa_representative, join_request, False, "")
    services.decide_operator_join_request(alfa_representative, join_request, False, "Non lavora per noi.")
    join_request.refresh_from_db()
    assert join_request.state == JoinRequestState.REJECTED
    assert not Membership.objects.filter(user=applicant).exists()


def test_asking_twice_or_for_an_unknown_code_is_refused(world, other_company):
    applicant = make_user("persona_qualunque")
    services.ask_to_join_operator(Actor(user=applicant), OTHER_VAT)
    with pytest.raises(ValidationError, match="già chiesto"):
        services.ask_to_join_operator(Actor(user=applicant), OTHER_VAT)
    with pytest.raises(ValidationError, match="Nessun operatore"):
        services.ask_to_join_operator(Actor(user=applicant), "01488160266")
