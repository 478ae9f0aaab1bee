from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "casacomuni.inbox"
    label = "inbox"
    verbose_name = "Notifiche"

    def ready(self):
        from casacomuni.inbox import kinds

        kinds.discover()
