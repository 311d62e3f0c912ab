"""Scheduling's side of ``therapists.bookings``: what rosters and the directory read."""

from __future__ import annotations

from datetime import datetime

from scheduling.models import Booking
from scheduling.selectors import earliest_free_start_by_therapist

S = Booking.Status


class SchedulingBookings:
    model = Booking
    care_statuses = (S.CONFIRMED, S.COMPLETED, S.LATE_CANCELLED)
    occupying_statuses = (S.HELD, S.CONFIRMED, S.COMPLETED)
    upcoming_statuses = (S.HELD, S.CONFIRMED)
    held_status = S.HELD

    def earliest_free_start_by_therapist(
        self, therapist_ids: list[int], *, now: datetime, days: int
    ) -> dict[int, datetime | None]:
        return earliest_free_start_by_therapist(therapist_ids, now=now, days=days)
