from django.urls import path

from casacomuni.projects.applications import views as application_views
from casacomuni.projects.funded import views as project_views
from casacomuni.projects.results import views as result_views

app_name = "projects"
urlpatterns = [
    path("", application_views.application_list, name="application_list"),
    path("candidature/nuova/", application_views.application_create, name="application_create"),
    path("candidature/<int:pk>/", application_views.application_detail, name="application_detail"),
    path("candidature/<int:pk>/modifica/", application_views.application_edit, name="application_edit"),
    path(
        "candidature/<int:pk>/azioni/<str:action>/",
        application_views.application_action,
        name="application_action",
    ),
    path(
        "candidature/<int:pk>/partner/",
        application_views.application_partner_add,
        name="application_partner_add",
    ),
    path(
        "candidature/<int:pk>/partner/<int:partner_pk>/rimuovi/",
        application_views.application_partner_remove,
        name="application_partner_remove",
    ),
    path(
        "candidature/<int:pk>/attivita/", application_views.application_task_add, name="application_task_add"
    ),
    path(
        "candidature/<int:pk>/attivita/<int:task_pk>/fatta/",
        application_views.application_task_done,
        name="application_task_done",
    ),
    path(
        "candidature/<int:pk>/documenti/",
        application_views.application_document_add,
        name="application_document_add",
    ),
    path(
        "candidature/<int:pk>/documenti/<int:document_pk>/",
        application_views.application_document,
        name="application_document",
    ),
    path("candidature/<int:pk>/progetto/", project_views.application_project, name="application_project"),
    path("finanziati/", project_views.project_list, name="project_list"),
    path("finanziati/nuovo/", project_views.project_create, name="project_create"),
    path("finanziati/opencoesione.csv", project_views.projects_csv, name="projects_csv"),
    path("finanziati/<int:pk>/", project_views.project_detail, name="project_detail"),
    path("finanziati/<int:pk>/modifica/", project_views.project_edit, name="project_edit"),
    path("finanziati/<int:pk>/aggiungi/<str:part>/", project_views.project_add, name="project_add"),
    path("finanziati/<int:pk>/spese/", project_views.project_expense_add, name="project_expense_add"),
    path(
        "finanziati/<int:pk>/periodi/<int:period_pk>/presentazione/",
        project_views.project_statement_submit,
        name="project_statement_submit",
    ),
    path(
        "finanziati/<int:pk>/spese/<int:expense_pk>/",
        project_views.project_expense_document,
        name="project_expense_document",
    ),
    path("finanziati/<int:pk>/gara/", project_views.project_procurement, name="project_procurement"),
    path("risultati/", result_views.results, name="results"),
    path("risultati/nazionale/", result_views.national, name="national"),
]
