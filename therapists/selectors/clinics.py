"""Reads about clinics, their admins, memberships and the roster change log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User

if TYPE_CHECKING:
    pass
from therapists.models import (
    Clinic,
    ClinicMembership,
    RosterChange,
    TherapistInvitation,
)
from therapists.selectors.clients import _partners

# --- Clinics and admins --------------------------------------------------------


def clinics_administered_by(user: User) -> QuerySet[Clinic]:
    if not user.is_authenticated:
        return Clinic.objects.none()
    return Clinic.objects.filter(
        Exists(
            ClinicMembership.objects.filter(
                clinic=OuterRef("pk"),
                user=user,
                role=ClinicMembership.Role.ADMIN,
                is_active=True,
            )
        )
    )


def is_admin_of(user: User, clinic_id: int | None) -> bool:
    if clinic_id is None or not user.is_authenticated:
        return False
    return ClinicMembership.objects.filter(
        clinic_id=clinic_id, user=user, role=ClinicMembership.Role.ADMIN, is_active=True
    ).exists()


def roster_for_admin(user: User) -> list[ClinicMembership]:
    """Therapist memberships of every clinic ``user`` administers."""
    return list(
        ClinicMembership.objects.filter(
            clinic__in=clinics_administered_by(user), role=ClinicMembership.Role.THERAPIST
        )
        .select_related("user", "clinic", "user__therapist_profile")
        .order_by("clinic__name", "-is_active", "user__full_name")
    )


def membership_for_admin(user: User, membership_id: int) -> ClinicMembership | None:
    """A therapist membership in a clinic ``user`` runs, or None (callers answer 404)."""
    return (
        ClinicMembership.objects.filter(
            pk=membership_id,
            role=ClinicMembership.Role.THERAPIST,
            clinic__in=clinics_administered_by(user),
        )
        .select_related("user", "clinic")
        .first()
    )


def active_therapists_of(clinic: Clinic) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            clinic_memberships__clinic=clinic,
            clinic_memberships__role=ClinicMembership.Role.THERAPIST,
            clinic_memberships__is_active=True,
        ).order_by("full_name")
    )


def roster_changes(clinic_ids: list[int], *, limit: int = 100) -> list[RosterChange]:
    return list(
        RosterChange.objects.filter(clinic_id__in=clinic_ids)
        .select_related("actor", "therapist", "clinic")
        .prefetch_related(_partners("couple__memberships"))[:limit]
    )


def pending_invitations(clinic_ids: list[int], *, now: datetime) -> list[TherapistInvitation]:
    return list(
        TherapistInvitation.objects.filter(
            clinic_id__in=clinic_ids,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).select_related("clinic", "invited_by")
    )
