"""Models for account security: 2FA devices, recovery codes, login throttling and
sessions. Imported by ``accounts.models`` so Django finds them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from core.fields import EncryptedTextField


class TotpDevice(Device):
    """An authenticator app. Unlike django-otp's stock TOTPDevice, the secret is encrypted
    at rest (EncryptedTextField, bound to this row) instead of stored as plain hex."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    secret = EncryptedTextField(help_text="Hex-encoded shared secret.")
    last_t = models.BigIntegerField(
        default=-1, help_text="Time step of the last accepted code; older or equal are replays."
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(confirmed=True), name="one_confirmed_totp"
            )
        ]


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost. Only a keyed hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")
        ]

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id} ({'used' if self.used_at else 'unused'})"


class AuthFailure(models.Model):
    """One failed login or second-factor attempt, for throttling. Holds no password and
    only a keyed hash of the email typed, so the table reveals no account names."""

    account_key = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Failed sign-in at {self.at:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """Which session keys belong to whom, so all of a person's sessions can be ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
