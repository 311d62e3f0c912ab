"""Writes for availability and bookings: lock, re-check, write, in one transaction.

On PostgreSQL two exclusion constraints (migration 0003) make overlapping active
bookings of one therapist or one couple impossible even if a check were skipped;
on SQLite every write transaction is IMMEDIATE, so writers are serialized and the
re-check inside the transaction is sound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import Couple, User
from config.errors import Conflict, DomainError, Forbidden
from scheduling import signals
from scheduling.models import (
    AttendanceWindow,
    Booking,
    BookingSeries,
    CalendarFeed,
    DateOverride,
    SessionType,
    TimeOff,
    WorkingHours,
)
from scheduling.selectors import (
    available_slots,
    clinic_of,
    is_bookable_therapist,
)
from scheduling.slots import local_to_utc, nearest

MAX_SERIES = 52


def hold_minutes() -> int:
    return int(getattr(settings, "SCHEDULING_HOLD_MINUTES", 5))


# --- checks ------------------------------------------------------------------------------


def _require_partner(user: User, couple: Couple) -> None:
    if not any(p.pk == user.pk for p in couple.partners):
        raise Forbidden("You can only book for your own couple.", code="not_your_couple")


def _require_bookable(therapist: User, session_type: SessionType) -> None:
    if not is_bookable_therapist(therapist):
        raise DomainError(
            "This therapist is not taking bookings.", code="therapist_unavailable", status=400
        )
    if session_type.therapist_id != therapist.pk or not session_type.is_active:
        raise DomainError(
            "That session type is not offered by this therapist.",
            code="invalid_session_type",
            status=400,
            field="session_type_id",
        )


def _suggestions(slots: list[tuple[datetime, datetime]], target: datetime) -> list[dict]:
    return [
        {"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in nearest(slots, target)
    ]


def _check_slot(
    *,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    starts_at: datetime,
    now: datetime,
    exclude_ids: tuple[int, ...] = (),
    use_horizon: bool = True,
) -> None:
    """Raise unless ``starts_at`` is a slot this couple may book right now."""
    kwargs = {
        "therapist": therapist,
        "couple": couple,
        "session_type": session_type,
        "now": now,
        "exclude_booking_ids": exclude_ids,
        "use_horizon": use_horizon,
    }
    here = available_slots(start=starts_at, end=starts_at + timedelta(seconds=1), **kwargs)
    if here and here[0][0] == starts_at:
        return
    around = available_slots(
        start=max(now, starts_at - timedelta(days=3)), end=starts_at + timedelta(days=7), **kwargs
    )
    suggestions = _suggestions(around, starts_at)
    free_of_bookings = available_slots(
        start=starts_at, end=starts_at + timedelta(seconds=1), ignore_bookings=True, **kwargs
    )
    if free_of_bookings and free_of_bookings[0][0] == starts_at:
        raise Conflict(
            "That time was just taken. Here are the nearest free times.",
            code="slot_taken",
            suggestions=suggestions,
        )
    raise DomainError(
        "That time is not offered. Pick one of the listed times.",
        code="slot_not_offered",
        status=400,
        field="starts_at",
        suggestions=suggestions,
    )


def _lock(therapist_id: int, couple_id: int) -> None:
    """Serialize writers per therapist and per couple (always in this order)."""
    list(User.objects.select_for_update().filter(pk=therapist_id).values_list("pk"))
    list(Couple.objects.select_for_update().filter(pk=couple_id).values_list("pk"))


def _drop_expired_holds(*, therapist_id: int, couple_id: int, now: datetime) -> None:
    Booking.objects.filter(
        status=Booking.Status.HELD, hold_expires_at__lte=now, therapist_id=therapist_id
    ).delete()
    Booking.objects.filter(
        status=Booking.Status.HELD, hold_expires_at__lte=now, couple_id=couple_id
    ).delete()


def _save_guarded(booking: Booking, *, suggestions_from: dict | None = None) -> Booking:
    """Save; a database overlap violation (the PostgreSQL guarantee) becomes a 409."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if "booking_no_" not in str(exc):
            raise
        raise Conflict(
            "That time was just taken. Pick another time.", code="slot_taken", suggestions=[]
        ) from None
    return booking


def _apply_times(booking: Booking, session_type: SessionType, starts_at: datetime) -> None:
    booking.starts_at = starts_at
    booking.ends_at = starts_at + session_type.length
    booking.blocked_start = starts_at - timedelta(minutes=session_type.buffer_before_minutes)
    booking.blocked_end = booking.ends_at + timedelta(minutes=session_type.buffer_after_minutes)


