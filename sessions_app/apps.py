from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    label = "sessions_app"
    verbose_name = "Therapy sessions"

    def ready(self) -> None:
        from sessions_app import receivers  # noqa: F401  (connects the signal receivers)
