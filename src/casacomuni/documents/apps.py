from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casacomuni.documents"
    label = "documents"
    verbose_name = "Documenti"