def _after_commit_email(booking_ids: list[int], kind: str, actor_id: int | None, **extra) -> None:
    from scheduling.emails import send_booking_emails

    transaction.on_commit(lambda: send_booking_emails(booking_ids, kind, actor_id, **extra))


# --- holds and bookings ----------------------------------------------------------------------


@transaction.atomic
def booking_hold(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    starts_at: datetime,
    now: datetime,
    format: str | None = None,
) -> Booking:
    """Reserve a slot for a few minutes while the booker confirms."""
    _require_partner(user, couple)
    _require_bookable(therapist, session_type)
    _lock(therapist.pk, couple.pk)
    _drop_expired_holds(therapist_id=therapist.pk, couple_id=couple.pk, now=now)
    # A couple keeps at most one hold: picking another time releases the previous one.
    Booking.objects.filter(couple=couple, status=Booking.Status.HELD).delete()
    _check_slot(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=starts_at,
        now=now,
    )
    booking = Booking(
        therapist=therapist,
        couple=couple,
        clinic=clinic_of(therapist),
        session_type=session_type,
        status=Booking.Status.HELD,
        format=format or session_type.format,
        booked_by=user,
        hold_expires_at=now + timedelta(minutes=hold_minutes()),
        created_at=now,
    )
    _apply_times(booking, session_type, starts_at)
    return _save_guarded(booking)


@transaction.atomic
def booking_confirm(*, user: User, booking: Booking, now: datetime) -> Booking:
    """Turn a live hold into a session; an expired hold is re-checked like a new booking."""
    _require_partner(user, booking.couple)
    _lock(booking.therapist_id, booking.couple_id)
    booking = Booking.objects.select_related("session_type", "therapist", "couple").get(
        pk=booking.pk
    )
    if booking.status != Booking.Status.HELD:
        raise Conflict("This hold was already used or released.", code="hold_not_active")
    if booking.hold_expires_at and booking.hold_expires_at <= now:
        _check_slot(
            therapist=booking.therapist,
            couple=booking.couple,
            session_type=booking.session_type,
            starts_at=booking.starts_at,
            now=now,
            exclude_ids=(booking.pk,),
        )
    booking.status = Booking.Status.CONFIRMED
    booking.hold_expires_at = None
    booking.booked_by = user
    booking.save(update_fields=["status", "hold_expires_at", "booked_by"])
    signals.booking_confirmed.send(sender=Booking, booking=booking)
    _after_commit_email([booking.pk], "confirmed", user.pk)
    return booking


def booking_create(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    starts_at: datetime,
    now: datetime,
    format: str | None = None,
) -> Booking:
    """Book a slot in one step (a hold confirmed at once, in one transaction)."""
    with transaction.atomic():
        hold = booking_hold(
            user=user,
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            starts_at=starts_at,
            now=now,
            format=format,
        )
        return booking_confirm(user=user, booking=hold, now=now)


@transaction.atomic
def hold_release(*, user: User, booking: Booking) -> None:
    _require_partner(user, booking.couple)
    Booking.objects.filter(pk=booking.pk, status=Booking.Status.HELD).delete()


def holds_expire(*, now: datetime) -> int:
    """Delete expired holds (they were never sessions). Idempotent."""
    deleted, _ = Booking.objects.filter(
        status=Booking.Status.HELD, hold_expires_at__lte=now
    ).delete()
    return deleted


# --- cancellation policy -------------------------------------------------------------------------


@dataclass(frozen=True)
class CancellationTerms:
    late: bool
    fee: Decimal
    currency: str
    late_cancel_hours: int
    deadline: datetime

    @property
    def charges_fee(self) -> bool:
        return self.late and self.fee > 0


def cancellation_terms(booking: Booking, *, user: User, now: datetime) -> CancellationTerms:
    """What cancelling (or moving) ``booking`` now costs ``user``, per the clinic's policy."""
    clinic = booking.clinic or clinic_of(booking.therapist)
    hours = clinic.late_cancel_hours if clinic else 0
    fee = clinic.late_cancel_fee if clinic else Decimal("0")
    currency = clinic.currency if clinic else "USD"
    deadline = booking.starts_at - timedelta(hours=hours)
    # The therapist cancelling is never the couple's late cancellation.
    late = booking.therapist_id != user.pk and now >= deadline
    return CancellationTerms(
        late=late, fee=fee, currency=currency, late_cancel_hours=hours, deadline=deadline
    )


