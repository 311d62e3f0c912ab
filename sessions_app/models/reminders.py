"""Reminder preferences, reminders, their deliveries and in-app notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Reminders and delivery ----------------------------------------------------------


def default_offsets() -> list[int]:
    return [24 * 60, 60]


class ReminderPreference(models.Model):
    """How one person wants to be reminded. No row means the clinic defaults (24 h, 1 h)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField(default=True)
    # Minutes before the session; whole days are kept as wall-clock days in the
    # recipient's zone (see services.reminder_due_at).
    offsets_minutes = models.JSONField(default=default_offsets)
    email = models.BooleanField(default=True)
    homework_reminders = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminder preferences of {self.user}"


class Reminder(models.Model):
    """Something to tell someone at a moment: the outbox the dispatcher drains.

    Never a Celery ETA/countdown: on a Redis broker those are redelivered after the
    visibility timeout and send twice. Rows are claimed with ``SELECT ... FOR UPDATE
    SKIP LOCKED`` and marked in the same transaction as their delivery records.
    """

    class Kind(models.TextChoices):
        SESSION = "session", _("Session reminder")
        HOMEWORK_DUE = "homework_due", _("Homework due soon")
        FOLLOW_UP = "follow_up", _("After-session follow-up")
        SAFETY_ALERT = "safety_alert", _("Check-in needs attention")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed (the moment passed)")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    booking = models.ForeignKey(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    assignment = models.ForeignKey(
        "sessions_app.HomeworkAssignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    session_starts_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_late = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The dispatcher's claim (ORDER BY due_at, id ... FOR UPDATE SKIP LOCKED)
            # walks only pending rows: sent history never slows it down.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="reminder_pending_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M} UTC"


class Delivery(models.Model):
    """One reminder to one person over one channel, and the outbox of its email.

    The unique constraint makes a delivery exactly-once however often a task retries.
    The dispatcher commits a batch's rendered emails here as ``queued`` rows (the
    message sealed in ``payload``); a sender then sends them in small groups and marks
    them ``sent``, so mail is never sent inside the claim transaction and a crash
    re-sends at most one group, with the same Message-IDs.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # When the dispatcher committed the delivery (queued it, or showed it in-app).
    delivered_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    # When the mail server accepted the email (lateness is measured to here).
    sent_at = models.DateTimeField(null=True, blank=True)
    # The rendered email, encrypted (it names people and times); emptied once sent.
    payload = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "recipient"], name="one_delivery_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(status="queued"), name="delivery_queued_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} of {self.reminder_id} to {self.recipient_id}"


class Notification(models.Model):
    """An in-app notification (the bell). Titles never carry health information."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        CHANGE = "change", _("Change")
        REMINDER = "reminder", _("Reminder")
        HOMEWORK = "homework", _("Homework")
        MESSAGE = "message", _("Message")
        REFLECTION = "reflection", _("Reflection")
        CHECK_IN = "check_in", _("Check-in")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True, default="")
    # Makes a notification idempotent when a signal or task runs twice.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"
