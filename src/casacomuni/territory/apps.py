from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "casacomuni.territory"
    label = "territory"
    verbose_name = "Territorio"
