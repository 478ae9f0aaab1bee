"""A person's training profile, for the training office of the territory and the Comune's referent: the
competences gained, the hours of each year, every course with its certificate. Reads in
``training.profiles``."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from casacomuni.training import profiles
from casacomuni.training.models import StaffMember
from casacomuni.training.rules import ledger as rules


@login_required
def staff_detail(request, pk):
    person = get_object_or_404(
        StaffMember.objects.for_user(request.user).select_related("organization"), pk=pk
    )
    completions, imported = profiles.courses(person)
    context = {
        "person": person,
        "competences": profiles.competences_gained(person),
        "paths": profiles.paths_started(person),
        "years": profiles.years(person),
        "completions": completions,
        "imported": imported,
        "target": rules.TARGET_HOURS,
    }
    return render(request, "training/staff_detail.html", context)
