from django.urls import path

from casacomuni.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # These paths are also exempt from the second-factor redirect (accounts.middleware.MFA_EXEMPT_PREFIXES).
    path("accessibilita/", views.accessibility, name="accessibility"),
    path("note-legali/", views.legal, name="legal"),
    path("privacy/", views.privacy, name="privacy"),
]
