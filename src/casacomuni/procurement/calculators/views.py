"""The public calculators of the SUA: pages anyone may use, no login (officers of any authority use them)."""

from django.shortcuts import render

from casacomuni.procurement.calculators import forms
from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.rules import anomaly, router, thresholds


def anomaly_calculator(request):
    """The anomaly threshold of art. 54 and Allegato II.2, with every intermediate value and the minutes' text."""
    form = forms.AnomalyForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        outcome = anomaly.compute_threshold(form.cleaned_data["bids"], form.parameters(), form.facts())
        result = calculators.anomaly_result(outcome)
    status = 400 if form.errors else 200
    return render(
        request,
        "procurement/calculators/anomaly_calculator.html",
        {"form": form, "result": result},
        status=status,
    )


def route_calculator(request):
    """Which procedure the law allows for a contract, who may run it and with which ANAC form (art. 50, 62-63)."""
    form = forms.RouteForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        try:
            result = calculators.route_result(form.decide())
        except (router.RouteError, thresholds.ThresholdError) as error:
            form.add_error(None, calculators.translated(error.message, error.params))
    status = 400 if form.errors else 200
    return render(
        request,
        "procurement/calculators/route_calculator.html",
        {"form": form, "result": result},
        status=status,
    )
