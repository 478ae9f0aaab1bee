from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "casacomuni.helpdesk"
    label = "helpdesk"
    verbose_name = "Sportello"
