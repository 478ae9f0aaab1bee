"""The demo data: real Provinces and comuni, every role, agreements in every state, re-runnable."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.services import save_union
from casacomuni.agreements import selectors
from casacomuni.agreements.models import Adhesion, Agreement, AgreementState, JoinRequest, Service
from casacomuni.audit.models import AuditEvent
from casacomuni.demo.builder import DEMO_PASSWORD
from casacomuni.demo.projects import DemoProjects
from casacomuni.inbox.models import Notification
from casacomuni.lib.identifiers import check_cig, check_cpv, check_cup
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.market.models import MarketRelease
from casacomuni.procurement.requests.models import ProcurementRequest, RequestAttachment, RequestState
from casacomuni.projects.models import Application, Expense, FundedProject
from casacomuni.projects.rules import pipeline

# The demo is what scripts/run loads on SQLite; loading it takes a minute: these tests run once, in the SQLite
# pass (ADR 0010). What depends on the engine is tested by each app's own tests on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once]


def counts():
    return (
        Organization.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Service.objects.count(),
        Agreement.objects.count(),
        Adhesion.objects.count(),
        JoinRequest.objects.count(),
        ProcurementRequest.objects.count(),
        RequestAttachment.objects.count(),
        MarketRelease.objects.count(),
        Notification.objects.count(),
        # Importing the calls' samples and computing the indicators are operations audited at every run, even
        # when they change nothing.
        AuditEvent.objects.exclude(action__in=RUN_EVERY_TIME).count(),
    )


RUN_EVERY_TIME = ("demo.load", "eufunds.calls_imported", "indicators.compute")


def test_demo_covers_three_real_provinces_and_every_role(demo):
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


def test_demo_is_deterministic_and_rerunnable(demo):
    first = counts()
    chosen = set(Organization.objects.values_list("municipality__istat_code", flat=True))
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert set(Organization.objects.values_list("municipality__istat_code", flat=True)) == chosen


def test_the_demo_restarts_after_an_administrator_registered_a_union_without_referent(demo):
    admin = Membership.objects.get(
        role=Role.PROVINCE_ADMIN,
        organization__kind=OrganizationKind.PROVINCE,
        organization__province__sigla="PG",
    )
    admin.user.acting_as = admin
    members = Organization.objects.filter(kind=OrganizationKind.MUNICIPALITY, province__sigla="PG")[:2]
    union = save_union(
        Actor(user=admin.user, membership=admin),
        name="Unione dei Comuni di prova",
        fiscal_code="",
        municipalities=[m.municipality for m in members],
    )
    call_command("load_demo", verbosity=0)
    assert not Agreement.objects.filter(municipality=union).exists()


def test_demo_users_log_in_with_the_documented_password(demo, rf):
    assert authenticate(rf.post("/"), username="referente.054039", password=DEMO_PASSWORD) is not None


def test_demo_totp_prints_the_code_of_a_demo_administrator_only(demo, capsys):
    call_command("demo_totp", "admin.tv")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    with pytest.raises(CommandError):
        call_command("demo_totp", "referente.054039")


def test_each_demo_province_has_a_catalogue_and_agreements_in_every_state(demo):
    today = timezone.localdate()
    for sigla in ("TV", "PG", "BS"):
        agreements = Agreement.objects.filter(province__province__sigla=sigla)
        states = list(agreements.values_list("state", flat=True))
        assert set(states) == set(AgreementState.values), sigla
        assert states.count(AgreementState.ACTIVE) > len(states) / 2, sigla
        sua = Service.objects.get(province__province__sigla=sigla, kind="sua")
        assert sua.cost_model == "percentage" and sua.cost_minimum < sua.cost_maximum
        assert sua.delegated_functions and set(sua.delegated_functions) <= {1, 2, 3, 4}
        expiring = agreements.filter(state="active", end_date__lte=today + timedelta(days=60))
        assert expiring.exists(), sigla
        withdrawn = agreements.get(state="withdrawn")
        assert withdrawn.withdrawal_effective_date > today and withdrawn.in_force(today)
        approved = agreements.get(state="municipality_approved")
        assert approved.municipality_resolution_date <= today
        assert approved.municipality_resolution_file.read().startswith(b"%PDF-1.4")
    assert JoinRequest.objects.pending().count() >= 2
    coverage = {
        (row["province_sigla"], row["service_kind"]): row for row in selectors.service_coverage(today)
    }
    assert all(coverage[(sigla, "sua")]["comuni_joined"] > 5 for sigla in ("TV", "PG", "BS"))


def test_every_act_of_the_demo_agreements_is_in_the_audit_trail(demo):
    active = Agreement.objects.filter(state="active").first()
    actions = set(AuditEvent.objects.filter(object_id=str(active.pk)).values_list("action", flat=True))
    assert {"agreement.create", "agreement.approve_province", "agreement.approve_municipality"} <= actions
    assert {"agreement.sign", "agreement.activate"} <= actions
    # The Comune's own referent records its council's approval.
    approval = AuditEvent.objects.get(object_id=str(active.pk), action="agreement.approve_municipality")
    assert approval.role == Role.MUNICIPALITY_REFERENT
    assert AuditEvent.objects.filter(action="agreement.expire").count() == 3


def test_the_acts_pdf_files_have_a_consistent_cross_reference_table():
    pdf = act_pdf(["Comune di Città di Castello", "Delibera n. 12 (€ 1.500,00) \\ prova"])
    offsets = [int(entry) for entry in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert len(offsets) == 5
    assert all(pdf[offset:].startswith(b"%d 0 obj" % n) for n, offset in enumerate(offsets, start=1))
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref")
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
    assert "Città".encode("cp1252") in stream and b"\\(" in stream


def test_each_demo_province_receives_sua_requests_in_every_state(demo):
    # The requests that no demo procedure took up.
    requests = ProcurementRequest.objects.filter(lots__isnull=True).select_related("municipality", "province")
    states = sorted(requests.values_list("state", flat=True))
    # Three requests per Province: two submitted, two sent back for changes, two accepted, two rejected,
    # one withdrawn.
    assert states == sorted(
        ["submitted"] * 2 + ["changes_requested"] * 2 + ["accepted"] * 2 + ["rejected"] * 2 + ["withdrawn"]
    )
    for sigla in ("TV", "PG", "BS"):
        assert requests.filter(province__province__sigla=sigla).count() == 3, sigla
    today = timezone.localdate()
    for request in requests:
        # Only a Comune with an adhesion in force to its own Province's SUA may ask it.
        assert (
            Adhesion.objects.active_on(today)
            .filter(
                agreement__municipality=request.municipality,
                agreement__province=request.province,
                service__kind="sua",
            )
            .exists()
        )
        assert request.municipality.province_id == request.province.province_id
        assert check_cpv(request.cpv_code).valid and request.cpv_description
        assert request.route_verdict["answers"]
        if request.pnrr:
            assert check_cup(request.cup).valid and not check_cup(request.cup).no_cup
        if request.state in (RequestState.CHANGES_REQUESTED, RequestState.REJECTED):
            assert request.answer, request.title
        (attachment,) = request.attachments.all()
        assert attachment.file.read().startswith(b"%PDF-1.4")
    assert MarketRelease.objects.count() == 12  # the packaged ANAC sample: 12 releases


def test_demo_requests_are_in_their_comunes_audit_trail(demo):
    changed = ProcurementRequest.objects.get(state="changes_requested", province__province__sigla="TV")
    events = AuditEvent.objects.filter(object_id=str(changed.pk), action__startswith="procurement_request.")
    assert [(e.action, e.role) for e in events.order_by("pk")] == [
        ("procurement_request.submit", Role.MUNICIPALITY_REFERENT),
        ("procurement_request.ask_changes", Role.SUA_OFFICER),
    ]
    assert set(events.values_list("organization", flat=True)) == {changed.municipality_id}


def test_each_demo_province_has_procedures_in_every_state(demo):
    """Each Province's SUA officer finds every stage of a procedure in the demo, evaluation included."""
    from casacomuni.procurement.procedures.models import Procedure, ProcedureState

    for sigla in ("TV", "PG", "BS"):
        states = set(
            Procedure.objects.filter(province__province__sigla=sigla).values_list("state", flat=True)
        )
        assert states == set(ProcedureState.values), (sigla, sorted(set(ProcedureState.values) - states))
    # Bids still being received are recorded but not decided: admission comes after the deadline.
    receiving = Procedure.objects.filter(state=ProcedureState.BIDS_OPEN)
    assert all(procedure.bid_deadline > timezone.now() for procedure in receiving)
    statuses = [
        bid.status for procedure in receiving for lot in procedure.lots.all() for bid in lot.bids.all()
    ]
    assert statuses and set(statuses) == {"received"}


