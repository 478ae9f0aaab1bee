from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "casacomuni.demo"
    label = "demo"
    verbose_name = "Dati dimostrativi"
