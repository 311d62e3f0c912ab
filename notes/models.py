"""Therapist session notes: private to their author, encrypted, signed then locked.

A clinic admin can read a note only through an emergency-access grant ("break the
glass") that records a reason and expires; every read is in the audit log.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField

TEMPLATES: dict[str, list[tuple[str, Promise]]] = {
    "soap": [
        ("subjective", _("Subjective")),
        ("objective", _("Objective")),
        ("assessment", _("Assessment")),
        ("plan", _("Plan")),
    ],
    "dap": [("data", _("Data")), ("assessment", _("Assessment")), ("plan", _("Plan"))],
    "free": [("note", _("Note"))],
}


class SessionNote(models.Model):
    # The clinic's record: account deletion anonymizes, never removes (accounts.signals).
    retained_on_account_deletion = True

    class Template(models.TextChoices):
        SOAP = "soap", _("SOAP (subjective, objective, assessment, plan)")
        DAP = "dap", _("DAP (data, assessment, plan)")
        FREE = "free", _("Free text")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes"
    )
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.PROTECT, related_name="session_notes"
    )
    clinic = models.ForeignKey(
        "therapists.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_notes",
    )
    booking = models.ForeignKey(
        "scheduling.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_notes",
    )
    template = models.CharField(max_length=10, choices=Template.choices, default=Template.SOAP)
    content = EncryptedTextField(default="{}", help_text=_("JSON: section name → text."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["therapist", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", signed_at__isnull=True)
                | models.Q(status="signed", signed_at__isnull=False),
                name="signed_note_has_signed_at",
            )
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def sections(self) -> list[tuple[str, Promise, str]]:
        """(key, label, text) for each section of this note's template."""
        try:
            values = json.loads(self.content or "{}")
        except ValueError:
            values = {}
        return [(key, label, values.get(key, "")) for key, label in TEMPLATES[self.template]]

    def set_sections(self, values: dict[str, str]) -> None:
        keys = [key for key, _label in TEMPLATES[self.template]]
        self.content = json.dumps({k: str(values.get(k, "")) for k in keys})


class NoteAddendum(models.Model):
    """A later correction or addition to a signed note; the note itself never changes."""

    # The clinic's record: account deletion anonymizes, never removes (accounts.signals).
    retained_on_account_deletion = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="note_addenda"
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Addendum to {self.note_id}"

    def audit_clinic_id(self) -> int | None:
        return self.note.clinic_id

    def audit_couple_id(self) -> int | None:
        return self.note.couple_id


class EmergencyAccess(models.Model):
    """A clinic admin's time-limited access to one note, with the reason they gave."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="emergency")
    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = EncryptedTextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Emergency access to {self.note_id} by {self.admin_id}"

    def audit_clinic_id(self) -> int | None:
        return self.note.clinic_id
