"""Reads of check-ins before a session and reflections after it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Avg

from accounts.models import Couple, User
from scheduling.models import Booking
from sessions_app.models import CheckIn, Reflection
from sessions_app.selectors._common import audited


def own_check_in(user: User, booking: Booking) -> CheckIn | None:
    return audited(user, CheckIn.objects.filter(booking=booking, user=user).first())


def own_check_ins(user: User, bookings: list[Booking]) -> dict[int, CheckIn]:
    """This partner's check-ins for ``bookings``, by booking id, in one query."""
    found = list(CheckIn.objects.filter(booking__in=bookings, user=user))
    return {c.booking_id: c for c in audited(user, found)}


def check_ins_for_therapist(therapist: User, booking: Booking) -> list[CheckIn]:
    if booking.therapist_id != therapist.pk:
        return []
    return audited(therapist, list(CheckIn.objects.filter(booking=booking).select_related("user")))


def own_reflection(user: User, booking: Booking) -> Reflection | None:
    return audited(user, Reflection.objects.filter(booking=booking, user=user).first())


def reflections_due_for(user: User, couple: Couple, *, now: datetime) -> list[Booking]:
    """Sessions in the last two weeks that are over and this partner has not reflected on."""
    return list(
        Booking.objects.filter(
            couple=couple,
            closure__isnull=False,
            starts_at__gte=now - timedelta(days=14),
            status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
        )
        .exclude(reflections__user=user)
        .select_related("therapist")
        .order_by("-starts_at")
    )


def reflections_for_therapist(
    therapist: User, couple: Couple, *, limit: int = 6
) -> list[Reflection]:
    return audited(
        therapist,
        list(
            Reflection.objects.filter(booking__therapist=therapist, booking__couple=couple)
            .select_related("user", "booking")
            .order_by("-submitted_at")[:limit]
        ),
    )


def average_rating_for_therapist(therapist: User) -> float | None:
    return Reflection.objects.filter(booking__therapist=therapist).aggregate(a=Avg("rating"))["a"]


def upcoming_check_in_bookings(couple: Couple, *, now: datetime, limit: int = 3) -> list[Booking]:
    return list(
        Booking.objects.filter(
            couple=couple,
            status=Booking.Status.CONFIRMED,
            ends_at__gt=now,
            ended_at__isnull=True,
        )
        .select_related("therapist")
        .order_by("starts_at")[:limit]
    )
