from django.contrib import admin

from therapists.models import Clinic, ClinicMembership, TherapistProfile


class ClinicMembershipInline(admin.TabularInline):
    model = ClinicMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "late_cancel_hours", "late_cancel_fee", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ClinicMembershipInline]


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "clinic"]
    search_fields = ["user__email", "user__full_name", "clinic__name"]
    raw_id_fields = ["user"]


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "accepting_new_couples"]
    list_filter = ["clinic", "accepting_new_couples"]
    search_fields = ["user__email", "user__full_name", "headline"]
    raw_id_fields = ["user"]
