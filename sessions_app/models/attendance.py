"""Attendance from the video room, reflections, and the record that a session was closed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class Attendance(models.Model):
    """Whether each participant came to a session, recorded from the video room."""

    class Status(models.TextChoices):
        JOINED = "joined", _("Joined")
        LATE = "late", _("Joined late")
        NO_SHOW = "no_show", _("No-show")

    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    first_joined_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="one_attendance_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.status} at {self.booking_id}"


class Reflection(models.Model):
    """A partner's short post-session reflection. Ratings feed the clinic overview."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="reflections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    what_helped = EncryptedTextField(blank=True, default="")
    what_to_work_on = EncryptedTextField(blank=True, default="")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="one_reflection_per_person"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.user} on {self.booking_id}"


# --- After the session -----------------------------------------------------------------


class SessionClosure(models.Model):
    """Marks a session as wrapped up (follow-ups queued, no-shows recorded) exactly once."""

    booking = models.OneToOneField(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="closure"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    ended_by_therapist = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Closure of {self.booking_id}"
