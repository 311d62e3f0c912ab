"""Reads for sessions on the calendar."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Couple, User
from scheduling.models import (
    AttendanceWindow,
    Booking,
    DateOverride,
    SessionType,
    TimeOff,
    WorkingHours,
)
from scheduling.slots import Busy, Interval, SlotRules, WeeklySchedule, compute_slots

if TYPE_CHECKING:
    from therapists.models import Clinic

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


# --- availability and slots ----------------------------------------------------------

ACTIVE = (Booking.Status.HELD, Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def active_bookings(now: datetime) -> QuerySet[Booking]:
    """Bookings that occupy time: confirmed or completed, or a hold not yet expired."""
    return Booking.objects.filter(status__in=ACTIVE).exclude(
        status=Booking.Status.HELD, hold_expires_at__lte=now
    )


def clinic_of(therapist: User) -> Clinic | None:
    from therapists.models import Clinic, ClinicMembership

    membership = (
        ClinicMembership.objects.filter(user=therapist, role="therapist", is_active=True)
        .select_related("clinic")
        .first()
    )
    if membership:
        return membership.clinic
    return Clinic.objects.filter(therapists__user=therapist).first()


def _therapist_schedules(
    therapist_ids: list[int], zones: dict[int, str], first: date, last: date
) -> dict[int, WeeklySchedule]:
    weekly: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for wh in WorkingHours.objects.filter(therapist_id__in=therapist_ids):
        weekly[wh.therapist_id][wh.weekday].append((wh.start_time, wh.end_time))
    overrides: dict[int, dict[date, list]] = defaultdict(dict)
    for o in DateOverride.objects.filter(
        therapist_id__in=therapist_ids, date__gte=first, date__lte=last
    ):
        ranges = overrides[o.therapist_id].setdefault(o.date, [])
        if o.start_time is not None and o.end_time is not None:
            ranges.append((o.start_time, o.end_time))
    days_off: dict[int, set[date]] = defaultdict(set)
    for off in TimeOff.objects.filter(
        therapist_id__in=therapist_ids, end_date__gte=first, start_date__lte=last
    ):
        day = max(off.start_date, first)
        while day <= min(off.end_date, last):
            days_off[off.therapist_id].add(day)
            day += timedelta(days=1)
    return {
        tid: WeeklySchedule(
            zone=zones[tid],
            weekly=dict(weekly[tid]),
            overrides=overrides[tid],
            days_off=frozenset(days_off[tid]),
        )
        for tid in therapist_ids
    }


def therapist_schedule(therapist: User, start: datetime, end: datetime) -> WeeklySchedule:
    tz = therapist.tz
    first = start.astimezone(tz).date() - timedelta(days=2)
    last = end.astimezone(tz).date() + timedelta(days=2)
    return _therapist_schedules([therapist.pk], {therapist.pk: therapist.time_zone}, first, last)[
        therapist.pk
    ]


def partner_schedule(user: User) -> WeeklySchedule:
    weekly: dict[int, list] = defaultdict(list)
    for w in AttendanceWindow.objects.filter(user=user):
        weekly[w.weekday].append((w.start_time, w.end_time))
    return WeeklySchedule(zone=user.time_zone, weekly=dict(weekly), always_free=not weekly)


def _therapist_busy(qs: QuerySet[Booking]) -> list[Busy]:
    """Only the blocked ranges (session plus its buffers) matter on the therapist's side."""
    rows = qs.values_list(
        Coalesce("blocked_start", "starts_at"), Coalesce("blocked_end", "ends_at")
    )
    return [Busy(bs, be, bs, be) for bs, be in rows]


def _couple_busy(qs: QuerySet[Booking]) -> list[Busy]:
    return [Busy(s, e) for s, e in qs.values_list("starts_at", "ends_at")]


def slot_rules(session_type: SessionType, *, use_horizon: bool = True) -> SlotRules:
    return SlotRules(
        length=timedelta(minutes=session_type.length_minutes),
        step=timedelta(minutes=session_type.step_minutes),
        buffer_before=timedelta(minutes=session_type.buffer_before_minutes),
        buffer_after=timedelta(minutes=session_type.buffer_after_minutes),
        notice=timedelta(minutes=session_type.min_notice_minutes),
        horizon=timedelta(days=session_type.horizon_days) if use_horizon else None,
    )


