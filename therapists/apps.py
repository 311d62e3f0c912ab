from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"
    verbose_name = "Therapists and clinics"

    def ready(self) -> None:
        from core.audit import register_actor_clinic
        from therapists.selectors import active_clinic_id_of

        register_actor_clinic(active_clinic_id_of)
