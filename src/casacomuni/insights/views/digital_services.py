"""Pages of the digital services catalogue: the Province's services, each with the Comuni's adoptions; a
Comune sees the active services and its own adoption of each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casacomuni.accounts.actor import Actor
from casacomuni.insights import forms, selectors
from casacomuni.insights.models import DigitalService, ServiceAdoption
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.services import digital_services
from casacomuni.insights.views._common import is_officer, require_reader
from casacomuni.lib.forms import refused


@login_required
def service_list(request):
    """The Province's catalogue; for a Comune, with its own adoption of each service."""
    require_reader(request.user)
    officer = is_officer(request.user)
    services_ = list(DigitalService.objects.for_user(request.user))
    selectors.attach_adoptions(services_, request.user, officer)
    form = forms.DigitalServiceForm(prefix="service") if officer else None
    return render(
        request, "insights/service_list.html", {"services": services_, "officer": officer, "form": form}
    )


@require_POST
@login_required
def service_create(request):
    require_reader(request.user, officer_only=True)
    form = forms.DigitalServiceForm(request.POST, prefix="service")
    if form.is_valid():
        try:
            service = digital_services.save_digital_service(Actor.from_request(request), form.to_data())
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The service was added to the catalogue."))
            return redirect("insights:service_detail", pk=service.pk)
    services_ = list(DigitalService.objects.for_user(request.user))
    selectors.attach_adoptions(services_, request.user, True)
    return render(
        request,
        "insights/service_list.html",
        {"services": services_, "officer": True, "form": form},
        status=400,
    )


@login_required
def service_detail(request, pk):
    """A service: the officer edits it and records adoptions; a Comune sees it and its own adoption."""
    require_reader(request.user)
    service = get_object_or_404(
        DigitalService.objects.for_user(request.user).select_related("province"), pk=pk
    )
    officer = is_officer(request.user)
    adoptions = (
        ServiceAdoption.objects.for_user(request.user).filter(service=service).select_related("organization")
    )
    context = {"service": service, "officer": officer, "adoptions": list(adoptions)}
    status = 200
    if officer:
        comuni = list(campaign_services.province_comuni(service.province).order_by("name"))
        edit_form = forms.DigitalServiceForm(
            request.POST if request.POST.get("form") == "service" else None,
            prefix="service",
            initial={
                "name": service.name,
                "category": service.category,
                "description": service.description,
                "url": service.url,
                "is_active": service.is_active,
            },
        )
        adoption_form = forms.AdoptionForm(
            request.POST if request.POST.get("form") == "adoption" else None, prefix="adoption", comuni=comuni
        )
        if request.method == "POST":
            form = edit_form if request.POST.get("form") == "service" else adoption_form
            if form.is_valid():
                try:
                    if form is edit_form:
                        digital_services.save_digital_service(
                            Actor.from_request(request), form.to_data(), service
                        )
                    else:
                        digital_services.record_adoption(Actor.from_request(request), service, form.to_data())
                except ValidationError as error:
                    refused(form, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("insights:service_detail", pk=service.pk)
            status = 400
        context.update(edit_form=edit_form, adoption_form=adoption_form)
    return render(request, "insights/service_detail.html", context, status=status)
