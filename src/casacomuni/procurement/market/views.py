"""The market data pages: what ANAC's open data say a Comune bought, alone or through a SUA / centrale.

Thin views over ``MarketRelease.objects.for_user``: a Comune (Unione) reads its own releases, a Province
those of the comuni of its territory, with the totals by year and, for the Province, by comune.
"""

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, render

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.procurement.market.models import MarketRelease
from casacomuni.procurement.ocds.importer import method_title

PAGE_SIZE = 50
MARKET_ROLES = (Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF, Role.PROVINCE_ADMIN, Role.SUA_OFFICER)
# The list never needs the stored OCDS release, the heaviest column.
LIST_COLUMNS = ("release",)


@login_required
def market(request):
    tenancy.require_role(request.user, *MARKET_ROLES)
    releases = MarketRelease.objects.for_user(request.user)
    is_province = tenancy.acting_organization(request.user).kind == OrganizationKind.PROVINCE
    listed = (
        releases.select_related("municipality", "organization")
        .defer(*LIST_COLUMNS)
        .order_by(F("date").desc(nulls_last=True), "ocid", "pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "by_year": list(releases.totals_by_year()),
        "by_buyer": list(releases.totals_by_buyer()) if is_province else None,
        "is_province": is_province,
    }
    return render(request, "procurement/market/market.html", context)


@login_required
def market_release(request, pk: int):
    tenancy.require_role(request.user, *MARKET_ROLES)
    release = get_object_or_404(
        MarketRelease.objects.for_user(request.user).select_related("municipality", "organization"), pk=pk
    )
    context = {
        "release": release,
        "method": method_title(release.procurement_method_details),
        "release_json": json.dumps(release.release, indent=2, ensure_ascii=False),
    }
    return render(request, "procurement/market/market_release.html", context)
