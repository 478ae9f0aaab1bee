from django.urls import path

from casacomuni.training.views import ledger

app_name = "training"

urlpatterns = [
    path("ore/", ledger.organisation_ledger, name="ledger"),
    path("ore/csv/", ledger.ledger_csv, name="ledger_csv"),
    path("ore/xlsx/", ledger.ledger_xlsx, name="ledger_xlsx"),
    path("ore/mie/", ledger.my_hours, name="my_hours"),
    path("ore/importa/", ledger.import_hours, name="import_hours"),
]
