"""The FAQ: the list the Province's Comuni search, and the office's entries written from resolved requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.helpdesk import services
from casacomuni.helpdesk.forms import FaqForm, FaqSearchForm
from casacomuni.helpdesk.models import FaqEntry, HelpRequest, office_services


@login_required
def faq_list(request):
    """The FAQ entries the user reads, searched by text and filtered by service."""
    user = request.user
    province, handled = office_services(user)
    if province is None and tenancy.as_local_party(user) is None:
        raise PermissionDenied
    form = FaqSearchForm(request.GET or None)
    entries = FaqEntry.objects.for_user(user)
    if form.is_valid():
        if form.cleaned_data["service"]:
            entries = entries.filter(service=form.cleaned_data["service"])
        entries = entries.search(form.cleaned_data["q"])
    context = {"form": form, "entries": entries[:100], "office": province is not None, "handled": handled}
    return render(request, "helpdesk/faq_list.html", context)


@login_required
def faq_from_request(request, pk):
    """The office writes an FAQ entry from a resolved request: the question and the answer start from the
    request's subject and the office's last answer, to be edited (the Comune's name is never copied)."""
    province, handled = office_services(request.user)
    source = get_object_or_404(
        HelpRequest.objects.for_user(request.user).filter(state__in=["resolved", "closed"]), pk=pk
    )
    if province is None:
        raise PermissionDenied
    last_answer = (
        source.entries.filter(kind__in=["resolved", "reply"], internal=False).order_by("-pk").first()
    )
    initial = {"question": source.subject, "answer": last_answer.body if last_answer else ""}
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.save_faq(Actor.from_request(request), None, source=source, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("FAQ entry saved."))
            return redirect("helpdesk:faq_edit", pk=entry.pk)
    context = {"form": form, "source": source}
    return render(request, "helpdesk/faq_form.html", context, status=400 if form.errors else 200)


@login_required
def faq_edit(request, pk):
    province, handled = office_services(request.user)
    entry = get_object_or_404(FaqEntry.objects.for_user(request.user).filter(service__in=handled), pk=pk)
    initial = {"question": entry.question, "answer": entry.answer, "published": entry.published}
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_faq(Actor.from_request(request), entry, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("FAQ entry saved."))
            return redirect("helpdesk:faq")
    context = {"form": form, "entry": entry}
    return render(request, "helpdesk/faq_form.html", context, status=400 if form.errors else 200)
