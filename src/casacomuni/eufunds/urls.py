from django.urls import path

from casacomuni.eufunds import views

app_name = "eufunds"
urlpatterns = [
    path("bandi/", views.call_list, name="call_list"),
    path("bandi/nuovo/", views.call_create, name="call_create"),
    path("bandi/<int:pk>/", views.call_detail, name="call_detail"),
    path("bandi/<int:pk>/modifica/", views.call_edit, name="call_edit"),
    path("bandi/<int:pk>/criteri/nuovo/", views.criterion_create, name="criterion_create"),
    path("criteri/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("criteri/<int:pk>/elimina/", views.criterion_delete, name="criterion_delete"),
    path("importazioni/", views.import_calls, name="import_calls"),
    path("importazioni/<int:pk>/", views.import_run, name="import_run"),
    path("notiziario/", views.digest_preview, name="digest_preview"),
    path("notiziario/preferenze/", views.digest_preferences, name="digest_preferences"),
    path("notiziario/disiscrizione/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
