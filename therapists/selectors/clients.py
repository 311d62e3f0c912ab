"""THE clients rule (who a therapist's clients are), couples and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Couple, CoupleMembership, User
from therapists.bookings import bookings

if TYPE_CHECKING:
    from scheduling.models import Booking
from therapists.models import (
    Clinic,
    CoupleAssignment,
)

# --- Couples, clients and assignments --------------------------------------------


def _partners(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=CoupleMembership.objects.select_related("user"))


def current_assignment(couple: Couple) -> CoupleAssignment | None:
    """The couple's assignment that has not ended, if any."""
    return (
        CoupleAssignment.objects.filter(couple=couple, ended_at__isnull=True)
        .select_related("therapist", "clinic")
        .first()
    )


def therapist_clients(therapist: User) -> list[Couple]:
    """THE rule for who a therapist's clients are; every page and permission asks here.

    A couple is a therapist's client while it is assigned to them (an assignment that
    has not ended) or has a session with them that is booked, took place or was
    cancelled late. A hold or a cancelled-only booking gives no access to the couple's
    shared writing.
    """
    return list(
        therapist_clients_qs(therapist)
        .annotate(
            is_assigned=Exists(
                CoupleAssignment.objects.filter(
                    couple=OuterRef("pk"), therapist=therapist, ended_at__isnull=True
                )
            )
        )
        .prefetch_related(_partners("memberships"))
        .order_by("-is_assigned", "-created_at")
    )


def _care(**match: object) -> Q:
    """The clients rule as one condition, matched on therapist and couple references."""
    source = bookings()
    booked = source.model.objects.filter(status__in=source.care_statuses, **match)
    assigned = CoupleAssignment.objects.filter(ended_at__isnull=True, **match)
    return Q(Exists(booked)) | Q(Exists(assigned))


def therapist_clients_qs(therapist: User) -> QuerySet[Couple]:
    """``therapist_clients`` as a queryset, for checks and joins."""
    return Couple.objects.filter(_care(couple=OuterRef("pk"), therapist=therapist))


def couple_therapists(couple: Couple) -> list[User]:
    """The therapists ``couple`` is a client of (the same rule, from the couple's side)."""
    return list(User.objects.filter(_care(couple=couple, therapist=OuterRef("pk"))))


def clinic_of_care(therapist: User, couple: Couple) -> Clinic | None:
    """The clinic under which ``therapist`` treats ``couple``: the assignment's, else the
    latest session's."""
    assignment = (
        CoupleAssignment.objects.filter(therapist=therapist, couple=couple, ended_at__isnull=True)
        .select_related("clinic")
        .first()
    )
    if assignment is not None:
        return assignment.clinic
    source = bookings()
    booking = (
        source.model.objects.filter(
            therapist=therapist, couple=couple, status__in=source.care_statuses
        )
        .select_related("clinic")
        .order_by("starts_at")
        .last()
    )
    return booking.clinic if booking is not None else None


def is_client_of(therapist: User, couple_id: int) -> bool:
    """One query: is ``couple_id`` one of ``therapist``'s clients?"""
    if not getattr(therapist, "is_therapist", False):
        return False
    return therapist_clients_qs(therapist).filter(pk=couple_id).exists()


def clinic_couples(clinic: Clinic) -> list[Couple]:
    """Couples the clinic already knows: they booked one of its sessions or were assigned."""
    booked = bookings().model.objects.filter(couple=OuterRef("pk"), clinic=clinic)
    assigned = CoupleAssignment.objects.filter(couple=OuterRef("pk"), clinic=clinic)
    current = CoupleAssignment.objects.filter(couple=OuterRef("pk"), ended_at__isnull=True)
    return list(
        Couple.objects.filter(Exists(booked) | Exists(assigned))
        .prefetch_related(
            _partners("memberships"),
            Prefetch(
                "therapist_assignments",
                queryset=CoupleAssignment.objects.filter(ended_at__isnull=True).select_related(
                    "therapist"
                ),
                to_attr="current_assignments",
            ),
        )
        .annotate(has_therapist=Exists(current))
        .order_by("has_therapist", "-created_at")
    )


def assignment_history(
    clinic_ids: list[int], *, couple_id: int | None = None
) -> list[CoupleAssignment]:
    qs = CoupleAssignment.objects.filter(clinic_id__in=clinic_ids)
    if couple_id is not None:
        qs = qs.filter(couple_id=couple_id)
    return list(
        qs.select_related("therapist", "assigned_by", "ended_by").prefetch_related(
            _partners("couple__memberships")
        )
    )


def future_sessions_of(therapist: User, *, now: datetime) -> list[Booking]:
    """Sessions still ahead for ``therapist``; listed for reassignment when they leave."""
    source = bookings()
    return list(
        source.model.objects.filter(
            therapist=therapist, status__in=source.upcoming_statuses, starts_at__gt=now
        )
        .exclude(status=source.held_status, hold_expires_at__lte=now)
        .prefetch_related(_partners("couple__memberships"))
        .order_by("starts_at")
    )
