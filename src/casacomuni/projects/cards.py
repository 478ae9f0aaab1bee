"""The EU-funds card on the dashboard: applications in progress, funded projects and, for a Comune with PNRR
projects, the next monthly update deadline (by the 10th: ``rules.pnrr``). Three queries at most."""

from django.db.models import Count, Q
from django.utils import timezone

from casacomuni.projects.models import Application, FundedProject
from casacomuni.projects.parties import READER_ROLES, local_party
from casacomuni.projects.rules import pipeline, pnrr


def projects_card(user, membership) -> dict | None:
    if membership is None or membership.role not in READER_ROLES:
        return None
    today = timezone.localdate()
    applications = Application.objects.for_user(user).exclude(status__in=pipeline.FINAL).count()
    projects = FundedProject.objects.for_user(user).aggregate(
        total=Count("pk"), pnrr=Count("pk", filter=Q(is_pnrr=True) & ~Q(status="completed"))
    )
    card = {
        "template": "projects/_dashboard_card.html",
        "applications": applications,
        "projects": projects["total"],
        "comune": local_party(user) is not None,
    }
    if projects["pnrr"]:
        deadline = pnrr.next_update_deadline(today)
        card |= {
            "pnrr_projects": projects["pnrr"],
            "pnrr_deadline": deadline,
            "pnrr_days": (deadline - today).days,
        }
    return card


CARDS = [projects_card]
