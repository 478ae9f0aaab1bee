"""Public, no-login OCDS endpoints of the SUA procedures and the page describing the publication.

- ``releases.json``: a release package, oldest release first, ``page`` (from 1, 100 releases each) with
  ``links.next``; ``since`` / ``until`` (a date ``YYYY-MM-DD`` or an ISO date-time; a date as ``until`` means
  the end of that day) filter on the release date. Bad parameters answer 400 as problem+json.
- ``records/<ocid>.json``: the record package of one procedure (every release, embedded, and the compiled
  release); 404 as problem+json for an unknown OCID or a procedure never published.

Both cost a fixed number of queries whatever the number of procedures (see ocds.export).
"""

import json
import re
from datetime import datetime, time, timedelta

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from casacomuni.procurement.ocds import export as ocds_export
from casacomuni.procurement.procedures.models import ocds_prefix

DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
JSON_DUMPS = {"ensure_ascii": False, "separators": (",", ":")}


class BadParameter(ValueError):
    pass


def problem(status: int, title: str, detail: str) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )


def parse_moment(value: str, name: str, end_of_day: bool = False) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if DATE_ONLY.fullmatch(value):
            day = parse_date(value)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
            if end_of_day:
                moment -= timedelta(microseconds=1)
        else:
            moment = parse_datetime(value)
            if moment is None:
                raise ValueError(value)
    except ValueError as wrong:
        raise BadParameter(
            _("%(name)s must be a date (YYYY-MM-DD) or an ISO 8601 date-time.") % {"name": name}
        ) from wrong
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_page(value: str) -> int:
    value = (value or "1").strip()
    if not value.isdigit() or int(value) < 1 or int(value) > 1_000_000:
        raise BadParameter(_("page must be a whole number from 1."))
    return int(value)


def policy_url(request) -> str:
    return request.build_absolute_uri(reverse("ocds:policy"))


def ocds_response(package: dict) -> JsonResponse:
    response = JsonResponse(package, json_dumps_params=JSON_DUMPS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def releases(request):
    try:
        page = parse_page(request.GET.get("page", ""))
        since = parse_moment(request.GET.get("since", ""), "since")
        until = parse_moment(request.GET.get("until", ""), "until", end_of_day=True)
    except BadParameter as wrong:
        return problem(400, _("Invalid request"), str(wrong))
    if since and until and since > until:
        return problem(400, _("Invalid request"), _("since must not be after until."))
    found, has_next = ocds_export.release_page(page, since, until)
    package = ocds_export.release_package(
        found,
        request.build_absolute_uri(),
        policy_url(request),
        ocds_export.latest_release_date(found),
    )
    if has_next:
        query = request.GET.copy()
        query["page"] = str(page + 1)
        package["links"] = {
            "next": request.build_absolute_uri(f"{reverse('ocds:releases')}?{query.urlencode()}")
        }
    return ocds_response(package)


@require_GET
def record(request, ocid: str):
    procedure = ocds_export.procedure_by_ocid(ocid)
    if procedure is None:
        return problem(
            404, _("Not found"), _("No published procedure has the OCID %(ocid)s.") % {"ocid": ocid}
        )
    return ocds_response(
        ocds_export.record_package(procedure, request.build_absolute_uri(), policy_url(request))
    )


@require_GET
def policy(request):
    """What is published, where, under which licence, and which personal data are left out."""
    context = {
        "releases_url": request.build_absolute_uri(reverse("ocds:releases")),
        "prefix": ocds_prefix(),
        "license_url": ocds_export.LICENSE_URL,
        "extensions": ocds_export.EXTENSIONS,
        "page_size": ocds_export.PAGE_SIZE,
        "publisher": ocds_export.publisher_name(),
    }
    return render(request, "procurement/ocds/policy.html", context)
