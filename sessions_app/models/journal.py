"""Check-ins before a session, the couple journal with its consent, and goals."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField

# --- Check-ins, journal, goals -------------------------------------------------------------


class CheckIn(models.Model):
    """A partner's private pre-session check-in. Only the therapist ever reads it."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NOT_SURE = "unsure", _("Not sure")
        NO = "no", _("No")

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
        SHARED = "shared", _("Couple journal")
        PRIVATE = "private", _("Private journal")

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
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"{self.kind} entry by {self.author_id}"


class JournalConsent(models.Model):
    """A partner's consent for one named therapist to read the couple journal. That
    therapist reads it only while every current partner consents and the couple is their
    client; consent given to one therapist never passes to another."""

    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.CASCADE, related_name="journal_consents"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True
    )
    therapist_can_read = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "user", "therapist"], name="one_consent_per_partner_therapist"
            )
        ]

    def __str__(self) -> str:
        return f"Journal consent of {self.user_id}"


class Goal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Working on it")
        ACHIEVED = "achieved", _("Achieved")
        ARCHIVED = "archived", _("Set aside")

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
