from django.urls import path

from casacomuni.insights.views import campaigns, digital_services, questionnaires, responses

app_name = "insights"
urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("campagne/nuova/", campaigns.campaign_create, name="campaign_create"),
    path("campagne/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campagne/<int:pk>/risposta/", responses.response_form, name="response_form"),
    path(
        "campagne/<int:pk>/risposta/riapertura/",
        responses.response_request_reopen,
        name="response_request_reopen",
    ),
    path("campagne/<int:pk>/esporta.<str:fmt>", campaigns.campaign_export, name="campaign_export"),
    path("campagne/<int:pk>/<str:action>/", campaigns.campaign_action, name="campaign_action"),
    path("edizioni/", campaigns.editions, name="editions"),
    path("risposte/<int:pk>/", responses.response_detail, name="response_detail"),
    path("risposte/<int:pk>/riapri/", responses.response_reopen, name="response_reopen"),
    path("risposte/<int:pk>/file/<int:question_pk>/", responses.answer_file, name="answer_file"),
    path("questionari/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("questionari/nuovo/", questionnaires.questionnaire_create, name="questionnaire_create"),
    path("questionari/<int:pk>/", questionnaires.questionnaire_detail, name="questionnaire_detail"),
    path("questionari/<int:pk>/copia/", questionnaires.questionnaire_copy, name="questionnaire_copy"),
    path("questionari/<int:pk>/sezioni/", questionnaires.section_create, name="section_create"),
    path("sezioni/<int:pk>/elimina/", questionnaires.section_delete, name="section_delete"),
    path("sezioni/<int:pk>/domande/nuova/", questionnaires.question_create, name="question_create"),
    path("sezioni/<int:pk>/domande/aggiungi/", questionnaires.question_add, name="question_add"),
    path("domande/<int:pk>/", questionnaires.question_edit, name="question_edit"),
    path("domande/<int:pk>/sposta/", questionnaires.question_move, name="question_move"),
    path("domande/<int:pk>/elimina/", questionnaires.question_delete, name="question_delete"),
    path("servizi-digitali/", digital_services.service_list, name="service_list"),
    path("servizi-digitali/nuovo/", digital_services.service_create, name="service_create"),
    path("servizi-digitali/<int:pk>/", digital_services.service_detail, name="service_detail"),
]
