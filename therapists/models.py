from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Invitation
from accounts.timezones import validate_time_zone
from core.fields import EncryptedTextField
from therapists import catalog


class Clinic(models.Model):
    class PrivateMessages(models.TextChoices):
        ALLOWED = "allowed", gettext_lazy("A partner may write privately to the therapist")
        SHARED = "shared", gettext_lazy("Every message is shared with both partners")

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    late_cancel_hours = models.PositiveIntegerField(
        default=24,
        help_text=gettext_lazy("Cancelling closer to the start than this is a late cancellation."),
    )
    late_cancel_fee = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="USD")
    private_messages = models.CharField(
        max_length=10, choices=PrivateMessages.choices, default=PrivateMessages.ALLOWED
    )
    serves_outside_license = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "List this clinic's therapists for couples living outside the places they are "
            "licensed in (for example coaching, or where the law allows it)."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Privacy and security
    session_idle_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy("Sign people out after this many minutes without activity."),
    )
    record_retention_years = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy(
            "How long signed session notes are kept after a client deletes their account."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClinicMembership(models.Model):
    """A person's role in a clinic: admin or therapist. Deactivation keeps the row."""

    class Role(models.TextChoices):
        ADMIN = "admin", gettext_lazy("Admin")
        THERAPIST = "therapist", gettext_lazy("Therapist")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    weekly_hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(80)],
        help_text=gettext_lazy(
            "Clinical hours per week agreed with the clinic; the base of utilization."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinic", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user", "role"], name="one_role_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.clinic}"


TITLES = {"dr", "prof", "mr", "mrs", "ms", "mx"}


class TherapistProfile(models.Model):
    """What couples see in the directory. The therapist's time zone is their account's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist_profile"
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.SET_NULL, null=True, blank=True, related_name="therapists"
    )
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True, max_length=4000)
    photo = models.ImageField(upload_to="therapists/photos/", blank=True)
    office_address = models.TextField(
        blank=True, max_length=400, help_text=gettext_lazy("Where in-person sessions take place.")
    )
    fee = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=gettext_lazy("Fee per session."),
    )
    currency = models.CharField(max_length=3, default="USD")
    years_in_practice = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    accepting_new_couples = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__full_name"]
        indexes = [models.Index(fields=["fee"])]

    def __str__(self) -> str:
        return self.user.full_name

    def _codes(self, kind: str) -> list[str]:
        # Reads the prefetched facets, so a page of profiles costs one query for all.
        return [f.code for f in self.facets.all() if f.kind == kind]

    def _labelled(self, kind: str) -> list[tuple[str, str]]:
        return [(code, catalog.label(kind, code)) for code in self._codes(kind)]

    @property
    def specialties(self) -> list[tuple[str, str]]:
        return self._labelled(ProfileFacet.Kind.SPECIALTY)

    @property
    def approaches(self) -> list[tuple[str, str]]:
        return self._labelled(ProfileFacet.Kind.APPROACH)

    @property
    def languages(self) -> list[tuple[str, str]]:
        return self._labelled(ProfileFacet.Kind.LANGUAGE)

    @property
    def jurisdictions(self) -> list[tuple[str, str]]:
        return self._labelled(ProfileFacet.Kind.JURISDICTION)

    @property
    def formats(self) -> list[tuple[str, str]]:
        return self._labelled(ProfileFacet.Kind.FORMAT)

    @property
    def initial(self) -> str:
        # "Dr. Elena Hale" -> "E": a title is not a person.
        words = [w for w in self.user.full_name.split() if w.rstrip(".").lower() not in TITLES]
        return (words[0][:1] if words else self.user.name[:1]).upper()

    @property
    def offers_in_person(self) -> bool:
        return any(code in ("in_person", "hybrid") for code, _ in self.formats)


class ProfileFacet(models.Model):
    """One searchable trait of a profile (a language, a licence, a specialty...).

    Rows rather than a JSON list: the directory filters with ``EXISTS`` on an
    index, the same way on PostgreSQL and SQLite.
    """

    class Kind(models.TextChoices):
        SPECIALTY = "specialty", gettext_lazy("Specialty")
        APPROACH = "approach", gettext_lazy("Approach")
        LANGUAGE = "language", gettext_lazy("Language")
        JURISDICTION = "jurisdiction", gettext_lazy("Licensed in")
        FORMAT = "format", gettext_lazy("Format")

    profile = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(max_length=16)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "code"], name="one_facet_per_code")
        ]
        indexes = [models.Index(fields=["kind", "code", "profile"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {catalog.label(self.kind, self.code)}"


class TherapistInvitation(Invitation):
    """A clinic admin's invitation to join the clinic as a therapist."""

    link_kind = "therapist"
    link_url = "therapists:join"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    full_name = models.CharField(max_length=150, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.clinic}"


class CoupleAssignment(models.Model):
    """A couple's therapist over a period. Transfers end one row and open the next."""

    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.CASCADE, related_name="therapist_assignments"
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="couple_assignments"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="assignments")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The assignment's id is given by the database; the note is sealed to this instead.
    record_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = EncryptedTextField(
        blank=True,
        default="",
        identity_field="record_key",
        help_text=gettext_lazy("Note for the record."),
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple"],
                condition=Q(ended_at__isnull=True),
                name="one_current_therapist_per_couple",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["therapist", "ended_at"])]

    def __str__(self) -> str:
        return f"Couple {self.couple_id} with {self.therapist}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The roster change log is append-only.")

    def delete(self):
        raise TypeError("The roster change log is append-only.")


class RosterChange(models.Model):
    """Who changed the roster, what, and when. Rows are written once and never edited."""

    class Action(models.TextChoices):
        INVITED = "invited", gettext_lazy("Invited a therapist")
        JOINED = "joined", gettext_lazy("Therapist joined")
        DEACTIVATED = "deactivated", gettext_lazy("Deactivated a therapist")
        REACTIVATED = "reactivated", gettext_lazy("Reactivated a therapist")
        ASSIGNED = "assigned", gettext_lazy("Assigned a couple")
        TRANSFERRED = "transferred", gettext_lazy("Transferred a couple")
        HOURS_CHANGED = "hours_changed", gettext_lazy("Changed weekly hours")
        PROFILE_EDITED = "profile_edited", gettext_lazy("Edited a profile")
        SETTINGS_CHANGED = "settings_changed", gettext_lazy("Changed clinic settings")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="roster_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("The roster change log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The roster change log is append-only.")
