from django.contrib import admin

from scheduling.models import Booking
from scheduling.services import slots_versions_bump


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["pk", "therapist", "couple", "starts_at", "ends_at", "status", "format"]
    list_filter = ["status", "format", "clinic"]
    search_fields = ["therapist__email", "couple__memberships__user__email"]
    raw_id_fields = ["therapist", "couple", "booked_by"]
    date_hierarchy = "starts_at"

    # An operator's edit goes around the services: it still invalidates cached slots,
    # of the old and the new therapist and couple (admin wraps it in one transaction).
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        slots_versions_bump(
            therapist_ids={obj.therapist_id, *_initial_pk(form, "therapist")},
            couple_ids={obj.couple_id, *_initial_pk(form, "couple")},
        )

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        slots_versions_bump(therapist_id=obj.therapist_id, couple_id=obj.couple_id)

    def delete_queryset(self, request, queryset) -> None:
        pairs = list(queryset.values_list("therapist_id", "couple_id"))
        super().delete_queryset(request, queryset)
        slots_versions_bump(therapist_ids={t for t, _c in pairs}, couple_ids={c for _t, c in pairs})


def _initial_pk(form, name: str) -> list[int]:
    value = form.initial.get(name)
    return [getattr(value, "pk", value)] if value else []
