"""The dashboard, the public legal pages and the error pages."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from casacomuni.web import dashboard as dashboard_data

# When the accessibility statement was last reviewed against the pages (AgID asks for the date).
ACCESSIBILITY_REVIEWED_ON = datetime.date(2026, 11, 26)


@login_required
def dashboard(request):
    return render(request, "web/dashboard.html", dashboard_data.summary(request.user, request.membership))


def accessibility(request):
    return render(
        request, "web/legal/accessibility.html", {**owner(), "reviewed_on": ACCESSIBILITY_REVIEWED_ON}
    )


def legal(request):
    return render(request, "web/legal/legal_notes.html", owner())


def privacy(request):
    return render(request, "web/legal/privacy.html", owner())


def owner() -> dict:
    return {
        "owner_name": settings.CASACOMUNI_OWNER_NAME,
        "contact_email": settings.CASACOMUNI_CONTACT_EMAIL,
        "dpo_email": settings.CASACOMUNI_DPO_EMAIL,
    }


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", {"path": request.path}, status=404)


def server_error(request):
    # No request context: whatever broke the request (the database, a context processor) must not break
    # this page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
