from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casacomuni.accounts"
    label = "accounts"
    verbose_name = "Enti e utenti"
