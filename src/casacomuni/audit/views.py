"""The audit trail pages: administrators read the events of their territory."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from casacomuni.accounts.roles import ADMIN_ROLES
from casacomuni.accounts.tenancy import require_role
from casacomuni.audit.forms import EventFilterForm
from casacomuni.audit.models import AuditEvent

PAGE_SIZE = 50


def visible_events(request):
    require_role(request.user, *ADMIN_ROLES)
    return AuditEvent.objects.for_user(request.user).select_related("organization")


@login_required
def events(request):
    queryset = visible_events(request).newest_first()
    form = EventFilterForm(request.GET)
    valid = form.is_valid()
    queryset = queryset.filter_by(**form.cleaned_data) if valid else queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"form": form, "page": page}, status=200 if valid else 400)


@login_required
def event(request, pk: int):
    audit_event = get_object_or_404(visible_events(request), pk=pk)
    return render(request, "audit/event.html", {"event": audit_event})
