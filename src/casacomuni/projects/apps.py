from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "casacomuni.projects"
    label = "projects"
    verbose_name = "Candidature e progetti finanziati"
