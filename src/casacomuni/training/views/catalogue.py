"""Pages of the training catalogue: the Province's training office writes its modules, editions, sessions and
registers; a Comune's (Unione's) referent reads the published catalogue and enrols its staff; a member of staff
asks to take part and signs in to a session with the teacher's code.

Thin views: reads through the models' ``for_user`` (404 for another tenant's rows), writes through
``training.services``; roles that use no training get 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_KINDS, TRAINING_OFFICE_ROLES, OrganizationKind, Role
from casacomuni.lib.forms import refused
from casacomuni.training import forms, services
from casacomuni.training.models import (
    LIVE_STATES,
    Attendance,
    Edition,
    EditionState,
    Enrolment,
    EnrolmentState,
    Module,
    ModuleCompetence,
    Path,
    Session,
    StaffMember,
)
from casacomuni.training.rules import attendance as attendance_rules

PAGE_SIZE = 100
# People offered as boxes to tick in the enrolment form at once; a search narrows them.
ENROL_CHOICES = 50


def office_of(user):
    return tenancy.as_province(user, TRAINING_OFFICE_ROLES)


def require_reader(user):
    """The training office or a Comune's (Unione's) people: anyone else is refused."""
    if office_of(user) is None and tenancy.as_local_party(user) is None:
        raise PermissionDenied


def require_office(user):
    office = office_of(user)
    if office is None:
        raise PermissionDenied
    return office


def is_referent(user) -> bool:
    return tenancy.as_local_party(user) is not None and tenancy.has_role(user, Role.MUNICIPALITY_REFERENT)


def with_seats(queryset):
    taken = Count("enrolments", filter=Q(enrolments__state=EnrolmentState.ENROLLED))
    return queryset.annotate(taken=taken, left=F("seats") - taken)


PROBLEM_LABELS = {
    attendance_rules.NOT_ENOUGH_ATTENDANCE: gettext_lazy("attendance below the minimum"),
    attendance_rules.TEST_NOT_TAKEN: gettext_lazy("final test not taken"),
    attendance_rules.TEST_NOT_PASSED: gettext_lazy("final test not passed"),
    attendance_rules.NO_SESSIONS: gettext_lazy("the edition has no sessions"),
}


def labelled_outcomes(edition):
    result = services.outcomes(edition)
    for outcome in result:
        outcome.labels = [str(PROBLEM_LABELS[problem]) for problem in outcome.problems]
    return result


# --- Catalogue and modules ----------------------------------------------------------------------------------


@login_required
def module_list(request):
    require_reader(request.user)
    filters = forms.CatalogueFilterForm(request.GET or None)
    modules = filters.filter(Module.objects.for_user(request.user)).annotate(
        editions_count=Count("editions", distinct=True)
    )
    context = {"modules": modules, "filters": filters, "office": office_of(request.user) is not None}
    return render(request, "training/module_list.html", context)


def get_module(request, pk) -> Module:
    require_reader(request.user)
    return get_object_or_404(Module.objects.for_user(request.user), pk=pk)


@login_required
def module_detail(request, pk):
    module = get_module(request, pk)
    competences = ModuleCompetence.objects.filter(module=module).select_related("competence")
    editions = with_seats(Edition.objects.filter(module=module)).order_by("-created_at", "pk")
    if office_of(request.user) is None:
        editions = editions.exclude(state=EditionState.PLANNED)
    context = {
        "module": module,
        "competences": competences,
        "materials": module.materials.all(),
        "editions": editions,
        "office": office_of(request.user) is not None,
        "paths": Path.objects.for_user(request.user)
        .filter(path_modules__module=module)
        .order_by("title", "pk"),
    }
    return render(request, "training/module_detail.html", context)


def module_form_page(request, module=None):
    office = require_office(request.user)
    if module is not None and module.province_id != office.pk:
        raise PermissionDenied
    choices = forms.competence_choices()
    initial, rows, links = None, None, None
    if module is not None:
        initial = {name: getattr(module, name) for name in forms.ModuleForm.base_fields}
        rows = [
            {"competence": row.competence.code, "level": row.level}
            for row in module.module_competences.select_related("competence")
        ]
        links = [{"title": m.title, "url": m.url} for m in module.materials.all()]
    data = request.POST if request.method == "POST" else None
    form = forms.ModuleForm(data, initial=initial)
    competences = forms.CompetenceRows(
        data, initial=rows, prefix="competenze", form_kwargs={"competence_choices": choices}
    )
    materials = forms.MaterialRows(data, initial=links, prefix="materiali")
    if data is not None and form.is_valid() and competences.is_valid() and materials.is_valid():
        payload = forms.module_data(form, competences, materials)
        try:
            if module is None:
                module = services.create_module(Actor.from_request(request), payload)
            else:
                module = services.update_module(Actor.from_request(request), module, payload)
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The module was saved."))
            return redirect("training:module_detail", pk=module.pk)
    context = {"form": form, "competences": competences, "materials": materials, "module": module}
    status = 400 if data is not None else 200
    return render(request, "training/module_form.html", context, status=status)


@login_required
def module_create(request):
    return module_form_page(request)


@login_required
def module_edit(request, pk):
    return module_form_page(request, get_module(request, pk))


@login_required
@require_POST
def module_publish(request, pk):
    module = get_module(request, pk)
    try:
        services.publish_module(Actor.from_request(request), module)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The module is in the catalogue of the Comuni."))
    return redirect("training:module_detail", pk=module.pk)


# --- Editions -----------------------------------------------------------------------------------------------


@login_required
def edition_create(request, pk):
    module = get_module(request, pk)
    office = require_office(request.user)
    if module.province_id != office.pk:
        raise PermissionDenied
    form = forms.EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.create_edition(Actor.from_request(request), module, form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The edition was created: add its sessions, then open enrolment."))
            return redirect("training:edition_detail", pk=edition.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/edition_form.html", {"form": form, "module": module}, status=status)


def get_edition(request, pk) -> Edition:
    require_reader(request.user)
    editions = Edition.objects.for_user(request.user).select_related("module__province")
    return get_object_or_404(with_seats(editions), pk=pk)


def staff_to_enrol(request, edition):
    """The people the user may enrol in the edition and who are not enrolled or waiting yet."""
    if office_of(request.user) is None and not is_referent(request.user):
        return None
    live = Enrolment.objects.filter(edition=edition, state__in=LIVE_STATES).values("person")
    return (
        StaffMember.objects.for_user(request.user)
        .filter(active=True, organization__province_id=edition.module.province.province_id)
        .exclude(pk__in=live)
    )


def search_staff(staff, search: str):
    """The people of ``staff`` whose surname, name or organisation contains ``search``, or whose fiscal code
    it is; by name."""
    if search:
        staff = staff.filter(
            Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(organization__name__icontains=search)
            | Q(fiscal_code=search.upper())
        )
    return staff.select_related("organization").order_by("last_name", "first_name", "pk")


def render_edition(request, edition, *, enrol_form=None, session_form=None, status=200):
    user = request.user
    office = office_of(user) is not None
    enrolments = Enrolment.objects.filter(edition=edition).select_related("person__organization")
    if not office:
        enrolments = enrolments.filter(pk__in=Enrolment.objects.for_user(user))
    enrolments = list(enrolments)
    waiting = [e for e in enrolments if e.state == EnrolmentState.WAITING]
    for position, enrolment in enumerate(sorted(waiting, key=lambda e: (e.requested_at, e.pk)), start=1):
        enrolment.position = position
    staff = staff_to_enrol(request, edition)
    if enrol_form is None and staff is not None and edition.state == EditionState.OPEN:
        enrol_form = forms.EnrolForm(staff=staff)
    search = request.GET.get("cerca", "").strip()[:100]
    if enrol_form is not None:
        enrol_form.show_only(search_staff(staff, search)[:ENROL_CHOICES])
    if office and session_form is None:
        session_form = forms.SessionForm()
    mine = [e for e in enrolments if e.person.user_id == user.pk and e.state in LIVE_STATES]
    context = {
        "edition": edition,
        "module": edition.module,
        "office": office,
        "referent": is_referent(user),
        "sessions": edition.sessions.all(),
        "enrolments": enrolments,
        "enrol_form": enrol_form,
        "session_form": session_form,
        "mine": mine[0] if mine else None,
        "can_request": staff is None and not mine and edition.state == EditionState.OPEN,
        "outcomes": labelled_outcomes(edition) if office else None,
        "seats_left": max(edition.left, 0),
        "search": search,
        "staff_count": staff.count() if enrol_form is not None else 0,
        "enrol_choices": ENROL_CHOICES,
    }
    from casacomuni.training.views import feedback  # it builds on this module's helpers

    context |= feedback.edition_extras(request, edition, office, context["mine"])
    return render(request, "training/edition_detail.html", context, status=status)


@login_required
def edition_detail(request, pk):
    return render_edition(request, get_edition(request, pk))


EDITION_ACTIONS = {
    "apri": (services.open_enrolment, gettext_lazy("Enrolment is open.")),
    "chiudi": (services.close_enrolment, gettext_lazy("Enrolment is closed.")),
    "annulla": (services.cancel_edition, gettext_lazy("The edition was cancelled.")),
}


@login_required
@require_POST
def edition_action(request, pk, action):
    edition = get_edition(request, pk)
    require_office(request.user)
    actor = Actor.from_request(request)
    try:
        if action == "completa":
            completions = services.complete_edition(actor, edition)
            done = ngettext(
                "The edition is completed: %(count)s participant completed it.",
                "The edition is completed: %(count)s participants completed it.",
                len(completions),
            ) % {"count": len(completions)}
        elif action in EDITION_ACTIONS:
            step, done = EDITION_ACTIONS[action]
            step(actor, edition)
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("training:edition_detail", pk=edition.pk)


@login_required
@require_POST
def session_add(request, pk):
    edition = get_edition(request, pk)
    require_office(request.user)
    form = forms.SessionForm(request.POST)
    if form.is_valid():
        try:
            services.add_session(Actor.from_request(request), edition, **form.cleaned_data)
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The session was added."))
            return redirect("training:edition_detail", pk=edition.pk)
    return render_edition(request, edition, session_form=form, status=400)


# --- Enrolment ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def enrol(request, pk):
    edition = get_edition(request, pk)
    staff = staff_to_enrol(request, edition)
    if staff is None:
        raise PermissionDenied
    form = forms.EnrolForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            placed = services.enrol_many(
                Actor.from_request(request), edition, list(form.cleaned_data["people"])
            )
        except ValidationError as error:
            refused(form, error)
        else:
            enrolled = sum(1 for e in placed if e.state == EnrolmentState.ENROLLED)
            waiting = len(placed) - enrolled
            messages.success(request, _("Enrolled: %(count)s.") % {"count": enrolled})
            if waiting:
                messages.warning(
                    request,
                    _("The seats are taken: %(count)s on the waiting list, in the order of enrolment.")
                    % {"count": waiting},
                )
            return redirect("training:edition_detail", pk=edition.pk)
    return render_edition(request, edition, enrol_form=form, status=400)


@login_required
@require_POST
def enrolment_request(request, pk):
    edition = get_edition(request, pk)
    try:
        services.request_enrolment(Actor.from_request(request), edition)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request was sent to your referent."))
    return redirect("training:edition_detail", pk=edition.pk)


def get_enrolment(request, pk) -> Enrolment:
    require_reader(request.user)
    enrolments = Enrolment.objects.for_user(request.user).select_related("edition", "person")
    return get_object_or_404(enrolments, pk=pk)


@login_required
@require_POST
def enrolment_cancel(request, pk):
    enrolment = get_enrolment(request, pk)
    try:
        promoted = services.cancel_enrolment(Actor.from_request(request), enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The enrolment was cancelled."))
        if promoted:
            messages.info(request, _("The first on the waiting list takes the seat and is told by e-mail."))
    return redirect("training:edition_detail", pk=enrolment.edition_id)


@login_required
@require_POST
def enrolment_decide(request, pk):
    enrolment = get_enrolment(request, pk)
    approve = request.POST.get("decision") == "approva"
    try:
        decided = services.decide_request(Actor.from_request(request), enrolment, approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Request approved: %(state)s.") % {"state": decided.get_state_display()}
            if approve
            else _("Request refused."),
        )
    return redirect("training:edition_detail", pk=enrolment.edition_id)


# --- Register and sign-in -----------------------------------------------------------------------------------


def get_session(request, pk) -> Session:
    require_reader(request.user)
    sessions = Session.objects.filter(edition__in=Edition.objects.for_user(request.user))
    return get_object_or_404(sessions.select_related("edition__module__province"), pk=pk)


@login_required
def register(request, pk):
    session = get_session(request, pk)
    require_office(request.user)
    enrolments = list(
        Enrolment.objects.filter(edition=session.edition, state=EnrolmentState.ENROLLED).select_related(
            "person"
        )
    )
    recorded = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "minutes"))
    error, status = "", 200
    if request.method == "POST":
        try:
            minutes = {e: int(request.POST.get(f"minuti_{e.pk}", "")) for e in enrolments}
        except ValueError:
            error = _("Enter the minutes of each participant as a whole number.")
        else:
            try:
                services.record_register(Actor.from_request(request), session, minutes)
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, _("The register was saved."))
                return redirect("training:register", pk=session.pk)
        status = 400
    for enrolment in enrolments:
        enrolment.minutes = request.POST.get(f"minuti_{enrolment.pk}") or recorded.get(
            enrolment.pk, session.minutes
        )
    context = {"session": session, "edition": session.edition, "enrolments": enrolments, "error": error}
    return render(request, "training/register.html", context, status=status)


@login_required
def sign_in(request, pk):
    session = get_session(request, pk)
    own = Enrolment.objects.filter(
        edition=session.edition, person__user=request.user, state=EnrolmentState.ENROLLED
    )
    if not own.exists():
        raise PermissionDenied
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_in(Actor.from_request(request), session, form.cleaned_data["code"])
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("Your attendance was recorded."))
            return redirect("training:edition_detail", pk=session.edition_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/sign_in.html", {"form": form, "session": session}, status=status)


# --- Staff --------------------------------------------------------------------------------------------------


def staff_organizations(request):
    """Where the user adds people: the referent its own Comune (Unione), the office its Province and its
    territory's Comuni and Unioni; anyone else is refused."""
    office = office_of(request.user)
    if office is not None:
        return Organization.objects.filter(
            province_id=office.province_id, kind__in=(OrganizationKind.PROVINCE, *LOCAL_KINDS)
        ).order_by("kind", "name")
    if is_referent(request.user):
        return Organization.objects.filter(pk=tenancy.acting_organization(request.user).pk)
    raise PermissionDenied


@login_required
def staff_list(request):
    staff_organizations(request)
    people = (
        StaffMember.objects.for_user(request.user)
        .select_related("organization")
        .annotate(live=Count("enrolments", filter=Q(enrolments__state__in=LIVE_STATES)))
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/staff_list.html", {"page": page})


@login_required
def staff_add(request):
    organizations = staff_organizations(request)
    form = forms.StaffForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_staff(Actor.from_request(request), form.cleaned_data["organization"], form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The person was added to the staff."))
            return redirect("training:staff_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "training/staff_form.html", {"form": form}, status=status)
