from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "casacomuni.api"
    label = "api"
    verbose_name = "API"
