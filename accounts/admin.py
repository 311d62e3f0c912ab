from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Couple, CoupleMembership, PartnerInvitation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "time_zone", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "display_name", "time_zone", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "time_zone", "password1", "password2"],
            },
        ),
    ]


class MembershipInline(admin.TabularInline):
    model = CoupleMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Couple)
class CoupleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at"]
    search_fields = ["memberships__user__email", "memberships__user__full_name"]
    inlines = [MembershipInline]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "couple", "invited_by", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email"]
    list_filter = ["accepted_at"]
    raw_id_fields = ["couple", "invited_by", "accepted_by"]
