from django.contrib import admin

from sessions_app.models import Attendance, Reflection


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["booking", "user", "status", "first_joined_at"]
    list_filter = ["status"]
    raw_id_fields = ["booking", "user"]


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    # Free text is health data: the admin shows the rating only.
    list_display = ["booking", "user", "rating", "submitted_at"]
    list_filter = ["rating"]
    fields = ["booking", "user", "rating", "submitted_at"]
    raw_id_fields = ["booking", "user"]
