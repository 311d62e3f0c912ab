from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.timezones import validate_time_zone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        """An operator: Duet's own staff, the only accounts Django admin lets in."""
        fields.update(is_staff=True, is_superuser=True, role=User.Role.OPERATOR)
        fields.setdefault("full_name", "Operator")
        return self._create(email, password, **fields)


def new_slots_version() -> int:
    """A version for cached slot lists: random, never a count, so no value comes back
    with other data after a rollback, a restore from backup or a recreated database
    (while the cache, in Redis, may still hold lists under the old values)."""
    return secrets.randbits(62)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Each partner of a couple has their own account; there is no couple login."""

    class Role(models.TextChoices):
        CLIENT = "client", _("Client")
        THERAPIST = "therapist", _("Therapist")
        CLINIC_ADMIN = "clinic_admin", _("Clinic admin")
        # Runs the service (Django admin); created only by `manage.py create_operator`.
        OPERATOR = "operator", _("Operator")

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("What others in a session see. Defaults to first name."),
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Pages, emails, reminders and calendar files reach this person in this language.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # A therapist's free slots are cached per version: every write to their hours,
    # overrides, time off, session types or bookings replaces it in its transaction.
    slots_version = models.PositiveBigIntegerField(default=new_slots_version, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # Only an operator reaches Django admin: a clinic admin, therapist or client
            # is never staff or superuser, whatever code or form tries to set it.
            models.CheckConstraint(
                condition=Q(role="operator") | Q(is_staff=False, is_superuser=False),
                name="only_operators_are_staff",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def name(self) -> str:
        return self.display_name or (self.full_name.split()[0] if self.full_name else self.email)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def is_therapist(self) -> bool:
        return self.role == self.Role.THERAPIST

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == self.Role.CLINIC_ADMIN

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.name


class Couple(models.Model):
    """Two partners in therapy together. History stays when a partner leaves."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Cached slots are keyed on it too: the partners' windows and the couple's
    # bookings replace it in the writing transaction (scheduling.services.versions).
    slots_version = models.PositiveBigIntegerField(default=new_slots_version, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        names = " & ".join(m.user.name for m in self.active_memberships())
        return names or gettext("Couple #%(number)s") % {"number": self.pk}

    def active_memberships(self):
        return [m for m in self.memberships.all() if m.left_at is None]

    @property
    def partners(self) -> list[User]:
        return [m.user for m in self.active_memberships()]

    def partner_of(self, user: User) -> User | None:
        return next((p for p in self.partners if p.pk != user.pk), None)


class CoupleMembership(models.Model):
    """A person's place in a couple. ``seat`` 1 or 2 makes a third partner impossible."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="couple_memberships"
    )
    seat = models.PositiveSmallIntegerField(choices=[(1, "1"), (2, "2")])
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(left_at__isnull=True),
                name="one_active_couple_per_user",
            ),
            models.UniqueConstraint(
                fields=["couple", "seat"],
                condition=Q(left_at__isnull=True),
                name="two_seats_per_couple",
            ),
            models.CheckConstraint(condition=Q(seat__in=[1, 2]), name="seat_is_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.couple_id}"


class Invitation(models.Model):
    """An emailed, signed, expiring, single-use link (base of partner and therapist invitations).

    ``link_kind`` salts the link's signature and names the logical email; ``link_url``
    is the page the link opens. Each concrete invitation declares its own ``invited_by``:
    a partner's invitation goes with the partner's account, a clinic's outlives its admin.
    """

    link_kind: str = ""
    link_url: str = ""

    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class PartnerInvitation(Invitation):
    """An invitation to join a couple, sent by its first partner."""

    link_kind = "partner"
    link_url = "accounts:invitation"

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"Invitation of {self.email} to couple {self.couple_id}"


# Security models (2FA, throttling, sessions) live in their own module.
from accounts.security_models import (  # noqa: E402
    AuthFailure,
    RecoveryCode,
    TotpDevice,
    UserSession,
)

__all__ = [
    "AuthFailure",
    "Couple",
    "CoupleMembership",
    "Invitation",
    "PartnerInvitation",
    "RecoveryCode",
    "TotpDevice",
    "User",
    "UserSession",
]
