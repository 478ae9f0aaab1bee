from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casacomuni.web"
    label = "web"
    verbose_name = "Interfaccia web"

    def ready(self):
        from casacomuni.web import navigation

        navigation.discover()
