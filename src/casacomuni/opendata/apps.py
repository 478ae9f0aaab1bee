from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "casacomuni.opendata"
    label = "opendata"
    verbose_name = "Dati aperti"
