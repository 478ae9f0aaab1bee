"""The training pages, under /formazione/."""

from django.urls import path

from casacomuni.training.views import (
    catalogue,
    certificates,
    dashboards,
    exports,
    feedback,
    ledger,
    needs,
    paths,
    profiles,
)

app_name = "training"

urlpatterns = [
    # The catalogue, editions, enrolment, the register and the staff.
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
    path("personale/<int:pk>/", profiles.staff_detail, name="staff_detail"),
    # Needs and the plan.
    path("fabbisogni/", needs.needs, name="needs"),
    path("fabbisogni/rilevazioni/<int:campaign_pk>/leggi/", needs.derive_needs, name="derive_needs"),
    path("piani/", needs.plans, name="plans"),
    path("piani/nuovo/", needs.plan_create, name="plan_create"),
    path("piani/<int:pk>/", needs.plan, name="plan"),
    path("piani/<int:pk>/moduli/", needs.plan_add, name="plan_add"),
    # The 40-hour ledger (directive of the Minister for Public Administration of 14 January 2025).
    path("ore/", ledger.organisation_ledger, name="ledger"),
    path("ore/csv/", ledger.ledger_csv, name="ledger_csv"),
    path("ore/xlsx/", ledger.ledger_xlsx, name="ledger_xlsx"),
    path("ore/mie/", ledger.my_hours, name="my_hours"),
    path("ore/importa/", ledger.import_hours, name="import_hours"),
    # Certificates (attestati): the PDF, the public verification, the Open Badges 2.0 hosted documents.
    path("attestati/verifica/", certificates.verify_form, name="certificate_verify_form"),
    path("attestati/verifica/<str:code>/", certificates.verify, name="certificate_verify"),
    path("attestati/<str:code>/attestato.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("attestati/<str:code>/badge.json", certificates.badge_assertion, name="badge_assertion"),
    path("moduli/<int:pk>/badge.json", certificates.badge_class, name="badge_class"),
    path("enti/<int:pk>/issuer.json", certificates.badge_issuer, name="badge_issuer"),
    path("edizioni/<int:pk>/calendario.ics", certificates.edition_calendar, name="edition_calendar"),
    # Dashboards: a Comune's (Unione's), a Province's and UPI's national one, each with its CSV.
    path("cruscotto/ente/", dashboards.comune_dashboard, name="dashboard_comune"),
    path("cruscotto/ente/csv/", dashboards.comune_dashboard_csv, name="dashboard_comune_csv"),
    path("cruscotto/provincia/", dashboards.province_dashboard, name="dashboard_province"),
    path("cruscotto/provincia/csv/", dashboards.province_dashboard_csv, name="dashboard_province_csv"),
    path("cruscotto/nazionale/", dashboards.national_dashboard, name="dashboard_national"),
    path("cruscotto/nazionale/csv/", dashboards.national_dashboard_csv, name="dashboard_national_csv"),
    # The training office's files of an edition, its register and its certificates.
    path("edizioni/<int:pk>/registro.csv", exports.register_csv, name="register_csv"),
    path("edizioni/<int:pk>/registro.xlsx", exports.register_xlsx, name="register_xlsx"),
    path("edizioni/<int:pk>/attestati.csv", exports.completions_csv, name="completions_csv"),
    path("edizioni/<int:pk>/attestati.xlsx", exports.completions_xlsx, name="completions_xlsx"),
    # The final test, the satisfaction questionnaire, the revocation of a certificate.
    path("moduli/<int:pk>/test/", feedback.test_questions, name="test_questions"),
    path("test/domande/<int:pk>/", feedback.test_question_edit, name="test_question_edit"),
    path("test/domande/<int:pk>/elimina/", feedback.test_question_delete, name="test_question_delete"),
    path("edizioni/<int:pk>/test/", feedback.final_test, name="final_test"),
    path("edizioni/<int:pk>/test/seconda-prova/", feedback.test_retry, name="test_retry"),
    path("edizioni/<int:pk>/gradimento/", feedback.satisfaction_form, name="satisfaction"),
    path(
        "edizioni/<int:pk>/gradimento/risultati/", feedback.satisfaction_results, name="satisfaction_results"
    ),
    path("attestati/<str:code>/revoca/", feedback.certificate_revoke, name="certificate_revoke"),
    # Training paths (percorsi formativi): modules of the catalogue in order.
    path("percorsi/", paths.path_list, name="path_list"),
    path("percorsi/nuovo/", paths.path_create, name="path_create"),
    path("percorsi/<int:pk>/", paths.path_detail, name="path_detail"),
    path("percorsi/<int:pk>/modifica/", paths.path_edit, name="path_edit"),
    path("percorsi/<int:pk>/pubblica/", paths.path_publish, name="path_publish"),
    path("percorsi/<int:pk>/ritira/", paths.path_unpublish, name="path_unpublish"),
]
