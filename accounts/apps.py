from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and couples"

    def ready(self) -> None:
        from accounts import receivers

        receivers.connect_roster_signals()
