"""Dashboard pages of the indicators: a Comune's, a Province's, UPI's by Province; each chart's CSV.

Thin views: they check the role, find the comune or Province among those the user may see (404
otherwise), read the GET form and hand over to ``dashboards``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import LOCAL_ROLES, PROVINCE_ROLES, OrganizationKind, Role
from casacomuni.indicators import dashboards, exports, selectors, services
from casacomuni.indicators.forms import ComputeForm, IndicatorYearForm
from casacomuni.territory import boundaries

PROVINCE_DASHBOARD_ROLES = (Role.UPI_ADMIN, *PROVINCE_ROLES)


@login_required
def home(request):
    """Each organisation's own dashboard: UPI's by Province, the Province's, the Comune's (a Unione's first
    member comune's)."""
    tenancy.require_role(request.user, *selectors.READER_ROLES)
    org = tenancy.acting_organization(request.user)
    if org.kind == OrganizationKind.UPI:
        return redirect("indicators:national")
    if org.kind == OrganizationKind.PROVINCE:
        return redirect("indicators:province", sigla=org.province.sigla)
    first = selectors.visible_municipalities(request.user).current().order_by("name").first()
    if first is None:
        raise Http404(_("No comune to show."))
    return redirect("indicators:municipality", istat_code=first.istat_code)


# The session key of the user's last choice: coming back to the dashboards (the menu, another page's link)
# opens them on the indicator and year last chosen, as a user expects, rather than on the first indicator.
REMEMBERED = "indicators_choice"


def choose(request) -> tuple[IndicatorYearForm, bool]:
    """The GET form on the indicators and years with data; ``ready`` when both are chosen and valid.

    A parameter missing from the query string takes the user's last choice when it is still offered; a
    choice made in the query string is remembered for the next visit."""
    indicators, years = selectors.indicators(), selectors.years_with_data()
    remembered = request.session.get(REMEMBERED, {})
    offered = {"indicatore": {i.code for i in indicators}, "anno": set(years)}
    data = {key: value for key, value in remembered.items() if value in offered.get(key, ())}
    data.update({key: value for key, value in request.GET.items() if value})
    form = IndicatorYearForm(data, indicators=indicators, years=years)
    ready = form.has_data and form.is_valid()
    if ready and any(request.GET.get(key) for key in offered):
        request.session[REMEMBERED] = {"indicatore": form.indicator.code, "anno": form.year}
    return form, ready


def render_dashboard(request, template, form, ready, context, builder, csv_url):
    """Render ``template`` with the form, and the dashboard when the form is valid (400 when it is not).
    ``csv_url(name)`` is the address of a chart's CSV, to which the chosen indicator and year are added."""
    context = {
        **context,
        "form": form,
        "dashboard": None,
        "may_compute": tenancy.has_role(request.user, *services.COMPUTE_ROLES),
        "this_year": timezone.localdate().year,
    }
    if ready:
        dashboard = builder(form.indicator, form.year)
        query = urlencode({"indicatore": form.indicator.code, "anno": form.year})
        for chart in dashboard.charts.values():
            chart.csv_url = f"{csv_url(chart.name)}?{query}"
        context.update(dashboard=dashboard, indicator=form.indicator, year=form.year)
    status = 400 if form.has_data and form.errors else 200
    return render(request, template, context, status=status)


def chart_csv(request, builder, chart: str, stem: str):
    form, ready = choose(request)
    if not ready:
        raise Http404(_("Choose an indicator and a year with data."))
    dashboard = builder(form.indicator, form.year)
    if chart not in dashboard.charts:
        raise Http404(_("No such chart."))
    return exports.csv_response(dashboard.charts[chart], f"{stem}-{form.indicator.code}-{form.year}")


# --- Comune -------------------------------------------------------------------------------------------------


def visible_municipality(request, istat_code: str):
    tenancy.require_role(request.user, *selectors.READER_ROLES)
    return get_object_or_404(
        selectors.visible_municipalities(request.user).select_related("province"), istat_code=istat_code
    )


@login_required
def municipality(request, istat_code: str):
    comune = visible_municipality(request, istat_code)
    form, ready = choose(request)
    all_indicators = list(form.indicators.values())

    def build(indicator, year):
        return dashboards.municipality_dashboard(comune, indicator, year, all_indicators)

    others = selectors.visible_municipalities(request.user).current().exclude(pk=comune.pk)
    context = {
        "municipality": comune,
        # A Unione chooses among its member comuni; a Province and UPI arrive from their rankings.
        "siblings": list(others.order_by("name")) if tenancy.has_role(request.user, *LOCAL_ROLES) else [],
        "may_open_province": selectors.visible_provinces(request.user).filter(pk=comune.province_id).exists(),
    }
    return render_dashboard(
        request,
        "indicators/municipality.html",
        form,
        ready,
        context,
        build,
        lambda name: reverse("indicators:municipality_csv", args=[comune.istat_code, name]),
    )


@login_required
def municipality_csv(request, istat_code: str, chart: str):
    comune = visible_municipality(request, istat_code)
    indicators = selectors.indicators()

    def build(indicator, year):
        return dashboards.municipality_dashboard(comune, indicator, year, indicators)

    return chart_csv(request, build, chart, comune.name)


# --- Province -----------------------------------------------------------------------------------------------


def visible_province(request, sigla: str):
    tenancy.require_role(request.user, *PROVINCE_DASHBOARD_ROLES)
    return get_object_or_404(selectors.visible_provinces(request.user), sigla=sigla.upper())


@login_required
def province(request, sigla: str):
    place = visible_province(request, sigla)
    form, ready = choose(request)

    def build(indicator, year):
        dashboard = dashboards.province_dashboard(place, indicator, year)
        # One reverse() for the ~250 links of the ranking, not one per row.
        link = (
            reverse("indicators:municipality", args=["000000"])
            + "?"
            + urlencode({"indicatore": indicator.code, "anno": year})
        )
        for row in dashboard.charts["ranking"].rows:
            row["url"] = link.replace("000000", row["istat_code"], 1)
        return dashboard

    context = {
        "province": place,
        "outline_url": reverse("territory:province_boundary", args=[place.sigla]),
        "municipalities_url": reverse("territory:province_municipalities_boundary", args=[place.sigla]),
        "attribution": boundaries.ATTRIBUTION,
        "is_upi": tenancy.has_role(request.user, Role.UPI_ADMIN),
    }
    return render_dashboard(
        request,
        "indicators/province.html",
        form,
        ready,
        context,
        build,
        lambda name: reverse("indicators:province_csv", args=[place.sigla, name]),
    )


@login_required
def province_csv(request, sigla: str, chart: str):
    place = visible_province(request, sigla)
    return chart_csv(
        request,
        lambda indicator, year: dashboards.province_dashboard(place, indicator, year),
        chart,
        place.name,
    )


# --- UPI ----------------------------------------------------------------------------------------------------


def require_upi(request):
    if not tenancy.has_role(request.user, Role.UPI_ADMIN):
        raise PermissionDenied


@login_required
def national(request):
    require_upi(request)
    form, ready = choose(request)
    context = {"boundary_url": reverse("territory:provinces_boundary"), "attribution": boundaries.ATTRIBUTION}
    return render_dashboard(
        request,
        "indicators/national.html",
        form,
        ready,
        context,
        dashboards.national_dashboard,
        lambda name: reverse("indicators:national_csv", args=[name]),
    )


@login_required
def national_csv(request, chart: str):
    require_upi(request)
    return chart_csv(request, dashboards.national_dashboard, chart, _("italy"))


# --- Recomputing now ----------------------------------------------------------------------------------------


@require_POST
@login_required
def compute(request):
    """Ask for a year's indicators now (the nightly task does it anyway); back to the page it came from."""
    tenancy.require_role(request.user, *services.COMPUTE_ROLES)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("anno", [_("Choose a year.")])))
    else:
        services.request_computation(Actor.from_request(request), form.cleaned_data["anno"])
        messages.success(
            request,
            _("The indicators of %(year)s are being computed: reload the page in a few moments.")
            % {"year": form.cleaned_data["anno"]},
        )
    return redirect("indicators:home")
