"""The model library's pages, under /rete/modelli/."""

from django.urls import path

from casacomuni.library import views

app_name = "library"

urlpatterns = [
    path("", views.model_list, name="model_list"),
    path("nuovo/", views.model_create, name="model_create"),
    path("trasferimento/", views.transfer, name="transfer"),
    path("<int:pk>/", views.model_detail, name="model_detail"),
    path("<int:pk>/versioni/nuova/", views.version_create, name="version_create"),
    path("<int:pk>/aggiornamento/", views.update, name="update"),
    path("<int:pk>/aggiornamento/accetta/", views.update_accept, name="update_accept"),
    path("<int:pk>/aggiornamento/ignora/", views.update_dismiss, name="update_dismiss"),
    path("versioni/<int:pk>/pubblica/", views.version_publish, name="version_publish"),
    path("versioni/<int:pk>/adotta/", views.version_adopt, name="version_adopt"),
    path("versioni/<int:pk>/modello-convenzione/", views.start_template, name="start_template"),
    path("versioni/<int:pk>/questionario/", views.start_questionnaire, name="start_questionnaire"),
    path("file/<int:pk>/", views.file_download, name="file_download"),
]
