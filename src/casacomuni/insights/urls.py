from django.urls import path

from casacomuni.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campagne/nuova/", views.campaign_create, name="campaign_create"),
    path("campagne/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campagne/<int:pk>/risposta/", views.response_form, name="response_form"),
    path(
        "campagne/<int:pk>/risposta/riapertura/",
        views.response_request_reopen,
        name="response_request_reopen",
    ),
    path("campagne/<int:pk>/esporta.<str:fmt>", views.campaign_export, name="campaign_export"),
    path("campagne/<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
    path("edizioni/", views.editions, name="editions"),
    path("risposte/<int:pk>/", views.response_detail, name="response_detail"),
    path("risposte/<int:pk>/riapri/", views.response_reopen, name="response_reopen"),
    path("risposte/<int:pk>/file/<int:question_pk>/", views.answer_file, name="answer_file"),
    path("questionari/", views.questionnaire_list, name="questionnaire_list"),
    path("questionari/nuovo/", views.questionnaire_create, name="questionnaire_create"),
    path("questionari/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionari/<int:pk>/copia/", views.questionnaire_copy, name="questionnaire_copy"),
    path("questionari/<int:pk>/sezioni/", views.section_create, name="section_create"),
    path("sezioni/<int:pk>/elimina/", views.section_delete, name="section_delete"),
    path("sezioni/<int:pk>/domande/nuova/", views.question_create, name="question_create"),
    path("sezioni/<int:pk>/domande/aggiungi/", views.question_add, name="question_add"),
    path("domande/<int:pk>/", views.question_edit, name="question_edit"),
    path("domande/<int:pk>/sposta/", views.question_move, name="question_move"),
    path("domande/<int:pk>/elimina/", views.question_delete, name="question_delete"),
    path("servizi-digitali/", views.service_list, name="service_list"),
    path("servizi-digitali/nuovo/", views.service_create, name="service_create"),
    path("servizi-digitali/<int:pk>/", views.service_detail, name="service_detail"),
]
