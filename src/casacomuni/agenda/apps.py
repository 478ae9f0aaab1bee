from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "casacomuni.agenda"
    label = "agenda"
    verbose_name = "Calendario"
