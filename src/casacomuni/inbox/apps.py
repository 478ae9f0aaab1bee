from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "casacomuni.inbox"
    label = "inbox"
    verbose_name = "Notifiche"
