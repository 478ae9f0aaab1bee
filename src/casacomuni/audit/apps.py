from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casacomuni.audit"
    label = "audit"
    verbose_name = "Registro delle operazioni"

    def ready(self):
        from django.contrib.auth import signals as auth_signals

        from casacomuni.audit import signals

        auth_signals.user_logged_in.connect(signals.on_login, dispatch_uid="audit.login")
        auth_signals.user_logged_out.connect(signals.on_logout, dispatch_uid="audit.logout")
        auth_signals.user_login_failed.connect(signals.on_login_failed, dispatch_uid="audit.login_failed")
