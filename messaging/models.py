"""Secure messages between a couple and their therapist.

A *shared* thread is read by both partners and the therapist. A *private* thread is one
partner and the therapist only, and exists only where the clinic allows it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class Thread(models.Model):
    class Kind(models.TextChoices):
        SHARED = "shared", _("Shared with both partners")
        PRIVATE = "private", _("Private to one partner")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.PROTECT, related_name="message_threads"
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist_threads"
    )
    clinic = models.ForeignKey(
        "therapists.Clinic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="message_threads",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHARED)
    private_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_threads",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "therapist"],
                condition=Q(kind="shared"),
                name="one_shared_thread",
            ),
            models.UniqueConstraint(
                fields=["couple", "therapist", "private_partner"],
                condition=Q(kind="private"),
                name="one_private_thread_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(kind="shared", private_partner__isnull=True)
                | Q(kind="private", private_partner__isnull=False),
                name="private_thread_names_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} thread {self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("messaging:thread", args=[self.pk])

    @property
    def is_private(self) -> bool:
        return self.kind == self.Kind.PRIVATE

    def participants(self) -> list:
        """Everyone who can read this thread now."""
        people = [self.therapist]
        if self.is_private:
            if self.couple.memberships.filter(
                user_id=self.private_partner_id, left_at__isnull=True
            ).exists():
                people.append(self.private_partner)
        else:
            people.extend(self.couple.partners)
        return people


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_written"
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.thread_id}"

    def audit_clinic_id(self) -> int | None:
        return self.thread.clinic_id

    def audit_couple_id(self) -> int | None:
        return self.thread.couple_id

    @classmethod
    def export_queryset(cls, user):
        """For "download my data": messages written and messages received."""
        from messaging.selectors import threads_for_user

        return cls.objects.filter(thread__in=threads_for_user(user))


class ThreadReadState(models.Model):
    """Up to when a person has read a thread (for unread counts)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads"
    )
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="one_read_state_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} until {self.last_read_at:%Y-%m-%d %H:%M}"
