"""Reads for therapists, clinics and rosters."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from therapists.models import Clinic, ClinicMembership, TherapistProfile


def clinics_administered_by(user: User) -> QuerySet[Clinic]:
    return Clinic.objects.filter(
        memberships__user=user,
        memberships__role=ClinicMembership.Role.ADMIN,
        memberships__is_active=True,
    ).distinct()


def roster_for_admin(user: User) -> list[ClinicMembership]:
    """Therapist memberships of every clinic ``user`` administers."""
    return list(
        ClinicMembership.objects.filter(
            clinic__in=clinics_administered_by(user), role=ClinicMembership.Role.THERAPIST
        )
        .select_related("user", "clinic", "user__therapist_profile")
        .order_by("clinic__name", "-is_active", "user__full_name")
    )


def public_profiles() -> QuerySet[TherapistProfile]:
    """Profiles couples may see: therapists whose clinic membership is active."""
    return (
        TherapistProfile.objects.filter(
            user__is_active=True,
            user__clinic_memberships__role=ClinicMembership.Role.THERAPIST,
            user__clinic_memberships__is_active=True,
        )
        .select_related("user", "clinic")
        .distinct()
        .order_by("user__full_name")
    )
