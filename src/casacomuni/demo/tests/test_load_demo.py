"""The demo data: real Provinces and comuni, every role, re-runnable without duplicates."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.demo.builder import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def counts():
    return Organization.objects.count(), User.objects.count(), Membership.objects.count()


def test_demo_covers_three_real_provinces_and_every_role(italy):
    call_command("load_demo", verbosity=0)
    provinces = Organization.objects.filter(kind=OrganizationKind.PROVINCE)
    assert sorted(provinces.values_list("province__sigla", flat=True)) == ["BS", "PG", "TV"]
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    # Treviso has 94 comuni (ISTAT): about a third joined, the capoluogo among them.
    treviso = Organization.objects.filter(kind=OrganizationKind.MUNICIPALITY, province__sigla="TV")
    assert 25 <= treviso.count() <= 35
    assert treviso.filter(municipality__is_capoluogo=True).exists()
    union = Organization.objects.get(kind=OrganizationKind.UNION)
    assert (
        union.member_municipalities.count() == 8
        and union.member_municipalities.filter(name="Magione").exists()
    )


def test_demo_is_deterministic_and_rerunnable(italy):
    call_command("load_demo", verbosity=0)
    first = counts()
    chosen = set(Organization.objects.values_list("municipality__istat_code", flat=True))
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert set(Organization.objects.values_list("municipality__istat_code", flat=True)) == chosen


def test_demo_users_log_in_with_the_documented_password(italy, rf):
    call_command("load_demo", verbosity=0)
    assert authenticate(rf.post("/"), username="referente.054039", password=DEMO_PASSWORD) is not None


def test_demo_totp_prints_the_code_of_a_demo_administrator_only(italy, capsys):
    call_command("load_demo", verbosity=0)
    call_command("demo_totp", "admin.tv")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    with pytest.raises(CommandError):
        call_command("demo_totp", "referente.054039")