def test_the_demo_projects_cover_every_pipeline_status_and_are_rebuilt_idempotently(demo):
    """The demo applications and projects, built through the services: every pipeline status, a PNRR project
    with milestones and checks; building them again adds nothing."""
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
    before = (Application.objects.count(), FundedProject.objects.count(), Expense.objects.count())
    DemoProjects().build(["TV", "PG", "BS"])
    assert (Application.objects.count(), FundedProject.objects.count(), Expense.objects.count()) == before


def test_the_demo_has_online_bids_to_make_and_envelopes_to_open(demo, client):
    """Issue 13 in the demo: the demo operators are invited to a procedure taking bids online (two companies
    have bid already), and a procedure past its deadline waits for the commission, named and declared."""
    from casacomuni.demo.online_bids import IN_SESSION, TAKING_BIDS
    from casacomuni.procurement.bidding.models import OnlineBid
    from casacomuni.procurement.bidding.services import opening_problem
    from casacomuni.procurement.procedures.models import Procedure

    taking = Procedure.objects.get(title=TAKING_BIDS.title, province__province__sigla="TV")
    assert taking.state == "bids_open" and taking.bid_deadline > timezone.now()
    assert OnlineBid.objects.submitted().filter(lot__procedure=taking).count() == 2
    operator = User.objects.get(username="operatore.edilizia")
    assert taking.invitations.filter(operator__memberships__user=operator).exists()
    client.force_login(operator)
    lot = taking.lots.get()
    page = client.get(f"/appalti/procedure/{taking.pk}/lotti/{lot.pk}/offerta-telematica/")
    assert page.status_code == 200 and 'id="bid-start"' in page.content.decode()
    waiting = Procedure.objects.get(title=IN_SESSION.title, province__province__sigla="TV")
    assert waiting.state == "bids_closed" and waiting.bid_deadline < timezone.now()
    assert OnlineBid.objects.submitted().filter(lot__procedure=waiting).count() == 5
    assert opening_problem(waiting, "A", set()) is None, "the officer may open envelope A now"