def _require_participant(user: User, booking: Booking) -> None:
    if booking.therapist_id == user.pk:
        return
    if any(p.pk == user.pk for p in booking.couple.partners):
        return
    raise Forbidden("This is not one of your sessions.", code="not_your_booking")


def _require_changeable(booking: Booking, now: datetime) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict("This session can no longer be changed.", code="booking_not_active")
    if booking.starts_at <= now:
        raise Conflict("This session has already started.", code="booking_started")


@transaction.atomic
def booking_cancel(
    *, user: User, booking: Booking, now: datetime, scope: str = "one"
) -> list[Booking]:
    """Cancel one session, or this and the rest of its series (``scope="rest"``)."""
    _require_participant(user, booking)
    _lock(booking.therapist_id, booking.couple_id)
    booking = Booking.objects.select_related("couple", "therapist", "clinic").get(pk=booking.pk)
    _require_changeable(booking, now)
    targets = [booking]
    if scope == "rest" and booking.series_id:
        targets = list(
            Booking.objects.select_related("couple", "therapist", "clinic")
            .filter(
                series_id=booking.series_id,
                status=Booking.Status.CONFIRMED,
                starts_at__gte=booking.starts_at,
            )
            .order_by("starts_at")
        )
    elif scope not in ("one", "rest"):
        raise DomainError("scope must be 'one' or 'rest'.", code="invalid", field="scope")
    for target in targets:
        terms = cancellation_terms(target, user=user, now=now)
        target.status = Booking.Status.LATE_CANCELLED if terms.late else Booking.Status.CANCELLED
        target.cancelled_at = now
        target.cancelled_by = user
        if terms.charges_fee:
            target.late_cancel_fee = terms.fee
            target.fee_currency = terms.currency
        target.sequence += 1
        target.save()
        signals.booking_cancelled.send(sender=Booking, booking=target, late=terms.late)
    _after_commit_email([t.pk for t in targets], "cancelled", user.pk)
    return targets


# --- reschedule -----------------------------------------------------------------------------------


def reschedule_token(booking: Booking) -> str:
    from django.core import signing

    return signing.dumps(
        {"id": booking.pk, "v": booking.reschedule_version}, salt="duet.reschedule"
    )


def read_reschedule_token(token: str) -> tuple[int, int]:
    from django.core import signing

    try:
        data = signing.loads(token, salt="duet.reschedule", max_age=timedelta(days=400))
    except signing.BadSignature:
        raise DomainError(
            "This reschedule link is not valid.", code="invalid_link", status=404
        ) from None
    return int(data["id"]), int(data["v"])


def _wall_shift(old: datetime, new: datetime, tz, occurrence: datetime) -> datetime | None:
    """Move ``occurrence`` like ``old`` moved to ``new``, in wall-clock terms in ``tz``."""
    day_delta = new.astimezone(tz).date() - old.astimezone(tz).date()
    local = occurrence.astimezone(tz).replace(tzinfo=None)
    target = datetime.combine(local.date() + day_delta, new.astimezone(tz).time())
    return local_to_utc(target, tz)


