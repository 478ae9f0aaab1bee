from django.urls import path

from casacomuni.training.views import catalogue

app_name = "training"
urlpatterns = [
    path("", catalogue.module_list, name="module_list"),
    path("moduli/nuovo/", catalogue.module_create, name="module_create"),
    path("moduli/<int:pk>/", catalogue.module_detail, name="module_detail"),
    path("moduli/<int:pk>/modifica/", catalogue.module_edit, name="module_edit"),
    path("moduli/<int:pk>/pubblica/", catalogue.module_publish, name="module_publish"),
    path("moduli/<int:pk>/edizioni/nuova/", catalogue.edition_create, name="edition_create"),
    path("edizioni/<int:pk>/", catalogue.edition_detail, name="edition_detail"),
    path("edizioni/<int:pk>/azioni/<str:action>/", catalogue.edition_action, name="edition_action"),
    path("edizioni/<int:pk>/sessioni/", catalogue.session_add, name="session_add"),
    path("edizioni/<int:pk>/iscrivi/", catalogue.enrol, name="enrol"),
    path("edizioni/<int:pk>/richiedi/", catalogue.enrolment_request, name="enrolment_request"),
    path("iscrizioni/<int:pk>/annulla/", catalogue.enrolment_cancel, name="enrolment_cancel"),
    path("iscrizioni/<int:pk>/decidi/", catalogue.enrolment_decide, name="enrolment_decide"),
    path("sessioni/<int:pk>/registro/", catalogue.register, name="register"),
    path("sessioni/<int:pk>/firma/", catalogue.sign_in, name="sign_in"),
    path("personale/", catalogue.staff_list, name="staff_list"),
    path("personale/nuovo/", catalogue.staff_add, name="staff_add"),
]
