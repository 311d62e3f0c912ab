"""Clinic overview metrics, week by week in the clinic's time zone.

Definitions (each week runs Monday 00:00 to Monday 00:00 in the clinic's zone;
a session belongs to the week it starts in):

- scheduled: sessions that were on the calendar: confirmed, completed, cancelled or
  late-cancelled (an unconfirmed hold never was a session);
- held: confirmed or completed sessions whose end has passed, minus no-shows;
- no-show: a past session where the couple's attendance was recorded and no partner
  joined; no-show rate = no-shows / past confirmed-or-completed sessions;
- cancellation rate and late-cancellation rate: cancelled (resp. late-cancelled) /
  scheduled;
- dropout at the end of a week: couples with a held session in the 60 days before the
  last 30, none in the last 30, and nothing booked ahead at that moment;
- average rating: mean of the partners' post-session reflection ratings (1-5) for
  sessions of that week; None when nobody rated.

Weeks without data are zeros (rates 0.0), never invented values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q

from scheduling.models import Booking
from sessions_app.models import Attendance, Reflection
from therapists.models import Clinic, ClinicMembership
from therapists.selectors import week_bounds

WEEKS = 12
DROPOUT_QUIET_DAYS = 30
DROPOUT_LOOKBACK_DAYS = 90
S = Booking.Status


@dataclass(frozen=True)
class WeekMetrics:
    week_start: date
    scheduled: int = 0
    held: int = 0
    no_shows: int = 0
    past_sessions: int = 0
    cancelled: int = 0
    late_cancelled: int = 0
    dropouts: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @property
    def no_show_rate(self) -> float:
        return self.no_shows / self.past_sessions if self.past_sessions else 0.0

    @property
    def cancellation_rate(self) -> float:
        return self.cancelled / self.scheduled if self.scheduled else 0.0

    @property
    def late_cancellation_rate(self) -> float:
        return self.late_cancelled / self.scheduled if self.scheduled else 0.0

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None


def _clinic_bookings(clinic: Clinic):
    # Bookings made before a clinic was recorded on them still count for its therapists.
    therapists = ClinicMembership.objects.filter(
        clinic=clinic, role=ClinicMembership.Role.THERAPIST
    ).values("user_id")
    return Booking.objects.filter(
        Q(clinic=clinic) | Q(clinic__isnull=True, therapist_id__in=therapists)
    )


def clinic_weekly_metrics(
    clinic: Clinic, *, now: datetime, weeks: int = WEEKS
) -> list[WeekMetrics]:
    """The last ``weeks`` weeks, oldest first, the current (partial) week last.

    Three queries whatever the clinic's size: bookings, attendance, ratings.
    """
    tz = ZoneInfo(clinic.time_zone)
    current_start, _ = week_bounds(now, tz)
    starts = [(current_start.date() - timedelta(weeks=weeks - 1 - i)) for i in range(weeks)]
    window_start = datetime.combine(starts[0], datetime.min.time(), tzinfo=tz)
    history_start = window_start - timedelta(days=DROPOUT_LOOKBACK_DAYS)

    bookings = (
        _clinic_bookings(clinic)
        .filter(Q(starts_at__gte=history_start) | Q(starts_at__gt=now))
        .exclude(status=S.HELD)
    )
    rows = list(
        bookings.values_list("id", "couple_id", "starts_at", "ends_at", "status", "created_at")
    )
    past_ids = bookings.filter(starts_at__lte=now).values("id")
    attendance: dict[int, list[str]] = defaultdict(list)
    # Only the couple's partners: the therapist's own attendance row is not theirs.
    for booking_id, status in (
        Attendance.objects.filter(booking_id__in=past_ids)
        .exclude(user_id=F("booking__therapist_id"))
        .values_list("booking_id", "status")
    ):
        attendance[booking_id].append(status)
    ratings: dict[int, list[int]] = defaultdict(list)
    for booking_id, rating in Reflection.objects.filter(
        booking_id__in=past_ids, booking__starts_at__gte=window_start
    ).values_list("booking_id", "rating"):
        ratings[booking_id].append(rating)

    def week_of(moment: datetime) -> date:
        local = moment.astimezone(tz).date()
        return local - timedelta(days=local.weekday())

    counts: dict[date, dict[str, int]] = {s: defaultdict(int) for s in starts}
    held_by_couple: dict[int, list[datetime]] = defaultdict(list)
    for booking_id, couple_id, starts_at, ends_at, status, _created in rows:
        past = status in (S.CONFIRMED, S.COMPLETED) and ends_at <= now
        statuses = attendance.get(booking_id, [])
        no_show = past and bool(statuses) and all(s == Attendance.Status.NO_SHOW for s in statuses)
        if past and not no_show:
            held_by_couple[couple_id].append(starts_at)
        week = week_of(starts_at)
        if week not in counts or starts_at > now:
            continue
        c = counts[week]
        c["scheduled"] += 1
        c["cancelled"] += status == S.CANCELLED
        c["late_cancelled"] += status == S.LATE_CANCELLED
        if past:
            c["past_sessions"] += 1
            c["no_shows"] += no_show
            c["held"] += not no_show
        for rating in ratings.get(booking_id, []):
            c["ratings"] += 1
            c["rating_sum"] += rating

    result = []
    for week in starts:
        week_end = min(
            datetime.combine(week + timedelta(days=7), datetime.min.time(), tzinfo=tz), now
        )
        result.append(
            WeekMetrics(
                week_start=week,
                dropouts=_dropouts(rows, held_by_couple, at=week_end),
                **counts[week],
            )
        )
    return result


def _dropouts(rows, held_by_couple: dict[int, list[datetime]], *, at: datetime) -> int:
    quiet_since = at - timedelta(days=DROPOUT_QUIET_DAYS)
    seen_since = at - timedelta(days=DROPOUT_LOOKBACK_DAYS)
    booked_ahead = {
        couple_id
        for _id, couple_id, starts_at, _ends, status, created_at in rows
        if status in (S.CONFIRMED, S.COMPLETED) and created_at <= at < starts_at
    }
    dropped = 0
    for couple_id, held in held_by_couple.items():
        before = [t for t in held if t <= at]
        if not before:
            continue
        last = max(before)
        if seen_since <= last < quiet_since and couple_id not in booked_ahead:
            dropped += 1
    return dropped