def test_each_demo_province_has_training_and_staff_at_different_points_of_their_40_hours(demo, client):
    """Issue 11 in the demo: modules in the three areas, past editions with their register and certificates,
        an import of hours from the Syllabus platform, a ledger where some reached 40 hours and some are far
        behind, which the training officer reads; the plan of the year built from the needs campaign; and a published
    path made of the three modules, in order."""
    from casacomuni.training import ledger
    from casacomuni.training.models import (
        Attendance,
        Completion,
        ImportRun,
        Module,
        Path,
        PlanItem,
        StaffMember,
    )
    from casacomuni.training.rules import ledger as rules

    for province in Organization.objects.filter(kind=OrganizationKind.PROVINCE):
        modules = Module.objects.filter(province=province)
        assert set(modules.values_list("area", flat=True)) == {"procurement", "eu_funds", "data"}
        assert Attendance.objects.filter(session__edition__module__province=province).exists()
        assert Completion.objects.filter(enrolment__edition__module__province=province).exists()
        assert ImportRun.objects.filter(organization__province=province.province, added__gt=0).exists()
        people = StaffMember.objects.filter(organization__province=province.province)
        standings = set(
            ledger.with_hours(people, timezone.localdate().year).values_list("standing", flat=True)
        )
        assert rules.REACHED in standings and len(standings) >= 2
        planned = PlanItem.objects.filter(plan__province=province)
        assert planned.exists() and not planned.filter(needs=None).exists()
        (path,) = Path.objects.filter(province=province, published=True)
        assert [row.module.area for row in path.path_modules.select_related("module")] == [
            "procurement",
            "eu_funds",
            "data",
        ]
    client.force_login(User.objects.get(username="formazione.tv"))
    page = client.get("/formazione/ore/")
    assert page.status_code == 200 and "40 ore raggiunte" in page.content.decode()


def test_the_demo_editions_have_satisfaction_answers_the_dashboards_average(demo):
    """Two participants in three of each past edition answered its questionnaire, with ratings from 3 to 5."""
    from casacomuni.training.figures import satisfaction_by
    from casacomuni.training.models import Enrolment

    for province in Organization.objects.filter(kind=OrganizationKind.PROVINCE):
        enrolments = Enrolment.objects.filter(edition__module__province=province)
        result = satisfaction_by(enrolments, "edition__module__province")[province.pk]
        assert result.answers > 0 and 3 <= result.average <= 5


def test_each_demo_province_describes_experiences_some_published_and_replicated(demo, client):
    """Two or three experiences per Province with their results; published ones, one under review, one draft,
    one sent back; Treviso's SUA replicated by the two other Provinces. Logged out, a visitor finds it."""
    from casacomuni.experiences.models import Experience, ExperienceState, Replication

    for province in Organization.objects.filter(kind=OrganizationKind.PROVINCE):
        experiences = Experience.objects.filter(province=province)
        assert 2 <= experiences.count() <= 3
        assert experiences.filter(state=ExperienceState.PUBLISHED).exists()
        assert not experiences.filter(results=None).exists()
    states = set(Experience.objects.values_list("state", flat=True))
    assert states == set(ExperienceState.values)
    sua = Experience.objects.get(province__province__sigla="TV", area="procurement")
    assert set(sua.replications.values_list("province__province__sigla", flat=True)) == {"PG", "BS"}
    assert Replication.objects.count() == 4
    page = client.get("/rete/esperienze/", {"q": "gare aggregate"}).content.decode()
    assert sua.title in page


