"""The office's pages: its indicators over a period, and its categories with their service levels."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.helpdesk import services
from casacomuni.helpdesk.forms import CategoryForm, PeriodForm
from casacomuni.helpdesk.models import Category, HelpRequest, office_services
from casacomuni.helpdesk.rules import kpis

DEFAULT_PERIOD_DAYS = 90


def office_of(user):
    province, handled = office_services(user)
    if province is None:
        raise PermissionDenied
    return province, handled


@login_required
def office_kpis(request):
    """Opened and resolved requests in a period, median first answer and resolution in working hours, the share
    within the service level and the average rating, per category. Two queries whatever the data."""
    province, handled = office_of(request.user)
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today - timedelta(days=DEFAULT_PERIOD_DAYS), "end": today})
    lines = []
    if form.is_valid():
        start = timezone.make_aware(datetime.combine(form.cleaned_data["start"], time.min))
        end = timezone.make_aware(datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min))
        lines = kpis.by_category(period_rows(request.user, start, end), start, end, _("All categories"))
    context = {"form": form, "lines": lines, "province": province}
    return render(request, "helpdesk/kpis.html", context, status=200 if form.is_valid() else 400)


def period_rows(user, start, end) -> list[kpis.Row]:
    touched = (
        Q(created_at__gte=start, created_at__lt=end)
        | Q(first_answered_at__gte=start, first_answered_at__lt=end)
        | Q(resolved_at__gte=start, resolved_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
    )
    values = (
        HelpRequest.objects.for_user(user)
        .filter(touched)
        .values_list(
            "category__name",
            "created_at",
            "first_answered_at",
            "first_answer_working_hours",
            "first_answer_hours",
            "resolved_at",
            "resolution_working_hours",
            "resolution_hours",
            "closed_at",
            "rating",
        )
    )
    return [kpis.Row(*row) for row in values]


@login_required
def category_list(request):
    """The office's categories with their levels, and a form for a new one."""
    province, handled = office_of(request.user)
    form = CategoryForm(request.POST or None, services_allowed=handled)
    if request.method == "POST" and form.is_valid() and save(request, form, None):
        return redirect("helpdesk:categories")
    categories = Category.objects.for_user(request.user).filter(service__in=handled)
    context = {"categories": categories, "form": form}
    return render(request, "helpdesk/categories.html", context, status=400 if form.errors else 200)


@login_required
def category_edit(request, pk):
    province, handled = office_of(request.user)
    category = get_object_or_404(Category.objects.for_user(request.user).filter(service__in=handled), pk=pk)
    initial = {name: getattr(category, name) for name in CategoryForm.base_fields}
    form = CategoryForm(request.POST or None, initial=initial, services_allowed=handled)
    if request.method == "POST" and form.is_valid() and save(request, form, category):
        return redirect("helpdesk:categories")
    context = {"category": category, "form": form}
    return render(request, "helpdesk/category_form.html", context, status=400 if form.errors else 200)


def save(request, form: CategoryForm, category: Category | None) -> bool:
    try:
        services.save_category(Actor.from_request(request), category, **form.cleaned_data)
    except ValidationError as refused:
        form.add_error(None, refused)
        return False
    messages.success(request, _("Category saved."))
    return True
