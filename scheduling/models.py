from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def new_room_id() -> str:
    return secrets.token_urlsafe(18)


class Booking(models.Model):
    """One therapy session on the calendar: a therapist and a couple, in UTC."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        LATE_CANCELLED = "late_cancelled", "Late cancelled"
        COMPLETED = "completed", "Completed"

    class Format(models.TextChoices):
        VIDEO = "video", "Video"
        IN_PERSON = "in_person", "In person"

    ACTIVE_STATUSES = (Status.HELD, Status.CONFIRMED, Status.COMPLETED)

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist_bookings"
    )
    couple = models.ForeignKey("accounts.Couple", on_delete=models.PROTECT, related_name="bookings")
    clinic = models.ForeignKey(
        "therapists.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.VIDEO)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    room_id = models.CharField(max_length=32, unique=True, default=new_room_id, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When the therapist ended it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["therapist", "starts_at"]),
            models.Index(fields=["couple", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
