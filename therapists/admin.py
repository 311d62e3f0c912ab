from django.contrib import admin
from django.utils.html import format_html

from therapists.models import (
    Clinic,
    ClinicMembership,
    CoupleAssignment,
    ProfileFacet,
    RosterChange,
    TherapistInvitation,
    TherapistProfile,
)


class ClinicMembershipInline(admin.TabularInline):
    model = ClinicMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "time_zone",
        "late_cancel_hours",
        "late_cancel_fee",
        "currency",
        "private_messages",
        "serves_outside_license",
    ]
    list_filter = ["private_messages", "serves_outside_license", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ClinicMembershipInline]


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "is_active", "weekly_hours", "created_at"]
    list_filter = ["role", "is_active", "clinic"]
    search_fields = ["user__email", "user__full_name", "clinic__name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "clinic"]


class ProfileFacetInline(admin.TabularInline):
    model = ProfileFacet
    extra = 0


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "user",
        "clinic",
        "fee",
        "currency",
        "years_in_practice",
        "accepting_new_couples",
        "updated_at",
    ]
    list_display_links = ["thumbnail", "user"]
    list_filter = ["clinic", "accepting_new_couples", "currency"]
    search_fields = ["user__email", "user__full_name", "headline", "bio"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "clinic"]
    inlines = [ProfileFacetInline]

    @admin.display(description="Photo")
    def thumbnail(self, obj: TherapistProfile) -> str:
        if not obj.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="32" height="32" style="border-radius:50%">', obj.photo.url
        )


@admin.register(ProfileFacet)
class ProfileFacetAdmin(admin.ModelAdmin):
    list_display = ["profile", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["code", "profile__user__full_name", "profile__user__email"]
    raw_id_fields = ["profile"]


@admin.register(TherapistInvitation)
class TherapistInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "clinic",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["clinic", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "full_name", "clinic__name"]
    raw_id_fields = ["invited_by", "accepted_by"]
    date_hierarchy = "created_at"


@admin.register(CoupleAssignment)
class CoupleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["couple", "therapist", "clinic", "started_at", "ended_at", "assigned_by"]
    list_filter = ["clinic", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "therapist__full_name",
        "therapist__email",
        "couple__memberships__user__email",
        "note",
    ]
    raw_id_fields = ["couple", "therapist", "assigned_by", "ended_by"]
    date_hierarchy = "started_at"


@admin.register(RosterChange)
class RosterChangeAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, so staff can read it but not rewrite history."""

    list_display = ["at", "clinic", "actor", "action", "summary"]
    list_filter = ["action", "clinic"]
    search_fields = ["summary", "actor__email", "therapist__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
