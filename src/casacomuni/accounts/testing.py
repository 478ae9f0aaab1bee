"""Test data shared by every app's tests: a small territory and named personas in two Provinces.

"Home" is Provincia di Treviso-like data in province A; "elsewhere" is province B. Each persona acts
through one membership in province A; the objects of province B, and of a sibling comune in A, are the
other tenants the cross-tenant tests try to reach.
"""

from dataclasses import dataclass, field

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.territory.models import Municipality, Province, Region, UtsType

PASSWORD = "Una-Password-Di-Prova-2026"  # noqa: S105 (test personas only)


def make_municipality(province: Province, code: str, name: str, population: int, **extra) -> Municipality:
    return Municipality.objects.create(
        istat_code=code,
        istat_numeric_code=int(code),
        cadastral_code=extra.pop("cadastral_code", f"Z{code[-3:]}"),
        name=name,
        province=province,
        population=population,
        population_year=2023,
        **extra,
    )


def make_user(username: str, **extra) -> User:
    user = User(username=username, email=f"{username}@example.test", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def session_key_for(membership: Membership) -> str:
    """A new session of the membership's user acting through it, for an HTTP client of a real server (the
    ``sessionid`` cookie). Written to the session store as ``login`` writes it, with no password checked:
    what ``Client.force_login`` does, for clients outside the process."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from casacomuni.accounts.middleware import SESSION_KEY as MEMBERSHIP_KEY

    user = membership.user
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[MEMBERSHIP_KEY] = membership.pk
    session.create()
    return session.session_key


@dataclass
class Side:
    """One province's organisations."""

    province: Province
    province_org: Organization
    comune: Organization
    sibling_comune: Organization
    union: Organization
    municipalities: list[Municipality] = field(default_factory=list)


@dataclass
class World:
    upi: Organization
    home: Side
    elsewhere: Side
    operator: Organization
    other_operator: Organization
    personas: dict[str, User]
    memberships: dict[str, Membership]

    def acting(self, name: str) -> User:
        """The persona, acting through its membership (as the middleware would set it)."""
        user = self.personas[name]
        user.acting_as = self.memberships[name]
        return user


# persona -> (organisation attribute path, role)
PERSONAS = {
    "dirigente_upi": ("upi", Role.UPI_ADMIN),
    "amministratore_provincia": ("home.province_org", Role.PROVINCE_ADMIN),
    "funzionario_sua": ("home.province_org", Role.SUA_OFFICER),
    "funzionario_europa": ("home.province_org", Role.EUFUNDS_OFFICER),
    "funzionario_dati": ("home.province_org", Role.DATA_OFFICER),
    "funzionario_formazione": ("home.province_org", Role.TRAINING_OFFICER),
    "referente_comune": ("home.comune", Role.MUNICIPALITY_REFERENT),
    "personale_comune": ("home.comune", Role.MUNICIPALITY_STAFF),
    "referente_unione": ("home.union", Role.MUNICIPALITY_REFERENT),
    "operatore_economico": ("operator", Role.OPERATOR_REPRESENTATIVE),
}


def make_side(region: Region, code: str, sigla: str, name: str) -> Side:
    province = Province.objects.create(
        code=code,
        historical_code=code,
        name=name,
        sigla=sigla,
        region=region,
        uts_type=UtsType.PROVINCE,
        is_ordinary_statute=True,
    )
    base = int(code) * 1000
    municipalities = [
        make_municipality(province, f"{base + 1:06d}", f"{name} Capoluogo", 80000, is_capoluogo=True),
        make_municipality(province, f"{base + 2:06d}", f"Borgo di {name}", 3200),
        make_municipality(province, f"{base + 3:06d}", f"Villa di {name}", 1500),
        make_municipality(province, f"{base + 4:06d}", f"Monte di {name}", 900),
    ]
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name=f"Provincia di {name}", province=province
    )
    comune, sibling = (
        Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY, name=f"Comune di {m.name}", province=province, municipality=m
        )
        for m in municipalities[:2]
    )
    union = Organization.objects.create(
        kind=OrganizationKind.UNION, name=f"Unione dei Comuni di {name}", province=province
    )
    union.member_municipalities.set(municipalities[2:])
    return Side(province, province_org, comune, sibling, union, municipalities)


def make_world() -> World:
    region = Region.objects.create(code="05", name="Veneto", is_ordinary_statute=True)
    home = make_side(region, "026", "TV", "Treviso")
    elsewhere = make_side(region, "028", "PD", "Padova")
    upi = Organization.objects.create(kind=OrganizationKind.UPI, name="Unione delle Province d'Italia")
    operator = Organization.objects.create(kind=OrganizationKind.OPERATOR, name="Impresa Alfa S.r.l.")
    other_operator = Organization.objects.create(kind=OrganizationKind.OPERATOR, name="Impresa Beta S.r.l.")
    world = World(upi, home, elsewhere, operator, other_operator, {}, {})
    for name, (path, role) in PERSONAS.items():
        organization = world
        for part in path.split("."):
            organization = getattr(organization, part)
        user = make_user(
            name, first_name=name.split("_")[0].capitalize(), last_name=name.split("_")[-1].capitalize()
        )
        world.personas[name] = user
        world.memberships[name] = Membership.objects.create(user=user, organization=organization, role=role)
    return world
