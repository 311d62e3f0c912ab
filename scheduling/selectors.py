"""Reads for sessions on the calendar."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TimeField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

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
    for tid, weekday, s, e in WorkingHours.objects.filter(
        therapist_id__in=therapist_ids
    ).values_list("therapist_id", "weekday", "start_time", "end_time"):
        weekly[tid][weekday].append((s, e))
    overrides: dict[int, dict[date, list]] = defaultdict(dict)
    for tid, day, o_start, o_end in DateOverride.objects.filter(
        therapist_id__in=therapist_ids, date__gte=first, date__lte=last
    ).values_list("therapist_id", "date", "start_time", "end_time"):
        ranges = overrides[tid].setdefault(day, [])
        if o_start is not None and o_end is not None:
            ranges.append((o_start, o_end))
    days_off: dict[int, set[date]] = defaultdict(set)
    for tid, off_start, off_end in TimeOff.objects.filter(
        therapist_id__in=therapist_ids, end_date__gte=first, start_date__lte=last
    ).values_list("therapist_id", "start_date", "end_date"):
        day = max(off_start, first)
        while day <= min(off_end, last):
            days_off[tid].add(day)
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


# --- cached slots --------------------------------------------------------------------------
#
# A couple's free slots with one therapist change only when a write bumps one of the
# two slot versions (``scheduling.services.versions``), when a hold runs out, or as
# ``now`` moves (notice and horizon). So the list is computed once per versions for the
# whole booking horizon, without notice or horizon, as UTC epoch seconds; each read
# cuts out the requested range with today's notice and horizon, and a list that counted
# a hold is recomputed once that hold expires.

SLOTS_CACHE_PREFIX = "slots:1"  # a new number when SlotList changes shape (pickled)
SLOTS_CACHE_SECONDS = 6 * 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Epoch(Func):
    """Whole seconds since 1970 of a datetime expression, rounded down (or up: ``ceil``).

    The busy rows come back as integers: no datetime parsing per row in Python.
    """

    output_field = BigIntegerField()

    def __init__(self, expression: Any, *, ceil: bool = False) -> None:
        super().__init__(expression)
        self.ceil = ceil

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        rounding = "CEIL" if self.ceil else "FLOOR"
        template = f"CAST({rounding}(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps UTC text, with ".ffffff" only when there are microseconds.
        if connection.Database.sqlite_version_info >= (3, 38):
            template = "unixepoch(%(expressions)s)"  # whole seconds, rounded down
        else:
            # Doubled twice: once for the template, once for the driver's placeholders.
            template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        if not self.ceil:
            return self.as_sql(compiler, connection, template=template, **extra)
        template += " + (instr(%(expressions)s, '.') > 0)"
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, (*params, *params)  # the expression appears twice


@dataclass(frozen=True)
class SlotList:
    """Bookable starts (UTC epoch seconds, sorted) of one length, and until when they hold."""

    starts: list[int]
    length_seconds: int
    valid_until: int | None  # the first counted hold's expiry: recompute from then on

    def between(self, start: datetime, end: datetime) -> list[int]:
        """The starts in ``[start, end)``."""
        lo = bisect_left(self.starts, math.ceil(start.timestamp()))
        hi = bisect_left(self.starts, math.ceil(end.timestamp()))
        return self.starts[lo:hi]


def _at(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def schedules_for_slots(
    therapist: User, partners: list[User], first: date, last: date
) -> tuple[WeeklySchedule, list[WeeklySchedule]]:
    """The therapist's schedule (overrides and time off on ``first``..``last``) and each
    partner's windows, in one query (a UNION of the four tables)."""
    # Typed NULLs: PostgreSQL cannot match an untyped one with a date in a UNION.
    no_int = Cast(Value(None), IntegerField())
    no_date = Cast(Value(None), DateField())
    no_time = Cast(Value(None), TimeField())
    tid = therapist.pk

    def kind(letter: str) -> Value:
        return Value(letter, output_field=CharField())

    # Same columns in every part (kind, owner, weekday, date, last date, start, end),
    # and no part ordered (the models' default ordering is not allowed in a UNION).
    hours = (
        WorkingHours.objects.filter(therapist_id=tid)
        .order_by()
        .values_list(
            kind("h"),
            F("therapist_id"),
            F("weekday"),
            no_date,
            no_date,
            F("start_time"),
            F("end_time"),
        )
    )
    overrides = (
        DateOverride.objects.filter(therapist_id=tid, date__gte=first, date__lte=last)
        .order_by()
        .values_list(
            kind("o"), F("therapist_id"), no_int, F("date"), no_date, F("start_time"), F("end_time")
        )
    )
    days_off = (
        TimeOff.objects.filter(therapist_id=tid, end_date__gte=first, start_date__lte=last)
        .order_by()
        .values_list(
            kind("t"), F("therapist_id"), no_int, F("start_date"), F("end_date"), no_time, no_time
        )
    )
    windows = (
        AttendanceWindow.objects.filter(user_id__in=[p.pk for p in partners])
        .order_by()
        .values_list(
            kind("w"), F("user_id"), F("weekday"), no_date, no_date, F("start_time"), F("end_time")
        )
    )
    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    overridden: dict[date, list[tuple[time, time]]] = {}
    off: set[date] = set()
    partner_weekly: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row_kind, owner, weekday, day, day_end, s, e in hours.union(
        overrides, days_off, windows, all=True
    ):
        if row_kind == "h":
            weekly[weekday].append((s, e))
        elif row_kind == "o":
            ranges = overridden.setdefault(day, [])
            if s is not None and e is not None:
                ranges.append((s, e))
        elif row_kind == "t":
            current = max(day, first)
            while current <= min(day_end, last):
                off.add(current)
                current += timedelta(days=1)
        else:
            partner_weekly[owner][weekday].append((s, e))
    return (
        WeeklySchedule(
            zone=therapist.time_zone,
            weekly=dict(weekly),
            overrides=overridden,
            days_off=frozenset(off),
        ),
        [
            WeeklySchedule(
                zone=p.time_zone,
                weekly=dict(partner_weekly[p.pk]),
                always_free=not partner_weekly[p.pk],
            )
            for p in partners
        ],
    )


