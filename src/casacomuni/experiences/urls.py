"""The experiences' pages, under /rete/esperienze/."""

from django.urls import path

from casacomuni.experiences import views

app_name = "experiences"

urlpatterns = [
    path("", views.experience_list, name="list"),
    path("mappa/", views.experience_map, name="map"),
    path("nuova/", views.experience_create, name="create"),
    path("<int:pk>/", views.experience_detail, name="detail"),
    path("<int:pk>/modifica/", views.experience_edit, name="edit"),
    path("<int:pk>/documenti/", views.document_add, name="document_add"),
    path("<int:pk>/documenti/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/documenti/<int:document_pk>/rimuovi/", views.document_remove, name="document_remove"),
    path("<int:pk>/invia/", views.experience_submit, name="submit"),
    path("<int:pk>/pubblica/", views.experience_publish, name="publish"),
    path("<int:pk>/rimanda/", views.experience_return, name="return"),
    path("<int:pk>/replica/", views.experience_replicate, name="replicate"),
]
