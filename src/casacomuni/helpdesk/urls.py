from django.urls import path

from casacomuni.helpdesk.views import faq, office, requests

app_name = "helpdesk"

urlpatterns = [
    path("", requests.request_list, name="list"),
    path("nuova/", requests.request_create, name="create"),
    path("<int:pk>/", requests.request_detail, name="detail"),
    path("<int:pk>/allegati/<int:attachment_pk>/", requests.attachment_download, name="attachment"),
    path("<int:pk>/faq/", faq.faq_from_request, name="faq_from_request"),
    # After the fixed paths above: a step's slug would otherwise take "faq".
    path("<int:pk>/<slug:step>/", requests.request_step, name="step"),
    path("faq/", faq.faq_list, name="faq"),
    path("faq/<int:pk>/", faq.faq_edit, name="faq_edit"),
    path("indicatori/", office.office_kpis, name="kpis"),
    path("categorie/", office.category_list, name="categories"),
    path("categorie/<int:pk>/", office.category_edit, name="category_edit"),
]
