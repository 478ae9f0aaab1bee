"""The certificate of a completion (PDF, to its holder, its organisation's referent and the Province's training
office), its public verification page, the Open Badges 2.0 hosted documents and the iCal file of an edition."""

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.training import certificates
from casacomuni.training.models import Completion, Edition, Module

JSON_LD = "application/ld+json"


def badge_json(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD, status=status
    )
    # Badge backpacks and verifiers fetch these documents from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def with_documents(queryset):
    return queryset.select_related("person", "enrolment__edition__module__province__province")


@login_required
@require_GET
def certificate_pdf(request, code):
    """Only to who reads the completion (``Completion.objects.for_user``); a revoked certificate is not
    served, to anybody: it no longer certifies anything."""
    completion = get_object_or_404(
        with_documents(Completion.objects.for_user(request.user)), code=code, revoked_at=None
    )
    response = HttpResponse(certificates.certificate_pdf(completion), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.certificate_filename(completion)}"'
    )
    return response


@require_GET
def verify_form(request):
    """Where a code read off a paper certificate is typed in."""
    code = request.GET.get("codice", "").strip().upper().replace(" ", "")
    if code:
        return redirect("training:certificate_verify", code=code[:40])
    return render(request, "training/certificate_verify_form.html")


@require_GET
def verify(request, code):
    """Public: the holder's name (nothing else personal), the module, hours, date, Province and whether it is
    valid. Any code that is not a certificate's gets the same 404, so codes cannot be probed."""
    completion = (
        Completion.objects.filter(code=code.upper())
        .select_related("person", "enrolment__edition__module__province")
        .first()
    )
    if completion is None:
        return render(request, "training/certificate_unknown.html", status=404)
    return render(
        request,
        "training/certificate_verify.html",
        {
            "completion": completion,
            "edition": completion.enrolment.edition,
            "module": completion.enrolment.edition.module,
            "assertion_url": certificates.assertion_url(completion),
        },
    )


@require_GET
def badge_assertion(request, code):
    completion = get_object_or_404(with_documents(Completion.objects.all()), code=code)
    return badge_json(certificates.assertion_document(completion))


def badge_modules():
    """The badge class of a module is public once the module is in the catalogue or somebody earned it."""
    return Module.objects.filter(
        Q(published=True) | Q(editions__enrolments__completion__isnull=False)
    ).distinct()


@require_GET
def badge_class(request, pk):
    module = get_object_or_404(badge_modules().select_related("province"), pk=pk)
    return badge_json(certificates.badge_class_document(module))


@require_GET
def badge_issuer(request, pk):
    province = get_object_or_404(
        Organization.objects.select_related("province"), pk=pk, kind=OrganizationKind.PROVINCE
    )
    return badge_json(certificates.issuer_document(province))


@login_required
@require_GET
def edition_calendar(request, pk):
    edition = get_object_or_404(
        Edition.objects.for_user(request.user).select_related("module__province"), pk=pk
    )
    response = HttpResponse(
        certificates.edition_calendar(edition), content_type="text/calendar; charset=utf-8"
    )
    filename = f"edizione-{edition.pk}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
