from django.contrib import admin

from scheduling.models import Booking


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["pk", "therapist", "couple", "starts_at", "ends_at", "status", "format"]
    list_filter = ["status", "format", "clinic"]
    search_fields = ["therapist__email", "couple__memberships__user__email"]
    raw_id_fields = ["therapist", "couple", "booked_by"]
    date_hierarchy = "starts_at"
