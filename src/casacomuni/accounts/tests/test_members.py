"""Administrators manage members, unions and provinces; bad input changes nothing."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import Role
from casacomuni.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_province_admin_adds_a_new_user_who_gets_a_password_link(login_as, world):
    client = login_as("amministratore_provincia")
    data = {
        "organization": world.home.comune.pk,
        "role": Role.MUNICIPALITY_STAFF,
        "username": "nuovo.utente",
        "first_name": "Nuova",
        "last_name": "Utente",
        "email": "nuova@example.test",
        "fiscal_code": "",
    }
    response = client.post(reverse("accounts:members"), data)
    assert response.status_code == 302
    user = User.objects.get(username="nuovo.utente")
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, organization=world.home.comune, role=Role.MUNICIPALITY_STAFF
    ).exists()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"user.create", "membership.create"}

    # The e-mail is sent by the real task worker, from the task the service enqueued.
    call_command("db_worker", batch=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert "/account/password/nuova/" in mail.outbox[0].body


def test_a_role_foreign_to_the_organisation_kind_is_refused_and_nothing_is_written(login_as, world):
    client = login_as("amministratore_provincia")
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("accounts:members"),
        {
            "organization": world.home.comune.pk,
            "role": Role.SUA_OFFICER,
            "username": "altro",
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.test",
        },
    )
    assert response.status_code == 400
    assert "Questo ruolo non esiste in questo tipo di ente" in response.content.decode()
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


def test_an_invalid_fiscal_code_is_refused(login_as, world):
    client = login_as("amministratore_provincia")
    response = client.post(
        reverse("accounts:members"),
        {
            "organization": world.home.comune.pk,
            "role": Role.MUNICIPALITY_STAFF,
            "username": "cf.sbagliato",
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.test",
            "fiscal_code": "RSSMRA80A01H501X",
        },
    )
    assert response.status_code == 400
    assert "non è un codice fiscale valido" in response.content.decode()
    assert not User.objects.filter(username="cf.sbagliato").exists()


def test_province_admin_cannot_add_members_to_another_province(login_as, world):
    client = login_as("amministratore_provincia")
    response = client.post(
        reverse("accounts:members"),
        {
            "organization": world.elsewhere.comune.pk,
            "role": Role.MUNICIPALITY_STAFF,
            "username": "funzionario_sua",
        },
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(
        organization=world.elsewhere.comune, user__username="funzionario_sua"
    ).exists()


def test_removing_a_role_ends_the_membership_and_its_tokens(login_as, world):
    client = login_as("amministratore_provincia")
    membership = world.memberships["referente_comune"]
    response = client.post(reverse("accounts:deactivate_member", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditEvent.objects.filter(action="membership.deactivate", object_id=str(membership.pk)).exists()


def test_comune_staff_cannot_manage_members(login_as, world):
    assert login_as("referente_comune").get(reverse("accounts:members")).status_code == 403


def test_province_admin_registers_a_union_of_its_own_comuni(login_as, world):
    client = login_as("amministratore_provincia")
    members = [m.pk for m in world.home.municipalities[:2]]
    response = client.post(
        reverse("accounts:union_create"), {"name": "Unione del Piave", "municipalities": members}
    )
    assert response.status_code == 302
    union = Organization.objects.get(name="Unione del Piave")
    assert union.province == world.home.province
    assert sorted(union.member_municipalities.values_list("pk", flat=True)) == sorted(members)


def test_a_union_with_a_comune_of_another_province_is_refused(login_as, world):
    client = login_as("amministratore_provincia")
    response = client.post(
        reverse("accounts:union_create"),
        {
            "name": "Unione Mista",
            "municipalities": [world.home.municipalities[0].pk, world.elsewhere.municipalities[0].pk],
        },
    )
    assert response.status_code == 400
    assert not Organization.objects.filter(name="Unione Mista").exists()


def test_upi_registers_a_province_and_sees_its_administrators(login_as, world):
    from casacomuni.territory.models import Province, UtsType

    vicenza = Province.objects.create(
        code="024",
        historical_code="024",
        name="Vicenza",
        sigla="VI",
        region=world.home.province.region,
        uts_type=UtsType.PROVINCE,
        is_ordinary_statute=True,
    )
    client = login_as("dirigente_upi")
    response = client.post(reverse("accounts:province_admins"), {"province": vicenza.pk})
    assert response.status_code == 302
    assert Organization.objects.filter(kind="province", province=vicenza).exists()
    page = client.get(reverse("accounts:province_admins")).content.decode()
    assert "amministratore_provincia" in page or "Amministratore" in page


def test_the_province_admin_list_query_count_does_not_grow(login_as, world, django_assert_max_num_queries):
    client = login_as("dirigente_upi")
    client.get(reverse("accounts:province_admins"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:province_admins"))
    from casacomuni.accounts.testing import make_side

    for index in range(5):
        side = make_side(world.home.province.region, f"{40 + index:03d}", f"Z{index}", f"Extra{index}")
        Membership.objects.create(
            user=world.personas["funzionario_dati"], organization=side.province_org, role="province_admin"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accounts:province_admins"))
    assert len(many) == len(few)


@pytest.mark.parametrize("url_name", ["accounts:members", "accounts:organizations", "accounts:unions"])
def test_province_admin_list_pages_have_a_constant_query_count(login_as, world, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casacomuni.accounts.testing import make_municipality, make_user

    client = login_as("amministratore_provincia")
    url = reverse(url_name)
    client.get(url)  # the first request also chooses the membership and saves the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(12):
        municipality = make_municipality(world.home.province, f"026{100 + index:03d}", f"Paese {index}", 1000)
        comune = Organization.objects.create(
            kind="municipality",
            name=f"Comune di Paese {index}",
            province=world.home.province,
            municipality=municipality,
        )
        union = Organization.objects.create(
            kind="union", name=f"Unione {index}", province=world.home.province
        )
        union.member_municipalities.set([municipality, world.home.municipalities[0]])
        Membership.objects.create(
            user=make_user(f"utente{index}"), organization=comune, role=Role.MUNICIPALITY_STAFF
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), url_name


def test_each_administrator_is_offered_only_the_roles_it_may_give(login_as, world):
    province_roles = dict(
        login_as("amministratore_provincia")
        .get(reverse("accounts:members"))
        .context["form"]
        .fields["role"]
        .choices
    )
    assert Role.UPI_ADMIN not in province_roles and Role.OPERATOR_REPRESENTATIVE not in province_roles
    assert Role.SUA_OFFICER in province_roles and Role.MUNICIPALITY_REFERENT in province_roles
    upi_roles = dict(
        login_as("dirigente_upi").get(reverse("accounts:members")).context["form"].fields["role"].choices
    )
    assert set(upi_roles) == set(Role.values) - {
        Role.MUNICIPALITY_REFERENT,
        Role.MUNICIPALITY_STAFF,
        Role.OPERATOR_REPRESENTATIVE,
    }
