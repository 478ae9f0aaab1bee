from django.apps import AppConfig


class EufundsConfig(AppConfig):
    name = "casacomuni.eufunds"
    label = "eufunds"
    verbose_name = "Servizio Associato Politiche Europee"
