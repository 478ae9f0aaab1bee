from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "casacomuni.experiences"
    label = "experiences"
    verbose_name = "Esperienze e buone pratiche"