@transaction.atomic
def booking_reschedule(
    *,
    user: User,
    booking: Booking,
    starts_at: datetime,
    now: datetime,
    scope: str = "one",
    link_version: int | None = None,
) -> Booking:
    """Move a session (or this and the following ones of its series) to another slot.

    Outside the late window the session moves in place (same calendar UID, new
    SEQUENCE). Inside it, per the clinic's policy, the old session becomes late
    cancelled and one replacement is made; ``rescheduled_from`` is one-to-one, so a
    session can never be replaced twice. A link (``link_version``) works once.
    """
    _require_participant(user, booking)
    _lock(booking.therapist_id, booking.couple_id)
    _drop_expired_holds(therapist_id=booking.therapist_id, couple_id=booking.couple_id, now=now)
    booking = Booking.objects.select_related(
        "couple", "therapist", "clinic", "session_type", "series"
    ).get(pk=booking.pk)
    if link_version is not None and link_version != booking.reschedule_version:
        raise Conflict(
            "This reschedule link was already used. Open the session to change it again.",
            code="link_used",
        )
    _require_changeable(booking, now)
    session_type = booking.session_type or SessionType(
        therapist=booking.therapist, name="Session", length_minutes=booking.duration_minutes
    )
    if scope == "following" and booking.series_id:
        return _reschedule_following(user=user, booking=booking, starts_at=starts_at, now=now)
    if scope not in ("one", "following"):
        raise DomainError("scope must be 'one' or 'following'.", code="invalid", field="scope")
    _check_slot(
        therapist=booking.therapist,
        couple=booking.couple,
        session_type=session_type,
        starts_at=starts_at,
        now=now,
        exclude_ids=(booking.pk,),
        use_horizon=booking.series_id is None,
    )
    previous = booking.starts_at
    terms = cancellation_terms(booking, user=user, now=now)
    if terms.late:
        booking.status = Booking.Status.LATE_CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = user
        if terms.charges_fee:
            booking.late_cancel_fee = terms.fee
            booking.fee_currency = terms.currency
        booking.sequence += 1
        booking.reschedule_version += 1
        booking.save()
        moved = Booking(
            therapist=booking.therapist,
            couple=booking.couple,
            clinic=booking.clinic,
            session_type=booking.session_type,
            series=booking.series,
            status=Booking.Status.CONFIRMED,
            format=booking.format,
            booked_by=user,
            rescheduled_from=booking,
            created_at=now,
        )
        _apply_times(moved, session_type, starts_at)
        _save_guarded(moved)
        signals.booking_cancelled.send(sender=Booking, booking=booking, late=True)
        _after_commit_email([booking.pk], "cancelled", user.pk)
    else:
        moved = booking
        _apply_times(moved, session_type, starts_at)
        moved.sequence += 1
        moved.reschedule_version += 1
        _save_guarded(moved)
    signals.booking_rescheduled.send(sender=Booking, booking=moved, previous_starts_at=previous)
    _after_commit_email([moved.pk], "rescheduled", user.pk, previous=previous.isoformat())
    return moved


def _reschedule_following(
    *, user: User, booking: Booking, starts_at: datetime, now: datetime
) -> Booking:
    tz = booking.therapist.tz
    following = list(
        Booking.objects.select_related("session_type")
        .filter(
            series_id=booking.series_id,
            status=Booking.Status.CONFIRMED,
            starts_at__gte=booking.starts_at,
        )
        .order_by("starts_at")
    )
    ids = tuple(b.pk for b in following)
    plan: list[tuple[Booking, datetime]] = []
    conflicts: list[dict] = []
    for occ in following:
        new_start = _wall_shift(booking.starts_at, starts_at, tz, occ.starts_at)
        if new_start is None:
            conflicts.append({"starts_at": occ.starts_at.isoformat(), "reason": "dst_gap"})
            continue
        plan.append((occ, new_start))
    session_type = booking.session_type
    for _occ, new_start in plan:
        try:
            _check_slot(
                therapist=booking.therapist,
                couple=booking.couple,
                session_type=session_type,
                starts_at=new_start,
                now=now,
                exclude_ids=ids,
                use_horizon=False,
            )
        except DomainError as exc:
            conflicts.append({"starts_at": new_start.isoformat(), "reason": exc.code})
    # The moved occurrences must not collide with each other either (they can't,
    # being a fixed weekly pattern, but a gap day could shift one).
    if conflicts:
        raise Conflict(
            "Some of the following sessions cannot move to that time.",
            code="series_conflict",
            conflicts=conflicts,
        )
    # Step the old occurrences aside first, so new times may overlap the old ones
    # without tripping the overlap constraint mid-way.
    previous_starts = {occ.pk: occ.starts_at for occ, _ in plan}
    Booking.objects.filter(pk__in=ids).update(status=Booking.Status.CANCELLED)
    moved_first = None
    for occ, new_start in plan:
        previous = previous_starts[occ.pk]
        _apply_times(occ, session_type, new_start)
        occ.status = Booking.Status.CONFIRMED
        occ.sequence += 1
        occ.reschedule_version += 1
        _save_guarded(occ)
        signals.booking_rescheduled.send(sender=Booking, booking=occ, previous_starts_at=previous)
        moved_first = moved_first or occ
    _after_commit_email([o.pk for o, _ in plan], "rescheduled", user.pk)
    return moved_first or booking


# --- series ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime | None
    local_date: str
    ok: bool
    reason: str = ""


