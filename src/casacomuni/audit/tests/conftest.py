"""Two Provinces (Firenze and Pisa), one Comune in Firenze, UPI, and an administrator or referent in each."""

from dataclasses import dataclass

import pytest

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.territory.models import Province, Region, UtsType

PASSWORD = "Registro-Di-Prova-2026"

# persona -> (organisation key, role)
PERSONAS = {
    "dirigente_upi": ("upi", Role.UPI_ADMIN),
    "amministratore_firenze": ("provincia_firenze", Role.PROVINCE_ADMIN),
    "referente_fiesole": ("comune_fiesole", Role.MUNICIPALITY_REFERENT),
    "amministratore_pisa": ("provincia_pisa", Role.PROVINCE_ADMIN),
}


@dataclass
class People:
    organizations: dict[str, Organization]
    users: dict[str, User]
    memberships: dict[str, Membership]

    def actor(self, name: str, ip_address: str | None = "192.0.2.10") -> Actor:
        return Actor(user=self.users[name], membership=self.memberships[name], ip_address=ip_address)

    def acting(self, name: str) -> User:
        """The persona acting through its membership, as the middleware sets it."""
        user = self.users[name]
        user.acting_as = self.memberships[name]
        return user


def make_people() -> People:
    toscana = Region.objects.create(code="09", name="Toscana", is_ordinary_statute=True)
    firenze = Province.objects.create(
        code="048",
        historical_code="048",
        name="Firenze",
        sigla="FI",
        region=toscana,
        uts_type=UtsType.PROVINCE,
    )
    pisa = Province.objects.create(
        code="050", historical_code="050", name="Pisa", sigla="PI", region=toscana, uts_type=UtsType.PROVINCE
    )
    kinds = {
        "upi": (OrganizationKind.UPI, "UPI", None),
        "provincia_firenze": (OrganizationKind.PROVINCE, "Provincia di Firenze", firenze),
        "comune_fiesole": (OrganizationKind.MUNICIPALITY, "Comune di Fiesole", firenze),
        "provincia_pisa": (OrganizationKind.PROVINCE, "Provincia di Pisa", pisa),
    }
    organizations = {
        key: Organization.objects.create(kind=kind, name=name, province=province)
        for key, (kind, name, province) in kinds.items()
    }
    users, memberships = {}, {}
    for name, (org_key, role) in PERSONAS.items():
        users[name] = User.objects.create_user(username=name, password=PASSWORD)
        memberships[name] = Membership.objects.create(
            user=users[name], organization=organizations[org_key], role=role
        )
    return People(organizations, users, memberships)


@pytest.fixture(autouse=True)
def _fast_and_single_factor(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = False


@pytest.fixture
def people(db) -> People:
    return make_people()
