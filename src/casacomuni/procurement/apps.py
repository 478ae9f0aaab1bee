from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "casacomuni.procurement"
    label = "procurement"
    verbose_name = "Stazione Unica Appaltante"

    def ready(self):
        from casacomuni.procurement import checks  # noqa: F401 (registers the start-up checks)