def test_each_demo_province_has_help_desk_requests_in_every_state_and_faq(demo):
    """Issue 12, item 3: requests in every state (one at risk, one late), notes, ratings and published FAQ."""
    from casacomuni.helpdesk.models import FaqEntry, HelpRequest

    now = timezone.now()
    for sigla in ("TV", "PG", "BS"):
        requests = HelpRequest.objects.filter(province__province__sigla=sigla)
        assert set(requests.values_list("state", flat=True)) == {
            "new",
            "in_progress",
            "waiting",
            "resolved",
            "closed",
        }
        assert requests.at_risk(now).exists() and requests.breached(now).exists()
        assert requests.filter(entries__internal=True).exists()
        assert requests.filter(rating__isnull=False).exists()
        assert FaqEntry.objects.filter(province__province__sigla=sigla, published=True).count() >= 3


def test_the_demo_users_have_notices_read_and_unread_that_lead_to_their_pages(demo, client):
    officer = User.objects.get(username="sua.tv")
    notices = Notification.objects.filter(recipient=officer)
    assert notices.filter(read_at__isnull=True).exists() and notices.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(kind="insights.campaign").exists()
    assert Notification.objects.filter(kind="agreements.deadlines", recipient__username="admin.tv").exists()
    client.force_login(officer)
    page = client.get("/notifiche/").content.decode()
    assert "Casa dei Comuni: richiesta di procedura" in page
    notice = notices.filter(read_at__isnull=True).first()
    response = client.get(f"/notifiche/{notice.pk}/")
    assert response.status_code == 302 and client.get(response["Location"]).status_code == 200


def test_the_demo_library_has_a_model_in_each_area_and_treviso_a_copy_behind(demo, client):
    """UPI's library covers every service area but training with real DOCX files; each Province adopted
    several models; Treviso's copy of the disciplinare is behind version 2 and its library page says so."""
    from casacomuni.documents.models import DocumentTemplate
    from casacomuni.insights.models import Questionnaire
    from casacomuni.lib.uploads import is_docx
    from casacomuni.library.models import LibraryModel, ModelUse

    national = LibraryModel.objects.national().filter(current_version__isnull=False)
    assert {"sua", "eu_funds", "data", "agreements"} <= set(national.values_list("area", flat=True))
    assert national.filter(current_version__number=2).count() == 3
    for model in national:
        for stored in model.current_version.files.all():
            with stored.file.open("rb") as handle:
                assert is_docx(handle)
    for province in Organization.objects.filter(kind=OrganizationKind.PROVINCE):
        assert LibraryModel.objects.filter(owner=province, origin_version__isnull=False).count() >= 3
    treviso = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla="TV")
    behind = [
        m for m in LibraryModel.objects.filter(owner=treviso, origin_version__isnull=False) if m.update_number
    ]
    assert [m.origin_version.model.kind for m in behind] == ["disciplinare"]
    assert ModelUse.objects.filter(province=treviso, kind="questionnaire").exists()
    assert Questionnaire.objects.filter(
        province=treviso, title__startswith="Questionario sui servizi"
    ).exists()
    assert DocumentTemplate.objects.filter(
        owner__province__sigla="BS", note__contains="Schema di convenzione"
    )
    client.force_login(User.objects.get(username="admin.tv"))
    page = client.get("/rete/modelli/").content.decode()
    assert (
        "aggiornamento disponibile" in page and "Disciplinare di gara per procedura aperta telematica" in page
    )


def test_the_demo_calendars_hold_the_coming_weeks(demo, client):
    """Each office of a demo Province, its capoluogo's referent and UPI find dated things in the next 60 days,
    each linked to a page they open."""
    from casacomuni.agenda.sources import events_for

    today = timezone.localdate()
    found = {}
    for username in (
        "sua.tv",
        "europa.tv",
        "dati.tv",
        "formazione.tv",
        "admin.tv",
        "referente.026086",
        "dirigente.upi",
    ):
        membership = (
            Membership.objects.filter(user__username=username).select_related("user").order_by("pk")[0]
        )
        user = membership.user
        user.acting_as = membership
        events = events_for(user, today, today + timedelta(days=60))
        found[username] = sorted({event.kind for event in events})
        client.force_login(user)
        for event in events[:5]:
            assert client.get(event.url).status_code == 200, (username, event.url)
    assert all(found.values()), found
    # The training office's coming edition: its enrolment deadline and sessions.
    assert {"training.session", "training.enrolment_deadline"} <= set(found["formazione.tv"]), found
    # The help desk's open requests are due for the Province's office.
    assert "helpdesk.due" in found["admin.tv"], found
