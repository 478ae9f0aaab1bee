"""Pages of the operators' register: the SUA's albo and decisions, the operator's applications, the Comuni's
read-only view of their Province's approved operators.

Thin views: reads through ``RegisteredOperator.objects.for_user`` (documents through
``OperatorDocument.objects.for_user``), writes through register.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import LOCAL_ROLES, OPERATOR_ROLES, SUA_ROLES
from casacomuni.lib.downloads import stream
from casacomuni.lib.htmx import render_page_or_fragment
from casacomuni.procurement.register import forms, services
from casacomuni.procurement.register.models import (
    OperatorDocument,
    RegisteredOperator,
    RegistrationCategory,
    RegistrationState,
)

PAGE_SIZE = 50
READER_ROLES = (*SUA_ROLES, *OPERATOR_ROLES, *LOCAL_ROLES)
DECISION_LABELS = {
    services.APPLY: gettext_lazy("Application sent"),
    services.REGISTER: gettext_lazy("Registered by the SUA"),
    services.APPROVE: gettext_lazy("Approve"),
    services.REJECT: gettext_lazy("Reject"),
    services.SUSPEND: gettext_lazy("Suspend"),
    services.REINSTATE: gettext_lazy("Reinstate"),
    services.REMOVE: gettext_lazy("Remove from the albo"),
}


def listed(user):
    """The entries the user reads, with what the list shows in a constant number of queries."""
    return (
        RegisteredOperator.objects.for_user(user)
        .select_related("operator", "province")
        .prefetch_related(
            Prefetch("categories", queryset=RegistrationCategory.objects.order_by("kind", "code"))
        )
        .with_document_flags()
    )


@login_required
def register_list(request):
    """The SUA's albo with filters (state, category, expiring documents); for a Comune, the approved
    operators of its Province's albo."""
    tenancy.require_role(request.user, *SUA_ROLES, *LOCAL_ROLES)
    keeper = tenancy.has_role(request.user, *SUA_ROLES)
    filter_form = forms.RegisterFilterForm(request.GET or None)
    queryset = filter_form.filter(listed(request.user)).order_by("operator__name", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "keeper": keeper,
        "approved": RegistrationState.APPROVED,
    }
    return render_page_or_fragment(request, "procurement/register/list.html", "results", context)


@login_required
def register_mine(request):
    """The operator's own entries, in every Province."""
    tenancy.require_role(request.user, *OPERATOR_ROLES)
    entries = listed(request.user).order_by("province__name", "-applied_at")
    return render(request, "procurement/register/mine.html", {"entries": entries})


