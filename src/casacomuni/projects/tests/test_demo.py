"""The demo applications and projects: built through the services on top of the demo, every pipeline status,
a PNRR project with milestones and checks, re-runnable."""

import pytest
from django.core.management import call_command

from casacomuni.demo.projects import DemoProjects
from casacomuni.lib.identifiers import check_cig, check_cup
from casacomuni.projects.models import Application, Expense, FundedProject
from casacomuni.projects.rules import pipeline
from casacomuni.territory.testing import italy, italy_module  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def counts():
    return Application.objects.count(), FundedProject.objects.count(), Expense.objects.count()


def test_the_demo_builds_every_status_and_is_rerunnable(italy):  # noqa: F811
    call_command("load_demo", verbosity=0)
    DemoProjects().build(["TV", "PG", "BS"])
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {
        pipeline.FLAGGED,
        pipeline.DESIGNING,
        pipeline.SUBMITTED,
        pipeline.FUNDED,
        pipeline.NOT_FUNDED,
    } <= statuses
    assert FundedProject.objects.count() == 6
    pnrr = FundedProject.objects.filter(is_pnrr=True).first()
    assert pnrr.milestones.count() == 2 and pnrr.checks.count() == 3
    assert all(check_cup(cup).valid for cup in FundedProject.objects.values_list("cup", flat=True))
    assert all(check_cig(cig).valid for cig in Expense.objects.values_list("cig", flat=True))
    before = counts()
    DemoProjects().build(["TV", "PG", "BS"])
    assert counts() == before
