from django.contrib import admin

from sessions_app.models import (
    Attendance,
    Delivery,
    ExerciseTemplate,
    HomeworkAssignment,
    Reflection,
    Reminder,
)


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


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "due_at", "status", "sent_at", "sent_late", "attempts"]
    list_filter = ["kind", "status", "sent_late"]
    search_fields = ["key"]
    raw_id_fields = ["recipient", "booking", "assignment"]
    readonly_fields = ["key", "sent_at", "sent_late", "attempts", "last_error"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["reminder", "channel", "recipient", "status", "delivered_at", "sent_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["reminder", "recipient"]
    # The queued email itself (sealed, and health-adjacent) is never shown.
    exclude = ["payload"]
    readonly_fields = ["message_id", "status", "sent_at", "attempts", "last_error"]


@admin.register(ExerciseTemplate)
class ExerciseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "clinic", "suggested_audience", "is_active"]
    list_filter = ["is_active", "clinic"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(HomeworkAssignment)
class HomeworkAssignmentAdmin(admin.ModelAdmin):
    # Instructions and answers are health data: titles and progress only.
    list_display = ["title", "couple", "therapist", "audience", "due_at", "cancelled_at"]
    fields = ["title", "couple", "therapist", "audience", "due_at", "cancelled_at"]
    readonly_fields = fields
    raw_id_fields = ["couple", "therapist"]
