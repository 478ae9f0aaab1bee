"""The training pages, under /formazione/."""

from django.urls import path

from casacomuni.training.views import certificates, needs

app_name = "training"

urlpatterns = [
    # Needs and the plan.
    path("fabbisogni/", needs.needs, name="needs"),
    path("fabbisogni/rilevazioni/<int:campaign_pk>/leggi/", needs.derive_needs, name="derive_needs"),
    path("piani/", needs.plans, name="plans"),
    path("piani/nuovo/", needs.plan_create, name="plan_create"),
    path("piani/<int:pk>/", needs.plan, name="plan"),
    path("piani/<int:pk>/moduli/", needs.plan_add, name="plan_add"),
    # Certificates (attestati): the PDF, the public verification, the Open Badges 2.0 hosted documents.
    path("attestati/verifica/", certificates.verify_form, name="certificate_verify_form"),
    path("attestati/verifica/<str:code>/", certificates.verify, name="certificate_verify"),
    path("attestati/<str:code>/attestato.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("attestati/<str:code>/badge.json", certificates.badge_assertion, name="badge_assertion"),
    path("moduli/<int:pk>/badge.json", certificates.badge_class, name="badge_class"),
    path("enti/<int:pk>/issuer.json", certificates.badge_issuer, name="badge_issuer"),
    path("edizioni/<int:pk>/calendario.ics", certificates.edition_calendar, name="edition_calendar"),
]
