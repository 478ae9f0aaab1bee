from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "casacomuni.procurement"
    label = "procurement"
    verbose_name = "Stazione Unica Appaltante"
