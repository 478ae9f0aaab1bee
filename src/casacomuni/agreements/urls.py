from django.urls import path

from casacomuni.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("nuova/", views.agreement_create, name="create"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/atti/<str:transition>/", views.agreement_transition, name="transition"),
    path("<int:pk>/file/<str:which>/", views.agreement_file, name="file"),
    path("<int:pk>/convenzione.docx", views.agreement_docx, name="docx"),
    path("<int:pk>/convenzione.pdf", views.agreement_pdf, name="pdf"),
    path("servizi/", views.service_list, name="services"),
    path("servizi/nuovo/", views.service_edit, name="service_create"),
    path("servizi/<int:pk>/", views.service_edit, name="service_edit"),
    path("servizi/<int:pk>/adesione/", views.join_request, name="join_request"),
    path("richieste/<int:pk>/risposta/", views.join_request_answer, name="join_request_answer"),
    path("nazionale/", views.national, name="national"),
    path("nazionale/copertura.csv", views.national_csv, name="national_csv"),
    path("nazionale/copertura.xlsx", views.national_xlsx, name="national_xlsx"),
]