def available_slots(
    *,
    therapist: User,
    couple: Couple | None,
    session_type: SessionType,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_booking_ids: tuple[int, ...] = (),
    use_horizon: bool = True,
    ignore_bookings: bool = False,
) -> list[Interval]:
    """Free slots (UTC start, end) for this couple with this therapist, start in [start, end)."""
    span_start = start - timedelta(days=1)
    span_end = end + timedelta(days=1)
    schedule = therapist_schedule(therapist, span_start, span_end)
    partners = [partner_schedule(p) for p in couple.partners] if couple else []
    therapist_busy: list[Busy] = []
    couple_busy: list[Busy] = []
    if not ignore_bookings:
        window = active_bookings(now).filter(starts_at__lt=span_end, ends_at__gt=span_start)
        window = window.exclude(pk__in=exclude_booking_ids)
        therapist_busy = _therapist_busy(window.filter(therapist=therapist))
        if couple is not None:
            couple_busy = _couple_busy(window.filter(couple=couple))
    return compute_slots(
        therapist=schedule,
        partners=partners,
        therapist_busy=therapist_busy,
        couple_busy=couple_busy,
        rules=slot_rules(session_type, use_horizon=use_horizon),
        start=start,
        end=end,
        now=now,
    )


def session_types_for(therapist: User) -> list[SessionType]:
    return list(SessionType.objects.filter(therapist=therapist, is_active=True))


def earliest_free_start_by_therapist(
    therapist_ids: list[int], *, now: datetime, days: int
) -> dict[int, datetime | None]:
    """Each therapist's first bookable start within ``days`` (their side only).

    Uses the therapist's hours, overrides, time off and bookings with the rules of
    their shortest active session type. Six queries whatever the number of therapists.
    """
    result: dict[int, datetime | None] = dict.fromkeys(therapist_ids)
    if not therapist_ids:
        return result
    end = now + timedelta(days=days)
    zones = dict(User.objects.filter(pk__in=therapist_ids).values_list("pk", "time_zone"))
    shortest: dict[int, SessionType] = {}
    for st in SessionType.objects.filter(therapist_id__in=therapist_ids, is_active=True):
        current = shortest.get(st.therapist_id)
        if current is None or st.length_minutes < current.length_minutes:
            shortest[st.therapist_id] = st
    ids = [tid for tid in therapist_ids if tid in zones and tid in shortest]
    if not ids:
        return result
    first = (now - timedelta(days=2)).date()
    last = (end + timedelta(days=2)).date()
    schedules = _therapist_schedules(ids, zones, first, last)
    busy: dict[int, list[Busy]] = defaultdict(list)
    for tid, s, e, bs, be in (
        active_bookings(now)
        .filter(therapist_id__in=ids, starts_at__lt=end + timedelta(days=1), ends_at__gt=now)
        .values_list("therapist_id", "starts_at", "ends_at", "blocked_start", "blocked_end")
    ):
        busy[tid].append(Busy(s, e, bs or s, be or e))
    for tid in ids:
        slots = compute_slots(
            therapist=schedules[tid],
            partners=[],
            therapist_busy=busy[tid],
            couple_busy=[],
            rules=slot_rules(shortest[tid]),
            start=now,
            end=end,
            now=now,
        )
        result[tid] = slots[0][0] if slots else None
    return result


def bookings_for_couple(couple: Couple, *, now: datetime) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, past) sessions of a couple, holds excluded."""
    qs = (
        Booking.objects.filter(couple=couple)
        .exclude(status=Booking.Status.HELD)
        .select_related("therapist", "session_type", "clinic")
    )
    upcoming = list(qs.filter(ends_at__gt=now).order_by("starts_at"))
    past = list(qs.filter(ends_at__lte=now).order_by("-starts_at")[:50])
    return upcoming, past


def bookings_for_therapist_between(
    therapist: User, start: datetime, end: datetime
) -> list[Booking]:
    return list(
        Booking.objects.filter(
            therapist=therapist,
            starts_at__lt=end,
            ends_at__gt=start,
            status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
        )
        .select_related("couple", "session_type")
        .prefetch_related("couple__memberships__user")
        .order_by("starts_at")
    )


def booking_visible_to(user: User, booking_id: int) -> Booking | None:
    """The booking if ``user`` is its therapist or an active partner of its couple."""
    booking = (
        Booking.objects.select_related("therapist", "couple", "clinic", "session_type", "series")
        .prefetch_related("couple__memberships__user")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return None
    if booking.therapist_id == user.pk:
        return booking
    if any(p.pk == user.pk for p in booking.couple.partners):
        return booking
    return None


def bookings_visible_to(user: User, *, now: datetime) -> list[Booking]:
    qs = Booking.objects.select_related("therapist", "couple", "session_type", "clinic")
    if user.is_therapist:
        qs = qs.filter(therapist=user)
    else:
        qs = qs.filter(couple__memberships__user=user, couple__memberships__left_at__isnull=True)
    return list(
        qs.exclude(status=Booking.Status.HELD, hold_expires_at__lte=now).order_by("starts_at")
    )
