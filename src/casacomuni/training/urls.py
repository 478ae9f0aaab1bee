from django.urls import path

from casacomuni.training.views import certificates

app_name = "training"
urlpatterns = [
    # Certificates (attestati): the PDF, the public verification, the Open Badges 2.0 hosted documents.
    path("attestati/verifica/", certificates.verify_form, name="certificate_verify_form"),
    path("attestati/verifica/<str:code>/", certificates.verify, name="certificate_verify"),
    path("attestati/<str:code>/attestato.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("attestati/<str:code>/badge.json", certificates.badge_assertion, name="badge_assertion"),
    path("moduli/<int:pk>/badge.json", certificates.badge_class, name="badge_class"),
    path("enti/<int:pk>/issuer.json", certificates.badge_issuer, name="badge_issuer"),
    path("edizioni/<int:pk>/calendario.ics", certificates.edition_calendar, name="edition_calendar"),
]
