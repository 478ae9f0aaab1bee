"""The ``rebuild_training_hours`` command: after completions and imported hours are written outside the services
(a bulk load), the ledger shows them once the command has run."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from casacomuni.training import ledger
from casacomuni.training.models import ExternalHours, ImportRun
from casacomuni.training.testing import make_staff

pytestmark = pytest.mark.django_db


def test_hours_written_outside_the_services_reach_the_ledger_after_the_command(world):
    anna, bruno = make_staff(world.home.comune, 2)
    run = ImportRun.objects.create(organization=world.home.comune, file_name="carico.csv")
    ExternalHours.objects.bulk_create(
        ExternalHours(
            person=person, provider="Syllabus", course="Dati", hours=hours, completed_on=day, import_run=run
        )
        for person, hours, day in (
            (anna, 6, date(2025, 3, 1)),
            (anna, 4, date(2026, 3, 1)),
            (bruno, 8, date(2026, 5, 2)),
        )
    )
    office = world.acting("funzionario_formazione")
    assert ledger.ledger_for(office, 2026).get(pk=anna.pk).hours == 0  # not refreshed yet

    out = StringIO()
    call_command("rebuild_training_hours", "--year", "2026", stdout=out)
    assert "2 persone e anni" in out.getvalue()
    assert {p.pk: p.hours for p in ledger.ledger_for(office, 2026)} == {
        anna.pk: Decimal(4),
        bruno.pk: Decimal(8),
    }
    assert ledger.ledger_for(office, 2025).get(pk=anna.pk).hours == 0  # another year: left as it was

    call_command("rebuild_training_hours", stdout=StringIO())
    assert ledger.ledger_for(office, 2025).get(pk=anna.pk).hours == Decimal(6)
