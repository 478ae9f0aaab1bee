from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "casacomuni.agreements"
    label = "agreements"
    verbose_name = "Convenzioni"