def series_occurrences(
    *, first_start: datetime, tz, frequency: str, count: int | None, until
) -> list[tuple[str, datetime | None]]:
    """The series' wall-clock dates in ``tz``; None where the wall-clock time does not exist."""
    if count is None and until is None:
        raise DomainError(
            "Give a number of sessions or an end date.", code="invalid", field="count"
        )
    if count is not None and not 1 <= count <= MAX_SERIES:
        raise DomainError(
            f"A series has 1 to {MAX_SERIES} sessions.", code="invalid", field="count"
        )
    interval = 7 if frequency == BookingSeries.Frequency.WEEKLY else 14
    if frequency not in BookingSeries.Frequency.values:
        raise DomainError("Unknown frequency.", code="invalid", field="frequency")
    local0 = first_start.astimezone(tz).replace(tzinfo=None)
    out: list[tuple[str, datetime | None]] = []
    k = 0
    while len(out) < (count or MAX_SERIES):
        local = local0 + timedelta(days=interval * k)
        if until is not None and local.date() > until:
            break
        out.append((local.date().isoformat(), local_to_utc(local, tz)))
        k += 1
    return out


def series_preview(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    first_start: datetime,
    frequency: str,
    now: datetime,
    count: int | None = None,
    until=None,
    exclude_ids: tuple[int, ...] = (),
) -> list[Occurrence]:
    """Each occurrence with whether it can be booked, before anything is written."""
    _require_partner(user, couple)
    _require_bookable(therapist, session_type)
    plan = series_occurrences(
        first_start=first_start, tz=therapist.tz, frequency=frequency, count=count, until=until
    )
    starts = [s for _, s in plan if s is not None]
    if not starts:
        return [Occurrence(None, d, False, "dst_gap") for d, _ in plan]
    common = {
        "therapist": therapist,
        "couple": couple,
        "session_type": session_type,
        "start": min(starts),
        "end": max(starts) + timedelta(seconds=1),
        "now": now,
        "use_horizon": False,
        "exclude_booking_ids": exclude_ids,
    }
    free = {s for s, _ in available_slots(**common)}
    offered = {s for s, _ in available_slots(ignore_bookings=True, **common)}
    out = []
    for day, start in plan:
        if start is None:
            out.append(Occurrence(None, day, False, "dst_gap"))
        elif start in free:
            out.append(Occurrence(start, day, True))
        elif start in offered:
            out.append(Occurrence(start, day, False, "slot_taken"))
        else:
            out.append(Occurrence(start, day, False, "slot_not_offered"))
    return out


@transaction.atomic
def series_create(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    first_start: datetime,
    frequency: str,
    now: datetime,
    count: int | None = None,
    until=None,
    skip_conflicts: bool = False,
    format: str | None = None,
) -> tuple[BookingSeries, list[Occurrence]]:
    """Create a recurring series in one transaction.

    If any occurrence conflicts, nothing is written and 409 lists them, unless the
    booker confirmed ``skip_conflicts`` after seeing that list.
    """
    _require_partner(user, couple)
    _lock(therapist.pk, couple.pk)
    _drop_expired_holds(therapist_id=therapist.pk, couple_id=couple.pk, now=now)
    occurrences = series_preview(
        user=user,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        first_start=first_start,
        frequency=frequency,
        now=now,
        count=count,
        until=until,
    )
    conflicts = [o for o in occurrences if not o.ok]
    if conflicts and (not skip_conflicts or len(conflicts) == len(occurrences)):
        raise Conflict(
            f"{len(conflicts)} of {len(occurrences)} sessions cannot be booked.",
            code="series_conflict",
            conflicts=[
                {
                    "date": o.local_date,
                    "starts_at": o.starts_at and o.starts_at.isoformat(),
                    "reason": o.reason,
                }
                for o in conflicts
            ],
        )
    series = BookingSeries.objects.create(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        frequency=frequency,
        created_by=user,
        created_at=now,
    )
    clinic = clinic_of(therapist)
    created = []
    for occ in occurrences:
        if not occ.ok:
            continue
        booking = Booking(
            therapist=therapist,
            couple=couple,
            clinic=clinic,
            session_type=session_type,
            series=series,
            status=Booking.Status.CONFIRMED,
            format=format or session_type.format,
            booked_by=user,
            created_at=now,
        )
        _apply_times(booking, session_type, occ.starts_at)
        _save_guarded(booking)
        created.append(booking)
        signals.booking_confirmed.send(sender=Booking, booking=booking)
    _after_commit_email([b.pk for b in created], "confirmed", user.pk)
    return series, occurrences


