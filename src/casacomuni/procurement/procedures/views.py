"""Pages of the SUA's procedures. Thin views: reads through ``Procedure.objects.for_user`` (404 for others'
procedures), writes through procedures.services (which checks the SUA's role and Province again).

Readers: the Province's administrator and SUA officers (their Province's procedures, every tab, every form);
the referents and staff of a Comune (the procedures with a lot of theirs: lots, published clarifications,
invitations once the deadline for offers has passed (art. 35 c.2-3), evaluation and minutes of their lots,
timeline; never the bids). Everybody else gets 403 here; the public page
``procedure/<pk>/pubblica/`` shows published procedures without login.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, OPERATOR_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.lib.htmx import render_page_or_fragment, vary_on_htmx, wants_fragment
from casacomuni.procurement.permissions import is_sua
from casacomuni.procurement.procedures import forms
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import (
    Bid,
    Clarification,
    Criterion,
    Evaluation,
    Invitation,
    Lot,
    LotState,
    Procedure,
)
from casacomuni.procurement.register.models import RegisteredOperator
from casacomuni.procurement.rules import procedure_lifecycle as life

PAGE_SIZE = 50
READER_ROLES = (*SUA_ROLES, *LOCAL_ROLES)

TABS = {
    "lotti": gettext_lazy("Lots"),
    "chiarimenti": gettext_lazy("Clarifications"),
    "inviti": gettext_lazy("Invitations"),
    "offerte": gettext_lazy("Bids"),
    "valutazione": gettext_lazy("Evaluation"),
    "cronologia": gettext_lazy("Timeline"),
}
SUA_ONLY_TABS = ("offerte",)

ACTION_LABELS = {
    life.PUBLISH: gettext_lazy("Publish"),
    life.OPEN_BIDS: gettext_lazy("Open the bids"),
    life.CLOSE_BIDS: gettext_lazy("Close the bids"),
    life.START_EVALUATION: gettext_lazy("Start the evaluation"),
    life.PROPOSE_AWARD: gettext_lazy("Propose the award"),
    life.AWARD: gettext_lazy("Award"),
    life.SIGN_CONTRACT: gettext_lazy("Contract signed"),
    life.DECLARE_DESERTED: gettext_lazy("Declare deserted"),
    life.CANCEL: gettext_lazy("Cancel the procedure"),
    "create": gettext_lazy("Procedure prepared"),
    ps.REQUIREMENTS_DECISION: gettext_lazy("Contract signed despite the requirements"),
}


def readable(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return Procedure.objects.for_user(request.user)


def get_procedure(request, pk) -> Procedure:
    return get_object_or_404(readable(request).select_related("province"), pk=pk)


def get_run_procedure(request, pk) -> Procedure:
    """A procedure the user may change: read through for_user (404 for others), then the SUA role (403)."""
    procedure = get_procedure(request, pk)
    tenancy.require_role(request.user, *SUA_ROLES)
    return procedure


def visible_lots(request, procedure):
    """The lots of ``procedure`` the user reads (``LotQuerySet.for_user``)."""
    return (
        Lot.objects.for_user(request.user)
        .filter(procedure=procedure)
        .select_related("municipality", "awarded_operator", "request")
    )


# --- List and creation --------------------------------------------------------------------------------------


@login_required
def procedure_list(request):
    queryset = readable(request).select_related("province")
    filter_form = forms.ProcedureFilterForm(request.GET or None, user=request.user)
    queryset = (
        filter_form.filter(queryset)
        .prefetch_related(
            Prefetch(
                "lots",
                queryset=Lot.objects.for_user(request.user).select_related("municipality").order_by("number"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filter_form": filter_form, "sua": is_sua(request.user)}
    return render_page_or_fragment(request, "procurement/procedures/list.html", "results", context)


@login_required
def procedure_create(request):
    tenancy.require_role(request.user, *SUA_ROLES)
    province = tenancy.acting_organization(request.user)
    if province.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied
    form = forms.CreateProcedureForm(request.POST or None, province=province)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = ps.create_procedure(
                Actor.from_request(request),
                [r.pk for r in form.cleaned_data["requests"]],
                form.cleaned_data["title"],
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The procedure was prepared in draft."))
            return redirect("procurement:procedure_detail", pk=procedure.pk)
    return render(
        request, "procurement/procedures/create.html", {"form": form}, status=400 if form.errors else 200
    )


# --- Detail -------------------------------------------------------------------------------------------------


@login_required
def procedure_detail(request, pk):
    return render_detail(request, get_procedure(request, pk))


def render_detail(
    request,
    procedure,
    *,
    error: str = "",
    bound: dict | None = None,
    status: int = 200,
    tab=None,
    decided_bid: int | None = None,
):
    """The page of the procedure with the open ``tab``. To htmx: a tab's link gets the tab panel only, and a
    form of the tabs gets the panel with its outcome (``error`` or the message) and the "next steps" again,
    which the form may have changed (``#form_reply``)."""
    sua = is_sua(request.user)
    tab = tab or request.GET.get("scheda") or "lotti"
    if tab not in TABS or (tab in SUA_ONLY_TABS and not sua):
        tab = "lotti"
    lots = list(visible_lots(request, procedure).order_by("number"))
    evaluations = {e.lot_id: e for e in Evaluation.objects.filter(lot__in=lots)}
    for lot in lots:
        lot.current_evaluation = evaluations.get(lot.pk)
        # The commands the page offers on the lot: the SUA's, as the rules allow them now.
        lot.actions = life.lot_actions(procedure.state, lot.state) if sua else frozenset()
    bound = bound or {}
    fragment = wants_fragment(request)
    tab_only = fragment and request.method == "GET"
    context = {
        "procedure": procedure,
        "sua": sua,
        "tab": tab,
        "tabs": [(key, label) for key, label in TABS.items() if sua or key not in SUA_ONLY_TABS],
        "lots": lots,
        "error": error,
        "savings": ps.savings(lots),
        "form_reply": fragment and not tab_only,
        "decided_bid": decided_bid,
    }
    if sua and not tab_only:
        context["actions"] = [
            {
                "name": row["name"],
                "label": ACTION_LABELS[row["name"]],
                "problems": row["problems"],
                "form": bound.get(("action", row["name"])) or forms.ReasonForm(prefix=row["name"]),
                "reasoned": row["name"] in life.REASONED_ACTIONS,
            }
            for row in ps.available_actions(procedure)
        ]
    if tab == "lotti":
        context["route"] = ps.route_summary(procedure, lots) if sua else None
        context["deadline"] = ps.deadline_info(procedure)
    elif tab == "chiarimenti":
        # Others read only the published clarifications, in the text the SUA published (art. 35 c.3: who asked
        # is not to be known).
        clarifications = Clarification.objects.filter(procedure=procedure)
        context["clarifications"] = list(clarifications if sua else clarifications.published())
        for c in context["clarifications"]:
            c.answer_form = bound.get(("answer", c.pk)) or forms.AnswerForm(
                prefix=f"a{c.pk}",
                initial={"answer": c.answer, "published_question": c.published_question or c.question},
            )
        context["ask_form"] = bound.get("ask") or forms.ClarificationForm()
        context["may_ask"] = ps.may_ask(request.user, procedure)
    elif tab == "inviti":
        context["invitations_hidden"] = not sua and not ps.names_disclosed(procedure)
        context["invitations"] = (
            []
            if context["invitations_hidden"]
            else list(
                Invitation.objects.filter(lot__in=lots)
                .select_related("operator", "lot")
                .order_by("lot__number", "invited_at")
            )
        )
    elif tab == "offerte":
        bids = list(
            Bid.objects.filter(lot__in=lots).select_related("operator", "lot").order_by("lot__number", "pk")
        )
        for bid in bids:
            bid.decision_form = forms.ReasonForm(prefix=f"d{bid.pk}")
        for lot in lots:
            lot.bid_list = [bid for bid in bids if bid.lot_id == lot.pk]
            lot.bid_form = bound.get(("bid", lot.pk)) or forms.BidForm(
                prefix=f"b{lot.pk}", operators=bid_operators(procedure, lot)
            )
        decision_problems = life.bid_decision_problems(timezone.now(), procedure.bid_deadline)
        context["decision_wait"] = " ".join(p.text(_) for p in decision_problems)
        context["may_decide"] = not decision_problems and any(life.DECIDE_BID in lot.actions for lot in lots)
    elif tab == "valutazione":
        if sua:
            context["requirements"] = ps.winners_requirements(procedure, lots, timezone.localdate())
            for lot in lots:
                lot.requirements = context["requirements"].get(lot.pk, [])
        for lot in lots:
            checks = [ps.requirement_row(row) for row in lot.contract_requirements]
            lot.contract_blocking = [row for row in checks if row["blocking"]]
        for lot in lots:
            lot.award_form = bound.get(("award", lot.pk)) or forms.AwardForm(
                prefix=f"w{lot.pk}",
                tied=tied_choices(lot.current_evaluation),
                initial={"award_date": timezone.localdate()},
            )
            lot.contract_form = bound.get(("contract", lot.pk)) or forms.ContractForm(
                prefix=f"c{lot.pk}",
                initial={"contract_date": timezone.localdate(), "contract_amount": contract_default(lot)},
            )
    elif tab == "cronologia":
        context["timeline"] = ps.timeline(procedure, lots)
        context["events"] = list(procedure.events.select_related("by").order_by("at", "pk"))
        for item in context["events"]:
            item.label = ACTION_LABELS.get(item.action, item.action)
    template = "procurement/procedures/detail.html"
    if fragment:
        template += "#tab_panel" if tab_only else "#form_reply"
    response = render(request, template, context, status=status)
    vary_on_htmx(response)
    return response


def contract_default(lot):
    if lot.awarded_amount is None:
        return None
    return lot.awarded_amount + lot.safety_costs


def tied_choices(evaluation) -> list[tuple[str, str]]:
    if evaluation is None:
        return []
    names = evaluation.result.get("names", {})
    return [(op, names.get(op, op)) for op in evaluation.result.get("tied_for_first", [])]


def bid_operators(procedure, lot):
    """Who may bid: the invited operators when the lot has invitations, else the albo's approved operators."""
    invited = Organization.objects.filter(invitations__lot=lot)
    if invited.exists():
        return list(invited.order_by("name"))
    entries = RegisteredOperator.objects.filter(province_id=procedure.province_id, state="approved")
    return list(Organization.objects.filter(registrations__in=entries).distinct().order_by("name"))


def detail_url(procedure, tab: str) -> str:
    return f"{reverse('procurement:procedure_detail', args=[procedure.pk])}?scheda={tab}"


def back_to_tab(request, procedure, tab: str, **outcome):
    """After a form of the tabs was taken: a plain post goes back to the page (post/redirect/get); htmx gets
    the tab again in place, with the ``outcome`` the page shows (render_detail)."""
    if wants_fragment(request):
        return render_detail(request, procedure, tab=tab, **outcome)
    return redirect(detail_url(procedure, tab))


def refused_message(refused: ValidationError) -> str:
    if hasattr(refused, "error_dict"):
        return " ".join(f"{message}" for messages_ in refused.message_dict.values() for message in messages_)
    return " ".join(refused.messages)


# --- Editing ------------------------------------------------------------------------------------------------


@login_required
def procedure_edit(request, pk):
    procedure = get_run_procedure(request, pk)
    if not procedure.is_draft:
        return render_detail(
            request, procedure, error=_("Only a draft procedure can be changed."), status=400
        )
    form = forms.ProcedureForm(
        request.POST or None,
        initial=forms.ProcedureForm.initial_from(procedure),
        reference_choices=ps.reference_choices(procedure),
    )
    if request.method == "POST" and form.is_valid():
        try:
            ps.update_procedure(Actor.from_request(request), procedure, form.changes())
        except ValidationError as refused:
            add_service_errors(
                form, refused, {"anomaly_parameters": "anomaly_method", "oepv_settings": "oepv_criteria"}
            )
        else:
            messages.success(request, _("The procedure was saved."))
            return redirect("procurement:procedure_detail", pk=procedure.pk)
    context = {"form": form, "procedure": procedure, "deadline": ps.deadline_info(procedure)}
    return render(request, "procurement/procedures/edit.html", context, status=400 if form.errors else 200)


def add_service_errors(form, refused: ValidationError, aliases: dict | None = None) -> None:
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for field, errors in refused.message_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def submit_form(request, procedure, form, key: tuple, tab: str, write, success: str):
    """The POST of one of the detail page's forms: ``write(cleaned_data)`` calls the service; done, a message
    and back to the tab; refused, the page again with the form and its errors (400)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(request, success)
            return back_to_tab(request, procedure, tab)
    return render_detail(
        request,
        procedure,
        error=_("Please correct the errors below."),
        bound={key: form},
        status=400,
        tab=tab,
    )


@login_required
def lot_edit(request, pk, lot_pk):
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    actions = life.lot_actions(procedure.state, lot.state)
    if life.ENTER_CIG not in actions:
        return render_detail(
            request, procedure, error=_("Only a draft procedure can be changed."), status=400
        )
    only_cig = life.EDIT_LOT not in actions
    form = forms.LotForm(request.POST or None, initial=forms.LotForm.initial_from(lot))
    if only_cig:
        for name in forms.LotForm.FIELDS:
            if name != "cig":
                form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            ps.update_lot(Actor.from_request(request), lot, form.changes(only_cig))
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(request, _("The lot was saved."))
            return redirect("procurement:procedure_detail", pk=procedure.pk)
    context = {"form": form, "procedure": procedure, "lot": lot, "route": ps.route_summary(procedure)}
    return render(
        request, "procurement/procedures/lot_form.html", context, status=400 if form.errors else 200
    )


# --- Actions ------------------------------------------------------------------------------------------------


@require_POST
@login_required
def procedure_action(request, pk, action):
    procedure = get_run_procedure(request, pk)
    if action not in life.ACTIONS:
        raise Http404
    form = forms.ReasonForm(request.POST, prefix=action)
    form.is_valid()
    try:
        ps.transition_procedure(
            Actor.from_request(request), procedure, action, form.cleaned_data.get("reason", "")
        )
    except ValidationError as refused:
        return render_detail(
            request, procedure, error=refused_message(refused), bound={("action", action): form}, status=400
        )
    messages.success(request, ACTION_LABELS[action])
    return redirect("procurement:procedure_detail", pk=procedure.pk)


# --- Clarifications -----------------------------------------------------------------------------------------


@require_POST
@login_required
def clarification_ask(request, pk):
    """The SUA records a question (e.g. received by PEC); an operator asks from the public page."""
    if tenancy.has_role(request.user, *OPERATOR_ROLES):
        procedure = get_object_or_404(Procedure.objects.public(), pk=pk)
        back = "procurement:procedure_public"
    else:
        procedure = get_run_procedure(request, pk)
        back = None
    form = forms.ClarificationForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            ps.ask_clarification(Actor.from_request(request), procedure, form.cleaned_data["question"])
        except ValidationError as refused:
            error = refused_message(refused)
        else:
            messages.success(request, _("The question was recorded."))
            if back:
                return redirect(back, pk=procedure.pk)
            return back_to_tab(request, procedure, "chiarimenti")
    if back:
        return render_public(
            request,
            procedure,
            ask_form=form,
            error=error or _("Please correct the errors below."),
            status=400,
        )
    return render_detail(
        request,
        procedure,
        error=error or _("Please correct the errors below."),
        bound={"ask": form},
        status=400,
        tab="chiarimenti",
    )


@require_POST
@login_required
def clarification_answer(request, pk, clarification_pk):
    procedure = get_run_procedure(request, pk)
    clarification = get_object_or_404(Clarification.objects.filter(procedure=procedure), pk=clarification_pk)
    form = forms.AnswerForm(request.POST, prefix=f"a{clarification.pk}")
    return submit_form(
        request,
        procedure,
        form,
        ("answer", clarification.pk),
        "chiarimenti",
        lambda data: ps.answer_clarification(
            Actor.from_request(request),
            clarification,
            data["answer"],
            data["publish"],
            data["published_question"],
        ),
        _("The answer was recorded."),
    )


# --- Invitations --------------------------------------------------------------------------------------------


@login_required
def lot_invitations(request, pk, lot_pk):
    """The candidates of the albo for the lot, with counters and the outgoing contractor; the officer invites."""
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    candidates = ps.candidates(procedure, lot)
    form = forms.InvitationForm(request.POST or None, candidates=candidates)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ps.invite_operator(
                Actor.from_request(request),
                lot,
                int(data["operator"]),
                data["reason"],
                data["exception_reason"],
                data["unlimited_survey"],
            )
        except ValidationError as refused:
            add_service_errors(form, refused)
            error = refused_message(refused)
        else:
            messages.success(request, _("The operator was invited."))
            return redirect("procurement:lot_invitations", pk=procedure.pk, lot_pk=lot.pk)
    context = {
        "procedure": procedure,
        "lot": lot,
        "candidates": candidates,
        "form": form,
        "error": error,
        "invitations": list(lot.invitations.select_related("operator").order_by("invited_at", "pk")),
        "category": ps.lot_category(lot, procedure.kind),
        "band": ps.lot_band(lot, procedure.kind),
        "may_invite": procedure.uses_invitations and procedure.state in (life.DRAFT, life.PUBLISHED),
    }
    return render(
        request, "procurement/procedures/invitations.html", context, status=400 if form.errors else 200
    )


# --- Bids ---------------------------------------------------------------------------------------------------


@require_POST
@login_required
def bid_record(request, pk, lot_pk):
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    form = forms.BidForm(request.POST, prefix=f"b{lot.pk}", operators=bid_operators(procedure, lot))
    return submit_form(
        request,
        procedure,
        form,
        ("bid", lot.pk),
        "offerte",
        lambda data: ps.record_bid(Actor.from_request(request), lot, form.data_for_service()),
        _("The bid was recorded."),
    )


@require_POST
@login_required
def bid_decide(request, pk, bid_pk, decision):
    procedure = get_run_procedure(request, pk)
    bid = get_object_or_404(Bid.objects.filter(lot__procedure=procedure), pk=bid_pk)
    if decision not in (ps.ADMIT, ps.EXCLUDE):
        raise Http404
    form = forms.ReasonForm(request.POST, prefix=f"d{bid.pk}")
    form.is_valid()
    try:
        ps.decide_bid(Actor.from_request(request), bid, decision, form.cleaned_data.get("reason", ""))
    except ValidationError as refused:
        return render_detail(request, procedure, error=refused_message(refused), status=400, tab="offerte")
    return back_to_tab(request, procedure, "offerte", decided_bid=bid.pk)


# --- Evaluation, award, contract ----------------------------------------------------------------------------


@require_POST
@login_required
def lot_evaluate(request, pk, lot_pk):
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    try:
        ps.evaluate_lot(Actor.from_request(request), lot)
    except ValidationError as refused:
        return render_detail(
            request, procedure, error=refused_message(refused), status=400, tab="valutazione"
        )
    messages.success(request, _("The bids were evaluated."))
    return redirect(detail_url(procedure, "valutazione"))


@require_POST
@login_required
def lot_award(request, pk, lot_pk):
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    evaluation = Evaluation.objects.filter(lot=lot).first()
    form = forms.AwardForm(request.POST, prefix=f"w{lot.pk}", tied=tied_choices(evaluation))
    return submit_form(
        request,
        procedure,
        form,
        ("award", lot.pk),
        "valutazione",
        lambda data: ps.award_lot(
            Actor.from_request(request),
            lot,
            data["award_date"],
            int(data["operator"]) if data.get("operator") else None,
            data.get("draw_reason", ""),
        ),
        _("The award was recorded."),
    )


@require_POST
@login_required
def lot_contract(request, pk, lot_pk):
    procedure = get_run_procedure(request, pk)
    lot = get_object_or_404(procedure.lots.all(), pk=lot_pk)
    form = forms.ContractForm(request.POST, prefix=f"c{lot.pk}")
    return submit_form(
        request,
        procedure,
        form,
        ("contract", lot.pk),
        "valutazione",
        lambda data: ps.record_contract(
            Actor.from_request(request),
            lot,
            data["contract_date"],
            data["contract_amount"],
            data["requirements_reason"],
        ),
        _("The contract was recorded."),
    )


MINUTES_TYPES = {
    "docx": ("minutes_docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("minutes_pdf", "application/pdf"),
}


@login_required
def lot_minutes(request, pk, lot_pk, fmt):
    """The minutes of a lot's evaluation, to the SUA and the lot's Comune only."""
    procedure = get_procedure(request, pk)
    if fmt not in MINUTES_TYPES:
        raise Http404
    evaluation = get_object_or_404(
        Evaluation.objects.for_user(request.user).filter(lot__procedure=procedure), lot_id=lot_pk
    )
    field, content_type = MINUTES_TYPES[fmt]
    stored = getattr(evaluation, field)
    if not stored:
        raise Http404
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"verbale-{procedure.pk}-lotto-{evaluation.lot.number}.{fmt}",
        content_type=content_type,
    )


# --- Public page --------------------------------------------------------------------------------------------


def procedure_public(request, pk):
    """A published procedure without login: object, lots (CIG, amounts, buyer), deadline, the clarifications
    in the text the SUA published, outcome and savings; the number of bids once the deadline has passed (art.
    35 c.2-3); after the award, the operators consulted (art. 50 c.2, c.9). No personal data."""
    procedure = get_object_or_404(Procedure.objects.public().select_related("province"), pk=pk)
    return render_public(request, procedure)


def render_public(request, procedure, ask_form=None, error: str = "", status: int = 200):
    lots = list(procedure.lots.select_related("municipality", "awarded_operator").order_by("number"))
    awarded = procedure.state in (life.AWARDED, life.CONTRACT_SIGNED, life.DESERTED)
    consulted = []
    if awarded:
        consulted = list(
            Invitation.objects.filter(procedure=procedure)
            .select_related("operator", "lot")
            .order_by("lot__number", "operator__name")
        )
    # How many bid is known only after the deadline (art. 35 c.2-3): before it the column says so.
    disclosed = ps.names_disclosed(procedure)
    bid_counts = {}
    if disclosed:
        bid_counts = dict(
            Bid.objects.filter(lot__in=lots)
            .values("lot_id")
            .annotate(n=Count("pk"))
            .values_list("lot_id", "n")
        )
    for lot in lots:
        lot.bid_count = bid_counts.get(lot.pk, 0) if disclosed else None
    context = {
        "procedure": procedure,
        "lots": lots,
        "clarifications": list(Clarification.objects.filter(procedure=procedure).published()),
        "consulted": consulted,
        "savings": ps.savings(lots),
        "may_ask": ps.may_ask(request.user, procedure) and tenancy.has_role(request.user, *OPERATOR_ROLES),
        "ask_form": ask_form or forms.ClarificationForm(),
        "error": error,
        "awarded_states": (LotState.AWARDED,),
        "criterion_oepv": procedure.criterion == Criterion.OEPV,
        "bids_disclosed": disclosed,
        # An operator of the platform bids online while the procedure takes bids (the bid page says why not).
        "operator_may_bid": procedure.state == life.BIDS_OPEN
        and tenancy.as_operator(request.user) is not None,
    }
    return render(request, "procurement/procedures/public.html", context, status=status)
