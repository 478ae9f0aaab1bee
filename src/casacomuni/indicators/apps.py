from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "casacomuni.indicators"
    label = "indicators"
    verbose_name = "Indicatori e cruscotti"