@transaction.atomic
def series_create_from_hold(
    *,
    user: User,
    hold: Booking,
    frequency: str,
    count: int,
    now: datetime,
    skip_conflicts: bool = False,
) -> tuple[BookingSeries, list[Occurrence]]:
    """Turn a held slot into the first session of a series, atomically.

    The hold gives way to the series inside the same transaction; if the series
    cannot be made, the rollback keeps the hold.
    """
    _require_partner(user, hold.couple)
    _lock(hold.therapist_id, hold.couple_id)
    hold = Booking.objects.select_related("therapist", "couple", "session_type").get(pk=hold.pk)
    if hold.status != Booking.Status.HELD:
        raise Conflict("This hold was already used or released.", code="hold_not_active")
    Booking.objects.filter(pk=hold.pk).delete()
    return series_create(
        user=user,
        therapist=hold.therapist,
        couple=hold.couple,
        session_type=hold.session_type,
        first_start=hold.starts_at,
        frequency=frequency,
        now=now,
        count=count,
        skip_conflicts=skip_conflicts,
        format=hold.format,
    )


# --- availability editing ------------------------------------------------------------------------


def _validate_ranges(ranges: list[tuple[time, time]], field: str) -> list[tuple[time, time]]:
    ranges = sorted(ranges)
    for i, (s, e) in enumerate(ranges):
        if e <= s:
            raise DomainError(
                f"{s:%H:%M}-{e:%H:%M}: the end must be after the start.",
                code="invalid",
                field=field,
            )
        if i and s < ranges[i - 1][1]:
            raise DomainError("Ranges on one day must not overlap.", code="invalid", field=field)
    return ranges


@transaction.atomic
def working_hours_set(*, therapist: User, weekly: dict[int, list[tuple[time, time]]]) -> None:
    """Replace the therapist's weekly hours (wall-clock, in their own zone)."""
    if not therapist.is_therapist:
        raise Forbidden("Only therapists have working hours.", code="forbidden")
    rows = []
    for weekday, ranges in weekly.items():
        for s, e in _validate_ranges(ranges, f"weekday_{weekday}"):
            rows.append(
                WorkingHours(therapist=therapist, weekday=weekday, start_time=s, end_time=e)
            )
    WorkingHours.objects.filter(therapist=therapist).delete()
    WorkingHours.objects.bulk_create(rows)


@transaction.atomic
def attendance_windows_set(*, user: User, weekly: dict[int, list[tuple[time, time]]]) -> None:
    """Replace a partner's attendance windows (in their zone). None at all = always free."""
    rows = []
    for weekday, ranges in weekly.items():
        for s, e in _validate_ranges(ranges, f"weekday_{weekday}"):
            rows.append(AttendanceWindow(user=user, weekday=weekday, start_time=s, end_time=e))
    AttendanceWindow.objects.filter(user=user).delete()
    AttendanceWindow.objects.bulk_create(rows)


@transaction.atomic
def date_override_set(
    *, therapist: User, date, ranges: list[tuple[time, time]]
) -> list[DateOverride]:
    """Other hours on ``date``; an empty list makes the therapist unavailable that day."""
    DateOverride.objects.filter(therapist=therapist, date=date).delete()
    if not ranges:
        return [DateOverride.objects.create(therapist=therapist, date=date)]
    return [
        DateOverride.objects.create(therapist=therapist, date=date, start_time=s, end_time=e)
        for s, e in _validate_ranges(ranges, "ranges")
    ]


def date_override_clear(*, therapist: User, date) -> None:
    DateOverride.objects.filter(therapist=therapist, date=date).delete()


def time_off_add(*, therapist: User, start_date, end_date, note: str = "") -> TimeOff:
    if end_date < start_date:
        raise DomainError(
            "The last day must not be before the first.", code="invalid", field="end_date"
        )
    return TimeOff.objects.create(
        therapist=therapist, start_date=start_date, end_date=end_date, note=note
    )


def time_off_delete(*, therapist: User, time_off_id: int) -> None:
    TimeOff.objects.filter(therapist=therapist, pk=time_off_id).delete()


def session_type_save(
    *, therapist: User, session_type: SessionType | None = None, **fields
) -> SessionType:
    st = session_type or SessionType(therapist=therapist)
    if st.therapist_id != therapist.pk:
        raise Forbidden("Not your session type.", code="forbidden")
    for key, value in fields.items():
        setattr(st, key, value)
    st.full_clean()
    st.save()
    return st


# --- calendar feed -----------------------------------------------------------------------------


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Create the private feed URL, or replace it (the old URL stops working at once)."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": token})
    if not created:
        feed.token = token
        feed.save(update_fields=["token"])
    return feed
