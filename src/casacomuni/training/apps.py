from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "casacomuni.training"
    label = "training"
    verbose_name = "Formazione"
