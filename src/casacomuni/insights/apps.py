from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "casacomuni.insights"
    label = "insights"
    verbose_name = "Raccolta dati dai Comuni"
