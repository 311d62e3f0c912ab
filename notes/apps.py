from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Therapist notes"

    def ready(self) -> None:
        from notes import receivers  # noqa: F401  (connects the signal receivers)
