"""The exercise library, homework assignments and each partner's answer."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from sessions_app.exercise_library import library_text

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
        return self.display_title

    # Duet's built-in exercises read in the reader's language; a clinic's own as written.
    @property
    def display_title(self) -> str:
        return library_text(self.title) if self.clinic_id is None else self.title

    @property
    def display_summary(self) -> str:
        return library_text(self.summary) if self.clinic_id is None else self.summary

    @property
    def display_instructions(self) -> str:
        return library_text(self.instructions) if self.clinic_id is None else self.instructions


class HomeworkAssignment(models.Model):
    class Audience(models.TextChoices):
        ONE = "one", _("One partner")
        BOTH = "both", _("Both, separately")
        JOINT = "joint", _("Together (joint)")

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
    title = EncryptedTextField()
    instructions = EncryptedTextField(blank=True, default="")
    audience = models.CharField(max_length=5, choices=Audience.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for audience 'one'."),
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

    # Copied from a built-in exercise unchanged: shown in the reader's language.
    @property
    def display_title(self) -> str:
        return library_text(self.title) if self.template_id is not None else self.title

    @property
    def display_instructions(self) -> str:
        if self.template_id is None:
            return self.instructions
        return library_text(self.instructions)


class HomeworkResponse(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only my therapist")
        SHARED = "shared", _("My therapist and my partner")

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
