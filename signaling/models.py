"""Room presence and admission state for video sessions.

Presence lives in the database (not in channel-layer groups, which keep stale members
for a day): each row says which connection currently speaks for a participant and when
it last sent a heartbeat, so every Daphne process sees the same truth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoomParticipant(models.Model):
    """One person's standing in one session's room (one row per booking and user)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ADMITTED = "admitted", _("Admitted")
        REMOVED = "removed", _("Removed")

    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="room_participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_participations"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    # The live connection (empty when nobody is connected for this person).
    peer_id = models.CharField(max_length=32, blank=True, default="")
    channel_name = models.CharField(max_length=200, blank=True, default="")
    resume_token = models.CharField(max_length=64, blank=True, default="")
    # Join order among admitted peers: for each pair the later one (higher seq) offers.
    seq = models.PositiveIntegerField(default=0)
    audio_on = models.BooleanField(default=True)
    video_on = models.BooleanField(default=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="room_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in booking {self.booking_id} ({self.state})"