@login_required
def register_apply(request):
    tenancy.require_role(request.user, *OPERATOR_ROLES)
    operator = tenancy.acting_organization(request.user)
    last = RegisteredOperator.objects.for_user(request.user).order_by("-applied_at").first()
    join_code = None
    form = forms.ApplicationForm(
        request.POST or None,
        request.FILES or None,
        initial=forms.ApplicationForm.initial_for(operator, last),
        owner=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.apply_to_register(
                Actor.from_request(request),
                form.cleaned_data["province"],
                form.to_data(),
                form.cleaned_data["categories"],
                form.uploads(),
            )
        except ValidationError as refused:
            form.add_error(None, refused)
            if getattr(refused, "code", None) == services.OPERATOR_EXISTS:
                join_code = refused.params["code"]
        else:
            form.forget_kept_uploads()
            messages.success(request, _("Your application was sent to the SUA."))
            return redirect("procurement:register_detail", pk=created.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "apply": True, "join_code": join_code}
    return render(request, "procurement/register/form.html", context, status=status)


@login_required
def register_create(request):
    """The SUA enters an operator in its albo itself (an operator without an account, for instance)."""
    tenancy.require_role(request.user, *SUA_ROLES)
    form = forms.EntryForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.register_operator(
                Actor.from_request(request), form.to_data(), form.cleaned_data["categories"], form.uploads()
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            form.forget_kept_uploads()
            messages.success(request, _("The operator is in the albo."))
            return redirect("procurement:register_detail", pk=created.pk)
    status = 400 if form.errors else 200
    return render(request, "procurement/register/form.html", {"form": form, "apply": False}, status=status)


def get_entry(request, pk) -> RegisteredOperator:
    tenancy.require_role(request.user, *READER_ROLES)
    return get_object_or_404(listed(request.user), pk=pk)


@login_required
def register_detail(request, pk):
    return render_detail(request, get_entry(request, pk))


def render_detail(request, entry, bound=None, error: str = "", status: int = 200):
    """The entry's page; documents and decisions only for the SUA and the operator itself."""
    private = RegisteredOperator.objects.for_user(request.user, documents=True).filter(pk=entry.pk).exists()
    actions = []
    for name in services.allowed_decisions(request.user, entry):
        form = bound[1] if bound and bound[0] == name else forms.DecisionForm(prefix=name)
        actions.append({"name": name, "label": DECISION_LABELS[name], "form": form})
    document_form = bound[1] if bound and bound[0] == "document" else forms.DocumentForm()
    today = timezone.localdate()
    documents = (
        list(OperatorDocument.objects.for_user(request.user).filter(registration=entry)) if private else []
    )
    for document in documents:
        document.expired = document.is_expired(today)
    context = {
        "entry": entry,
        "private": private,
        "documents": documents,
        "decisions": list(entry.decisions.select_related("decided_by")) if private else [],
        "labels": DECISION_LABELS,
        "actions": actions,
        "may_add_documents": private and entry.state in services.LIVE_STATES,
        "document_form": document_form,
        "keeper": tenancy.has_role(request.user, *SUA_ROLES),
        "approved": RegistrationState.APPROVED,
        "error": error,
    }
    return render(request, "procurement/register/detail.html", context, status=status)


@require_POST
@login_required
def register_action(request, pk, action):
    entry = get_entry(request, pk)
    if action not in services.DECISIONS:
        raise Http404
    tenancy.require_role(request.user, *SUA_ROLES)
    form = forms.DecisionForm(request.POST, prefix=action)
    if not form.is_valid():
        return render_detail(
            request, entry, (action, form), _("Please correct the errors below."), status=400
        )
    try:
        services.decide(Actor.from_request(request), entry, action, form.cleaned_data["reason"])
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            message = _("Please correct the errors below.")
        else:
            message = refused.messages[0]
        return render_detail(request, entry, (action, form), message, status=400)
    messages.success(request, _("Decision recorded: %(decision)s.") % {"decision": DECISION_LABELS[action]})
    return redirect("procurement:register_detail", pk=entry.pk)


@require_POST
@login_required
def register_document_add(request, pk):
    entry = get_entry(request, pk)
    tenancy.require_role(request.user, *SUA_ROLES, *OPERATOR_ROLES)
    form = forms.DocumentForm(request.POST, request.FILES, owner=request.user)
    if form.is_valid():
        try:
            services.add_documents(Actor.from_request(request), entry, [form.upload()])
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                form.add_error(None, refused)
            else:
                form.keep_uploads()
                return render_detail(request, entry, ("document", form), refused.messages[0], status=400)
        else:
            form.forget_kept_uploads()
            messages.success(request, _("Document added."))
            return redirect("procurement:register_detail", pk=entry.pk)
    return render_detail(
        request, entry, ("document", form), _("Please correct the errors below."), status=400
    )


@login_required
def register_document(request, pk, document_pk):
    """A document, streamed only to the SUA keeping the albo and to the operator itself (404 otherwise)."""
    tenancy.require_role(request.user, *SUA_ROLES, *OPERATOR_ROLES)
    document = get_object_or_404(
        OperatorDocument.objects.for_user(request.user), registration_id=pk, pk=document_pk
    )
    return stream(document.file, document.original_name)
