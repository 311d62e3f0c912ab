"""Intake records: a clinic's versioned documents, partners' signatures, emergency
contacts and where each partner sat at each session.

A signature keeps the hash of the exact text signed, so a later edit of the document
(which is a new version) never changes what someone agreed to.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class DocumentKind(models.TextChoices):
    TELEHEALTH_CONSENT = "telehealth_consent", _("Consent to telehealth")
    PRACTICE_POLICIES = "practice_policies", _("Practice policies")
    PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
    CANCELLATION_POLICY = "cancellation_policy", _("Cancellation policy")


class IntakeDocument(models.Model):
    """One of a clinic's documents; its text lives in versions."""

    clinic = models.ForeignKey(
        "therapists.Clinic", on_delete=models.CASCADE, related_name="intake_documents"
    )
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinic", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "kind"], name="one_document_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of clinic {self.clinic_id}"


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the text a person reads; stored with the version and the signature."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class DocumentVersion(models.Model):
    """A published text. The newest version of a document is the one to sign."""

    document = models.ForeignKey(IntakeDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    body = models.TextField(max_length=40_000)
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def audit_clinic_id(self) -> int:
        return self.document.clinic_id

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class Signature(models.Model):
    """A partner's signature of one version. Rows are never edited; a version with a
    signature cannot be deleted (PROTECT), so the record always names real text."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    # Kept when the account is deleted: the record shows the typed name.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="signatures"
    )
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.SET_NULL, null=True, related_name="signatures"
    )
    typed_name = models.CharField(max_length=150)
    signed_on = models.DateField(help_text=_("The date the signer typed."))
    version_hash = models.CharField(max_length=64)
    name_mismatch = models.BooleanField(
        default=False,
        help_text=_("The typed name differs from the account's; the signer confirmed."),
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "signer"], name="one_signature_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.version}"

    def audit_clinic_id(self) -> int:
        return self.version.document.clinic_id


class PartnerSafety(models.Model):
    """A partner's emergency contact (encrypted; the therapist's eyes only) and home place."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_safety"
    )
    contact_name = EncryptedTextField(blank=True, default="")
    contact_relation = EncryptedTextField(blank=True, default="")
    contact_phone = EncryptedTextField(blank=True, default="")
    home_country = models.CharField(max_length=2, blank=True)
    home_region = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Safety details of user {self.user_id}"

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name and self.contact_phone)

    @property
    def home_place(self) -> str:
        return self.home_region or self.home_country


class SessionLocation(models.Model):
    """Where a partner said they were when joining one session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="partner_locations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_locations"
    )
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=8, blank=True)
    # A place in none of the lists, as typed; the therapist sees it flagged.
    free_text = EncryptedTextField(blank=True, default="")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="one_location_per_session")
        ]

    def __str__(self) -> str:
        return f"Location of user {self.user_id} at session {self.booking_id}"

    @property
    def flagged(self) -> bool:
        return bool(self.free_text)

    @property
    def place(self) -> str:
        return self.region or self.country

    def audit_couple_id(self) -> int:
        return self.booking.couple_id
