"""Test data for the EU-funds office, shared with the cross-tenant matrix.

``add_eufunds(side, world)`` creates, through the services, one of each object the office owns for
``side``: a manual call of its Province (read only within that Province), an eligibility criterion on it,
an import run of its office, and the digest preference of its Comune.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.eufunds import services
from casacomuni.eufunds.importers import SAMPLES
from casacomuni.eufunds.models import DigestFrequency


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def actor_for(organization, role: str, username: str) -> Actor:
    membership = (
        Membership.objects.filter(organization=organization, role=role, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        membership = Membership.objects.create(user=make_user(username), organization=organization, role=role)
    return Actor.for_membership(membership)


def officer(side) -> Actor:
    return actor_for(side.province_org, Role.EUFUNDS_OFFICER, f"europa_{side.province.sigla.lower()}")


def referent(organization) -> Actor:
    return actor_for(organization, Role.MUNICIPALITY_REFERENT, f"referente_europa_{organization.pk}")


def manual_call_data(**fields) -> services.CallData:
    now = timezone.now()
    data = {
        "title": "Avviso PNRR M2C4 — Messa in sicurezza del territorio dei piccoli comuni",
        "summary": "Contributi per interventi di messa in sicurezza del territorio a rischio idrogeologico.",
        "programme": "PNRR M2C4",
        "funder": "Ministero dell'Interno",
        "url": "https://www.interno.gov.it/",
        "beneficiaries": "Comuni con popolazione inferiore a 5.000 abitanti",
        "eligible_actions": "Opere di messa in sicurezza",
        "funding_form": "Contributo a fondo perduto",
        "territorial_scope": "Italia",
        "opens_on": (now - timedelta(days=10)).date(),
        "deadline": now + timedelta(days=40),
        "second_deadline": None,
        "budget_total": Decimal("1000000.00"),
        "min_contribution": None,
        "max_contribution": Decimal("500000.00"),
        "cofinancing_share": None,
    }
    return services.CallData(**(data | fields))


def under_5000(actor, call):
    return services.save_criterion(
        actor,
        call,
        "population_max",
        {"limit": 5000, "inclusive": False},
        "possono presentare domanda i Comuni con popolazione inferiore a 5.000 abitanti",
    )


def add_eufunds(side, world) -> dict:
    """One of each EU-funds object for ``side``.

    Who may see them: the call and its criterion — the office (province admin, EU-funds officer) and the
    Comuni/Unioni (referent, staff) of ``side``'s Province; UPI reads every call. The import run — the
    office of ``side``'s Province and UPI. The digest preference — the side's Comune (referent, staff) and
    the office of its Province (through the preview)."""
    actor = officer(side)
    call = services.save_manual_call(
        actor, manual_call_data(title=f"Avviso della Provincia {side.province.sigla}")
    )
    criterion = under_5000(actor, call)
    run = services.import_calls(
        actor, "sedia", sample("sedia_search_page.json"), origin="sedia_search_page.json"
    )
    preference = services.save_digest_preference(
        referent(side.comune), side.comune, services.DigestPreferenceData(frequency=DigestFrequency.MONTHLY)
    )
    return {"call": call, "criterion": criterion, "import_run": run, "digest_preference": preference}


def add_national_catalogue() -> dict:
    """A call of the national catalogue with a national criterion, both written by a system actor: every
    Province reads them, none may change them."""
    system = Actor.system("scheduled import")
    call = services.save_manual_call(system, manual_call_data(title="Avviso nazionale per i piccoli comuni"))
    return {"call": call, "criterion": under_5000(system, call)}


def aware(year, month, day, hour=12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))
