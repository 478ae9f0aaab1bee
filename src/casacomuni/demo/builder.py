"""Realistic, deterministic demo data: UPI, three real Provinces, a share of their real comuni, users.

Re-runnable: every row is found by a natural key and created only when missing, and the demo users'
passwords and second-factor keys are reset to the documented values. The choice of comuni is seeded.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum import luhn

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.audit.services import record_event
from casacomuni.demo.agreements import DemoAgreements
from casacomuni.demo.eufunds import DemoEufunds
from casacomuni.demo.experiences import DemoExperiences
from casacomuni.demo.helpdesk import DemoHelpdesk
from casacomuni.demo.inbox import DemoInbox
from casacomuni.demo.indicators import DemoIndicators
from casacomuni.demo.insights import DemoInsights
from casacomuni.demo.library import DemoLibrary
from casacomuni.demo.online_bids import DemoOnlineBids
from casacomuni.demo.opendata import DemoOpendata
from casacomuni.demo.procurement import DemoProcedures, DemoProcurement
from casacomuni.demo.procurement_history import DemoProcurementHistory
from casacomuni.demo.projects import DemoProjects
from casacomuni.demo.training import DemoTraining
from casacomuni.territory.models import Municipality, Province

# The documented demo password (bandit B105, ruff S105).
DEMO_PASSWORD = "CasaComuni-Demo-2026"  # noqa: S105  # nosec B105
# Base32 key of every demo administrator's authenticator (documented in the README): the demo only.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test key "12345678901234567890"
DEMO_DEVICE_NAME = "Demo"
SEED = 20261126
# Share of each demo Province's comuni that joined the platform (the capoluogo always does).
MUNICIPALITY_SHARE = 0.3


@dataclass(frozen=True)
class DemoProvince:
    sigla: str
    fiscal_code: str
    prefix: str  # of the officers' usernames


PROVINCES = (
    DemoProvince("TV", "80008870265", "tv"),
    DemoProvince("PG", "00443770540", "pg"),
    DemoProvince("BS", "80008750178", "bs"),
)

PROVINCE_ROLES = (
    ("admin", Role.PROVINCE_ADMIN, "Anna", "Amministratrice"),
    ("sua", Role.SUA_OFFICER, "Sergio", "Appalti"),
    ("europa", Role.EUFUNDS_OFFICER, "Elena", "Europa"),
    ("dati", Role.DATA_OFFICER, "Dario", "Dati"),
    ("formazione", Role.TRAINING_OFFICER, "Franca", "Formazione"),
)

# A real union: Unione dei Comuni del Trasimeno (PG), by ISTAT code of its members.
TRASIMENO = ("054009", "054012", "054026", "054036", "054037", "054038", "054040", "054055")

OPERATORS = (
    ("Edilizia Umbra S.r.l.", "operatore.edilizia"),
    ("Servizi Digitali Veneto S.p.A.", "operatore.digitale"),
    ("Verde Pubblico Lombardia S.c.a.r.l.", "operatore.verde"),
)


@dataclass
class DemoLogin:
    username: str
    organization: str
    role: str
    mfa: bool


class DemoBuilder:
    def __init__(self):
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
        self.logins: list[DemoLogin] = []

    def build(self) -> list[DemoLogin]:
        with transaction.atomic():
            upi = self.organization(OrganizationKind.UPI, "Unione delle Province d'Italia")
            self.member("dirigente.upi", upi, Role.UPI_ADMIN, "Ugo", "Provinciali")
            for demo in PROVINCES:
                self.province(demo)
            for index, (name, username) in enumerate(OPERATORS):
                operator = self.organization(OrganizationKind.OPERATOR, name, fiscal_code=operator_vat(index))
                self.member(username, operator, Role.OPERATOR_REPRESENTATIVE, "Olga", name.split()[0])
            siglas = [demo.sigla for demo in PROVINCES]
            DemoAgreements().build(siglas)
            DemoProcurement().build(siglas)
            DemoProcedures().build(siglas)
            DemoProcurementHistory().build(siglas)
            DemoOnlineBids().build(siglas[0])
            DemoEufunds().build(siglas)
            DemoProjects().build(siglas)
            DemoInsights().build(siglas)
            DemoTraining().build(siglas)
            DemoExperiences().build(siglas)
            DemoHelpdesk().build(siglas)
            DemoInbox().build(siglas)
            DemoLibrary().build(siglas)
            # Last: the indicators and the open data are computed from everything above.
            DemoIndicators().build()
            DemoOpendata().build(siglas)
            record_event(Actor.system("load_demo"), "demo.load", None, {"logins": [None, len(self.logins)]})
        return self.logins

    def province(self, demo: DemoProvince) -> None:
        province = Province.objects.get(sigla=demo.sigla)
        organization = self.organization(
            OrganizationKind.PROVINCE,
            f"Provincia di {province.name}",
            province=province,
            fiscal_code=demo.fiscal_code,
        )
        for prefix, role, first, last in PROVINCE_ROLES:
            self.member(f"{prefix}.{demo.prefix}", organization, role, first, last)
        for municipality in chosen_municipalities(province):
            comune = self.organization(
                OrganizationKind.MUNICIPALITY,
                f"Comune di {municipality.name}",
                province=province,
                municipality=municipality,
            )
            self.member(
                f"referente.{municipality.istat_code}",
                comune,
                Role.MUNICIPALITY_REFERENT,
                "Rita",
                municipality.name,
            )
            if municipality.is_capoluogo:
                self.member(
                    f"staff.{municipality.istat_code}",
                    comune,
                    Role.MUNICIPALITY_STAFF,
                    "Stefano",
                    municipality.name,
                )
                # One person in two organisations: the demo of the organisation switcher.
                self.member(f"sua.{demo.prefix}", comune, Role.MUNICIPALITY_STAFF, "Sergio", "Appalti")
        if demo.sigla == "PG":
            union = self.organization(
                OrganizationKind.UNION, "Unione dei Comuni del Trasimeno", province=province
            )
            union.member_municipalities.set(Municipality.objects.filter(istat_code__in=TRASIMENO))
            self.member("referente.trasimeno", union, Role.MUNICIPALITY_REFERENT, "Tiziana", "Trasimeno")

    def organization(self, kind, name, **fields) -> Organization:
        lookup = (
            {"municipality": fields["municipality"]}
            if "municipality" in fields
            else {"kind": kind, "name": name}
        )
        organization, _ = Organization.objects.update_or_create(
            **lookup, defaults={"kind": kind, "name": name, **fields}
        )
        return organization

    def member(self, username, organization, role, first_name, last_name) -> Membership:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.casacomuni.invalid",
                "password": self.password_hash,
                "is_active": True,
            },
        )
        membership, _ = Membership.objects.update_or_create(
            user=user, organization=organization, role=role, defaults={"is_active": True}
        )
        if membership.is_admin:
            TOTPDevice.objects.update_or_create(
                user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )
        self.logins.append(
            DemoLogin(username, organization.name, membership.get_role_display(), membership.is_admin)
        )
        return membership


def chosen_municipalities(province: Province) -> list[Municipality]:
    """The capoluogo and a seeded sample of the province's current comuni."""
    municipalities = list(Municipality.objects.current().filter(province=province).order_by("istat_code"))
    count = max(1, round(len(municipalities) * MUNICIPALITY_SHARE))
    # A seeded generator makes the demo reproducible; nothing secret (bandit B311, ruff S311).
    sample = set(random.Random(f"{SEED}-{province.sigla}").sample(municipalities, count))  # nosec B311
    sample.update(m for m in municipalities if m.is_capoluogo)
    return sorted(sample, key=lambda m: m.istat_code)


def operator_vat(index: int) -> str:
    """A well-formed partita IVA for fictitious companies: 7-digit number, office code, Luhn check digit."""
    base = f"{1234567 + index:07d}026"
    return base + luhn.calc_check_digit(base)
