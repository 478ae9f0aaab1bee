"""The training pages, under /formazione/."""

from django.urls import path

from casacomuni.training.views import needs

app_name = "training"

urlpatterns = [
    path("fabbisogni/", needs.needs, name="needs"),
    path("fabbisogni/rilevazioni/<int:campaign_pk>/leggi/", needs.derive_needs, name="derive_needs"),
    path("piani/", needs.plans, name="plans"),
    path("piani/nuovo/", needs.plan_create, name="plan_create"),
    path("piani/<int:pk>/", needs.plan, name="plan"),
    path("piani/<int:pk>/moduli/", needs.plan_add, name="plan_add"),
]
