from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = _("Therapist notes")

    def ready(self) -> None:
        from notes import receivers  # noqa: F401  (connects the signal receivers)
