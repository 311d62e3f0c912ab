from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling and booking"

    def ready(self) -> None:
        from scheduling.for_therapists import SchedulingBookings
        from therapists.bookings import register

        register(SchedulingBookings())
