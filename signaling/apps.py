from django.apps import AppConfig


class SignalingConfig(AppConfig):
    name = "signaling"
    verbose_name = "Video rooms and signaling"

    def ready(self) -> None:
        from signaling import receivers  # noqa: F401 - connects the signal receivers
