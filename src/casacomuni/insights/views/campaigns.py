"""Pages of the campaigns: the list, the officer's new campaign, its completion per Comune, its actions
(send, close) and exports, and the maturity index edition by edition."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.insights import exports, forms, selectors
from casacomuni.insights.models import Campaign
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.views._common import get_campaign, is_officer, require_reader
from casacomuni.lib.forms import refused

PAGE_SIZE = 50


@login_required
def campaign_list(request):
    """The Province's campaigns (officers) or the campaigns sent to the Comune, with its response's state."""
    require_reader(request.user)
    officer = is_officer(request.user)
    campaigns = Campaign.objects.for_user(request.user).select_related("questionnaire")
    if officer:
        campaigns = selectors.with_completion(campaigns)
    page = Paginator(campaigns.order_by("-year", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if not officer:
        selectors.attach_own_responses(page.object_list, tenancy.acting_organization(request.user))
    return render(request, "insights/campaign_list.html", {"page": page, "officer": officer})


@login_required
def campaign_create(request):
    require_reader(request.user, officer_only=True)
    province = tenancy.acting_organization(request.user)
    questionnaires = selectors.questionnaires_for_campaign(request.user)
    comuni = list(campaign_services.province_comuni(province).order_by("name"))
    initial = {"questionnaire": request.GET.get("questionnaire")}
    form = forms.CampaignForm(
        request.POST or None, questionnaires=questionnaires, comuni=comuni, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_services.create_campaign(Actor.from_request(request), form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The campaign was created: check it, then send it to the Comuni."))
            return redirect("insights:campaign_detail", pk=campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "insights/campaign_form.html", {"form": form}, status=status)


@login_required
def campaign_detail(request, pk):
    """The officer's view: the campaign, its completion per Comune, its actions and exports. A Comune is sent
    to its response."""
    campaign = get_campaign(request, pk)
    if not is_officer(request.user):
        return redirect("insights:response_form", pk=campaign.pk)
    rows = selectors.completion_rows(campaign)
    context = {
        "campaign": campaign,
        "rows": rows,
        "summary": selectors.completion_summary(rows),
        "scored": bool(campaign.questionnaire.template_code == "maturita_digitale"),
    }
    return render(request, "insights/campaign_detail.html", context)


CAMPAIGN_ACTIONS = {"send": campaign_services.send_campaign, "close": campaign_services.close_campaign}
CAMPAIGN_DONE = {
    "send": gettext_lazy("The campaign was sent to the Comuni."),
    "close": gettext_lazy("The campaign is closed."),
}


@require_POST
@login_required
def campaign_action(request, pk, action):
    campaign = get_campaign(request, pk, officer_only=True)
    if action not in CAMPAIGN_ACTIONS:
        raise Http404
    try:
        CAMPAIGN_ACTIONS[action](Actor.from_request(request), campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(CAMPAIGN_DONE[action]))
    return redirect("insights:campaign_detail", pk=campaign.pk)


@login_required
def campaign_export(request, pk, fmt):
    campaign = get_campaign(request, pk, officer_only=True)
    table = exports.answers_table(campaign)
    name = exports.file_name(campaign)
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(table, campaign),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404


@login_required
def editions(request):
    """The maturity index of each Comune edition by edition (campaigns of the maturity template)."""
    require_reader(request.user, officer_only=True)
    comparison = selectors.maturity_editions(request.user)
    return render(request, "insights/editions.html", comparison)
