"""Test data of the calendar: the side's dated objects moved to today, and a feed link per persona.

``add_agenda(side, world)`` runs after the other apps' builders (``add_pillar_objects``): it moves the dates
of the side's procedures, calls, campaigns, agreements, applications, milestones, reporting periods and
training sessions to today (a request for help keeps the due times its service level gives), so that every calendar and feed of the matrix shows them, and returns the UIDs of
the side's events. At home it also creates a feed link for every persona (``world.feed_tokens``: persona ->
secret) and one revoked link (``world.revoked_feed_token``).
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.agenda import services, sources
from casacomuni.agreements.models import Agreement
from casacomuni.eufunds.models import Call
from casacomuni.helpdesk.models import HelpRequest
from casacomuni.insights.models import Campaign
from casacomuni.procurement.procedures.models import Lot, Procedure
from casacomuni.procurement.requests.models import ProcurementRequest
from casacomuni.projects.applications.models import Application
from casacomuni.projects.funded.models import Milestone, ReportingPeriod
from casacomuni.training.models import Edition, Session


def today_at(hour: int) -> datetime:
    return datetime.combine(timezone.localdate(), time(hour), tzinfo=timezone.get_current_timezone())


def move_to_today(side) -> None:
    today = timezone.localdate()
    province = side.province_org
    Procedure.objects.filter(province=province).update(bid_deadline=today_at(12))
    ProcurementRequest.objects.filter(province=province).update(desired_award_date=today)
    Call.objects.filter(province=side.province).update(deadline=today_at(13))
    Application.objects.filter(province=province).update(lead_time_days=0)
    Campaign.objects.filter(province=province).update(opens_on=today - timedelta(days=30), deadline=today)
    Agreement.objects.filter(province=province).update(end_date=today)
    Milestone.objects.filter(project__province=province).update(due_on=today, achieved=False)
    ReportingPeriod.objects.filter(project__province=province).update(
        starts_on=today - timedelta(days=90), ends_on=today, submitted_on=None
    )
    Session.objects.filter(edition__module__province=province).update(
        starts_at=today_at(9), ends_at=today_at(11)
    )
    Edition.objects.filter(module__province=province).update(enrolment_deadline=today)


def side_uids(side) -> set[str]:
    """The UIDs the side's objects take in any calendar (a persona of the other side must see none)."""
    province = side.province_org
    uid = sources.uid
    found = {
        uid(sources.BID_DEADLINE, pk)
        for pk in Procedure.objects.filter(province=province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.BID_DEADLINE, procedure, "lot", lot)
        for lot, procedure in Lot.objects.filter(procedure__province=province).values_list(
            "pk", "procedure_id"
        )
    }
    found |= {
        uid(sources.CALL_DEADLINE, pk)
        for pk in Call.objects.filter(province=side.province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.CAMPAIGN_DEADLINE, pk)
        for pk in Campaign.objects.filter(province=province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.AGREEMENT_END, pk)
        for pk in Agreement.objects.filter(province=province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.MILESTONE, pk)
        for pk in Milestone.objects.filter(project__province=province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.TRAINING_SESSION, pk)
        for pk in Session.objects.filter(edition__module__province=province).values_list("pk", flat=True)
    }
    found |= {
        uid(sources.HELP_DUE, which, pk)
        for pk in HelpRequest.objects.filter(province=province).values_list("pk", flat=True)
        for which in ("first", "resolution")
    }
    return found


def add_agenda(side, world) -> dict:
    move_to_today(side)
    if side is world.home:
        world.feed_tokens = {}
        for persona, membership in world.memberships.items():
            if persona == "dirigente_upi":
                # A revoked link first: it must answer 404 for everybody from then on.
                _token, world.revoked_feed_token = services.create_feed_token(
                    Actor.for_membership(membership)
                )
            _token, world.feed_tokens[persona] = services.create_feed_token(Actor.for_membership(membership))
    return {"uids": side_uids(side)}
