from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.timezones import validate_time_zone


class Clinic(models.Model):
    class PrivateMessages(models.TextChoices):
        ALLOWED = "allowed", "A partner may write privately to the therapist"
        SHARED = "shared", "Every message is shared with both partners"

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    late_cancel_hours = models.PositiveIntegerField(
        default=24, help_text="Cancelling closer to the start than this is a late cancellation."
    )
    late_cancel_fee = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="USD")
    private_messages = models.CharField(
        max_length=10, choices=PrivateMessages.choices, default=PrivateMessages.ALLOWED
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Privacy and security (issue 7)
    session_idle_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Sign people out after this many minutes without activity.",
    )
    record_retention_years = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="How long signed session notes are kept after a client deletes their account.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClinicMembership(models.Model):
    """A person's role in a clinic: admin or therapist. Deactivation keeps the row."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        THERAPIST = "therapist", "Therapist"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinic", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user", "role"], name="one_role_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.clinic}"


class TherapistProfile(models.Model):
    """What couples see in the directory. The therapist's time zone is their account's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist_profile"
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.SET_NULL, null=True, blank=True, related_name="therapists"
    )
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True)
    accepting_new_couples = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return self.user.full_name
