from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casacomuni.audit"
    label = "audit"
    verbose_name = "Registro delle operazioni"
