"""Reads for sessions on the calendar."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from accounts.models import Couple, User
from scheduling.models import Booking

UPCOMING = (Booking.Status.HELD, Booking.Status.CONFIRMED)


def upcoming_bookings_for_couple(couple: Couple, *, now: datetime, limit: int = 5) -> list[Booking]:
    return list(
        Booking.objects.filter(couple=couple, status__in=UPCOMING, ends_at__gt=now)
        .exclude(status=Booking.Status.HELD, hold_expires_at__lte=now)
        .select_related("therapist")
        .order_by("starts_at")[:limit]
    )


def bookings_for_therapist_on_day(therapist: User, *, now: datetime) -> list[Booking]:
    """The therapist's sessions on the local calendar day that contains ``now``."""
    tz = therapist.tz
    local_day = now.astimezone(tz).date()
    start = datetime.combine(local_day, time(0), tzinfo=tz)
    end = datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=tz)
    return list(
        Booking.objects.filter(
            therapist=therapist,
            starts_at__lt=end,
            ends_at__gt=start,
            status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
        )
        .select_related("couple")
        .prefetch_related("couple__memberships__user")
        .order_by("starts_at")
    )


def clients_of_therapist(therapist: User) -> list[Couple]:
    return list(
        Couple.objects.filter(bookings__therapist=therapist)
        .exclude(bookings__status=Booking.Status.HELD)
        .prefetch_related("memberships__user")
        .distinct()
    )
