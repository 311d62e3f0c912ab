"""Moving a session (and the rest of its series) to a new time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError
from scheduling import signals
from scheduling.models import (
    Booking,
    SessionType,
)
from scheduling.services._common import (
    _apply_times,
    _check_slot,
    _drop_expired_holds,
    _lock,
    _queue_booking_email,
    _save_guarded,
)
from scheduling.services.cancellations import (
    _require_changeable,
    _require_participant,
    cancellation_terms,
)
from scheduling.slots import local_to_utc

# --- reschedule -----------------------------------------------------------------------------------


def _wall_shift(
    old: datetime, new: datetime, tz: ZoneInfo, occurrence: datetime
) -> datetime | None:
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
            _("This reschedule link was already used. Open the session to change it again."),
            code="link_used",
        )
    _require_changeable(booking, now)
    session_type = booking.session_type or SessionType(
        therapist=booking.therapist, name="Session", length_minutes=booking.duration_minutes
    )
    if scope == "following" and booking.series_id:
        return _reschedule_following(user=user, booking=booking, starts_at=starts_at, now=now)
    if scope not in ("one", "following"):
        raise DomainError(_("scope must be 'one' or 'following'."), code="invalid", field="scope")
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
        _queue_booking_email([booking.pk], "cancelled", user.pk, now=now)
    else:
        moved = booking
        _apply_times(moved, session_type, starts_at)
        moved.sequence += 1
        moved.reschedule_version += 1
        _save_guarded(moved)
    signals.booking_rescheduled.send(sender=Booking, booking=moved, previous_starts_at=previous)
    _queue_booking_email([moved.pk], "rescheduled", user.pk, previous=previous.isoformat(), now=now)
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
    assert session_type is not None  # a series is made from a session type
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
            _("Some of the following sessions cannot move to that time."),
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
    _queue_booking_email([o.pk for o, _ in plan], "rescheduled", user.pk, now=now)
    return moved_first or booking
