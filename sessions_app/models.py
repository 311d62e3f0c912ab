from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField


class Attendance(models.Model):
    """Whether each participant came to a session, recorded from the video room."""

    class Status(models.TextChoices):
        JOINED = "joined", "Joined"
        LATE = "late", "Joined late"
        NO_SHOW = "no_show", "No-show"

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
        SESSION = "session", "Session reminder"
        HOMEWORK_DUE = "homework_due", "Homework due soon"
        FOLLOW_UP = "follow_up", "After-session follow-up"
        SAFETY_ALERT = "safety_alert", "Check-in needs attention"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed (the moment passed)"
        FAILED = "failed", "Failed"

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
        indexes = [models.Index(fields=["status", "due_at"], name="reminder_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M} UTC"


class Delivery(models.Model):
    """Proof that one reminder went to one person over one channel. The unique
    constraint is what makes a send exactly-once, however often a task retries."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In-app"

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    delivered_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "recipient"], name="one_delivery_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} of {self.reminder_id} to {self.recipient_id}"


class Notification(models.Model):
    """An in-app notification (the bell). Titles never carry health information."""

    class Kind(models.TextChoices):
        BOOKING = "booking", "Booking"
        CHANGE = "change", "Change"
        REMINDER = "reminder", "Reminder"
        HOMEWORK = "homework", "Homework"
        MESSAGE = "message", "Message"
        REFLECTION = "reflection", "Reflection"
        CHECK_IN = "check_in", "Check-in"

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


# --- Homework -------------------------------------------------------------------------


class ExerciseTemplate(models.Model):
    """An exercise in the library. ``clinic`` empty = Duet's built-in library."""

    clinic = models.ForeignKey(
        "therapists.Clinic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercise_templates",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=240)
    instructions = models.TextField()
    suggested_days = models.PositiveSmallIntegerField(default=7)
    suggested_audience = models.CharField(max_length=10, default="both")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="unique_template_per_clinic"),
        ]

    def __str__(self) -> str:
        return self.title


class HomeworkAssignment(models.Model):
    class Audience(models.TextChoices):
        ONE = "one", "One partner"
        BOTH = "both", "Both, separately"
        JOINT = "joint", "Together (joint)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey("accounts.Couple", on_delete=models.CASCADE, related_name="homework")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assigned_homework"
    )
    booking = models.ForeignKey(
        "scheduling.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homework",
    )
    template = models.ForeignKey(
        ExerciseTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=120)
    instructions = EncryptedTextField(blank=True, default="")
    audience = models.CharField(max_length=5, choices=Audience.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only for audience 'one'.",
    )
    due_at = models.DateTimeField()
    reveal_when_both_done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience="one", assignee__isnull=False)
                    | (~models.Q(audience="one") & models.Q(assignee__isnull=True))
                ),
                name="assignee_only_for_one",
            )
        ]

    def __str__(self) -> str:
        return self.title


class HomeworkResponse(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only my therapist"
        SHARED = "shared", "My therapist and my partner"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assignment = models.ForeignKey(
        HomeworkAssignment, on_delete=models.CASCADE, related_name="responses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="homework_responses"
    )
    body = EncryptedTextField(blank=True, default="")
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="one_response_per_partner")
        ]

    def __str__(self) -> str:
        return f"Response by {self.user_id} to {self.assignment_id}"


# --- Check-ins, journal, goals -------------------------------------------------------------


class CheckIn(models.Model):
    """A partner's private pre-session check-in. Only the therapist ever reads it."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NOT_SURE = "unsure", "Not sure"
        NO = "no", "No"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="check_ins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    mood = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    talking_points = EncryptedTextField(blank=True, default="")
    # The safety answers are as sensitive as it gets: encrypted like free text.
    feels_safe = EncryptedTextField()
    can_speak_freely = EncryptedTextField()
    safety_note = EncryptedTextField(blank=True, default="")
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="one_check_in_per_partner"),
            models.CheckConstraint(
                condition=models.Q(mood__gte=1, mood__lte=10), name="mood_1_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in by {self.user_id} for {self.booking_id}"

    @property
    def feels_safe_label(self) -> str:
        return dict(self.Answer.choices).get(self.feels_safe, "")

    @property
    def can_speak_freely_label(self) -> str:
        return dict(self.Answer.choices).get(self.can_speak_freely, "")

    @property
    def is_concerning(self) -> bool:
        return self.feels_safe != self.Answer.YES or self.can_speak_freely != self.Answer.YES


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        SHARED = "shared", "Couple journal"
        PRIVATE = "private", "Private journal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.CASCADE, related_name="journal_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.kind} entry by {self.author_id}"


class JournalConsent(models.Model):
    """A partner's consent for the therapist to read the couple journal. The therapist
    reads it only while every current partner consents."""

    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.CASCADE, related_name="journal_consents"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    therapist_can_read = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple", "user"], name="one_consent_per_partner")
        ]

    def __str__(self) -> str:
        return f"Journal consent of {self.user_id}"


class Goal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        ARCHIVED = "archived", "Set aside"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey("accounts.Couple", on_delete=models.CASCADE, related_name="goals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = EncryptedTextField()
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_0_to_100"
            )
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk}"
