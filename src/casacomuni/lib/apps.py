from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "casacomuni.lib"
    label = "lib"
    verbose_name = "Library"
