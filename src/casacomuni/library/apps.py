from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "casacomuni.library"
    label = "library"
    verbose_name = "Biblioteca dei modelli"