def busy_epochs(
    *,
    therapist_id: int,
    couple_id: int | None,
    start: datetime,
    end: datetime,
    now: datetime,
    buffer_before: int = 0,
    buffer_after: int = 0,
) -> tuple[list[tuple[int, int]], int | None]:
    """(merged busy ranges, first expiry of a counted hold), in whole epoch seconds.

    One query for both sides, answering integers in start order: the therapist's
    sessions as their blocked ranges widened by a new session's buffers (``buffer_*``,
    seconds), the couple's other sessions as they are (a session of both is the
    therapist's: its blocked range covers it). Ranges are rounded outwards.
    """
    who = Q(therapist_id=therapist_id)
    if couple_id is not None:
        who |= Q(couple_id=couple_id)
    theirs = Q(therapist_id=therapist_id)
    lo = Case(
        When(
            theirs,
            then=Epoch(Coalesce("blocked_start", "starts_at")) - Value(buffer_after),
        ),
        default=Epoch("starts_at"),
        output_field=BigIntegerField(),
    )
    hi = Case(
        When(
            theirs,
            then=Epoch(Coalesce("blocked_end", "ends_at"), ceil=True) + Value(buffer_before),
        ),
        default=Epoch("ends_at", ceil=True),
        output_field=BigIntegerField(),
    )
    query = (
        active_bookings(now)
        .filter(who, starts_at__lt=end, ends_at__gt=start)
        .annotate(lo=lo, hi=hi, expires=Epoch("hold_expires_at"))
        .order_by()
        .values_list("lo", "hi", "expires")
        .query
    )
    # Plain rows: three integers each, with none of the ORM's per-row conversion.
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Sorted here, not by the database: rows come nearly in order (the therapist's
    # index is on starts_at), which Python's sort takes in one pass.
    rows.sort(key=itemgetter(0))
    merged: list[list[int]] = []
    valid_until: int | None = None
    for lo_s, hi_s, expires in rows:
        if merged and lo_s <= merged[-1][1]:
            if hi_s > merged[-1][1]:
                merged[-1][1] = hi_s
        else:
            merged.append([lo_s, hi_s])
        # Only a hold has an expiry.
        if expires is not None and (valid_until is None or expires < valid_until):
            valid_until = expires
    return [(a, b) for a, b in merged], valid_until


def _slots_cache_key(
    therapist: User, couple: Couple | None, session_type: SessionType, day: date
) -> str:
    # Everything the list depends on that no version covers: zones, who the partners
    # are, the session type's shape, and the day the horizon is counted from.
    partners = ",".join(f"{p.pk}@{p.time_zone}" for p in couple.partners) if couple else ""
    return ":".join(
        str(part)
        for part in (
            SLOTS_CACHE_PREFIX,
            therapist.pk,
            therapist.slots_version,
            therapist.time_zone,
            couple.pk if couple else 0,
            couple.slots_version if couple else 0,
            partners,
            session_type.pk,
            session_type.length_minutes,
            session_type.step_minutes,
            session_type.buffer_before_minutes,
            session_type.buffer_after_minutes,
            session_type.horizon_days,
            day.isoformat(),
        )
    )


def _compute_slot_list(
    *, therapist: User, couple: Couple | None, session_type: SessionType, day: date, now: datetime
) -> SlotList:
    """Every slot from ``day`` (UTC) to past the horizon, ignoring notice and horizon."""
    span_start = datetime.combine(day, time(0), tzinfo=UTC)
    span_end = span_start + timedelta(days=session_type.horizon_days + 2)
    pad = timedelta(days=1)
    busy, valid_until = busy_epochs(
        therapist_id=therapist.pk,
        couple_id=couple.pk if couple else None,
        start=span_start - pad,
        end=span_end + pad,
        now=now,
        buffer_before=session_type.buffer_before_minutes * 60,
        buffer_after=session_type.buffer_after_minutes * 60,
    )
    tz = therapist.tz
    schedule, partners = schedules_for_slots(
        therapist,
        couple.partners if couple else [],
        (span_start - pad).astimezone(tz).date() - timedelta(days=2),
        (span_end + pad).astimezone(tz).date() + timedelta(days=2),
    )
    found = compute_slots(
        therapist=schedule,
        partners=partners,
        therapist_busy=[],
        couple_busy=[],
        blocked=[(_at(a), _at(b)) for a, b in busy],
        rules=replace(slot_rules(session_type), notice=timedelta(0), horizon=None),
        start=span_start,
        end=span_end,
        now=span_start,
    )
    return SlotList(
        starts=[int((s - _EPOCH).total_seconds()) for s, _e in found],
        length_seconds=session_type.length_minutes * 60,
        valid_until=valid_until,
    )


def slot_starts(
    *,
    therapist: User,
    couple: Couple | None,
    session_type: SessionType,
    start: datetime,
    end: datetime,
    now: datetime,
    use_cache: bool = True,
) -> tuple[list[int], int]:
    """(bookable starts as UTC epoch seconds in ``[start, end)``, length in seconds).

    The same slots as ``available_slots``; read from the cache when the versions on
    ``therapist`` and ``couple`` (as loaded by the caller, before this call) match.
    """
    day = now.astimezone(UTC).date()
    key = _slots_cache_key(therapist, couple, session_type, day)
    now_epoch = math.floor(now.timestamp())
    cached: SlotList | None = cache.get(key) if use_cache else None
    if cached is None or (cached.valid_until is not None and now_epoch >= cached.valid_until):
        cached = _compute_slot_list(
            therapist=therapist, couple=couple, session_type=session_type, day=day, now=now
        )
        if use_cache:
            cache.set(key, cached, SLOTS_CACHE_SECONDS)
    earliest = max(start, now + timedelta(minutes=session_type.min_notice_minutes))
    latest = min(end, now + timedelta(days=session_type.horizon_days))
    if earliest >= latest:
        return [], cached.length_seconds
    return cached.between(earliest, latest), cached.length_seconds


def cached_available_slots(
    *,
    therapist: User,
    couple: Couple | None,
    session_type: SessionType,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Interval]:
    """``available_slots`` through the slot cache, as (start, end) datetimes."""
    starts, length = slot_starts(
        therapist=therapist, couple=couple, session_type=session_type, start=start, end=end, now=now
    )
    return [(_at(s), _at(s + length)) for s in starts]
