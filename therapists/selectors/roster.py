"""The clinic roster: each therapist's week, hours and active couples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q

from accounts.models import User
from therapists.bookings import bookings

if TYPE_CHECKING:
    pass
from therapists.models import (
    ClinicMembership,
    CoupleAssignment,
)
from therapists.selectors.clinics import roster_for_admin

# --- Roster ---------------------------------------------------------------------------


def week_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in ``tz``, as aware datetimes."""
    local = now.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return start, end


@dataclass
class RosterRow:
    membership: ClinicMembership
    active_couples: int
    sessions_this_week: int
    booked_hours: float
    free_hours: float | None
    utilization: float | None  # booked / agreed hours; None without agreed hours
    future_sessions: int

    @property
    def utilization_percent(self) -> int | None:
        return None if self.utilization is None else round(self.utilization * 100)


def roster_rows(user: User, *, now: datetime) -> list[RosterRow]:
    """The roster of every clinic ``user`` runs, in a fixed number of queries.

    Free hours and utilization use the weekly hours agreed with the clinic. Once the
    scheduling issue stores working hours, they become the capacity instead.
    """
    memberships = roster_for_admin(user)
    if not memberships:
        return []
    therapist_ids = [m.user_id for m in memberships]
    zones = {m.clinic_id: ZoneInfo(m.clinic.time_zone) for m in memberships}
    earliest = min(week_bounds(now, tz)[0] for tz in zones.values())
    recent = now - timedelta(days=30)

    source = bookings()
    rows_booked = list(
        source.model.objects.filter(
            therapist_id__in=therapist_ids, status__in=source.occupying_statuses
        )
        .filter(Q(starts_at__gte=min(earliest, recent)))
        .exclude(status=source.held_status, hold_expires_at__lte=now)
        .values_list("therapist_id", "couple_id", "clinic_id", "starts_at", "ends_at", "status")
    )
    assigned = list(
        CoupleAssignment.objects.filter(
            therapist_id__in=therapist_ids, ended_at__isnull=True
        ).values_list("therapist_id", "couple_id", "clinic_id")
    )
    rows = []
    for m in memberships:
        start, end = week_bounds(now, zones[m.clinic_id])
        mine = [b for b in rows_booked if b[0] == m.user_id]
        couples = {c for t, c, clinic_id in assigned if t == m.user_id and clinic_id == m.clinic_id}
        couples |= {b[1] for b in mine if b[3] >= recent}
        week = [b for b in mine if start <= b[3] < end]
        hours = sum((b[4] - b[3]).total_seconds() for b in week) / 3600
        capacity = m.weekly_hours
        rows.append(
            RosterRow(
                membership=m,
                active_couples=len(couples),
                sessions_this_week=len(week),
                booked_hours=round(hours, 1),
                free_hours=None if capacity is None else round(max(capacity - hours, 0), 1),
                utilization=None if not capacity else hours / capacity,
                future_sessions=sum(
                    1 for b in mine if b[3] > now and b[5] in source.upcoming_statuses
                ),
            )
        )
    return rows


def active_clinic_id_of(user: User) -> int | None:
    """The clinic a therapist or admin works for now (the first, if several)."""
    return (
        ClinicMembership.objects.filter(user=user, is_active=True)
        .values_list("clinic_id", flat=True)
        .first()
    )
