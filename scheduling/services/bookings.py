"""Holds and bookings: a hold reserves a slot for a few minutes; confirming books it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Couple, User
from core.errors import Conflict
from scheduling import signals
from scheduling.models import (
    Booking,
    SessionType,
)
from scheduling.selectors import (
    clinic_of,
)
from scheduling.services._common import (
    _apply_times,
    _check_slot,
    _drop_expired_holds,
    _lock,
    _queue_booking_email,
    _require_bookable,
    _require_partner,
    _save_guarded,
    hold_minutes,
)
from scheduling.services.versions import slots_versions_bump

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
    previous = list(
        Booking.objects.filter(couple=couple, status=Booking.Status.HELD).values_list(
            "pk", "therapist_id"
        )
    )
    if previous:
        Booking.objects.filter(pk__in=[pk for pk, _tid in previous]).delete()
        others = {tid for _pk, tid in previous if tid != therapist.pk}
        if others:
            # Another therapist's slots change too. Their row is not taken here: after
            # this couple's it could deadlock with their own writers (therapist first).
            # Until this runs their cached lists hide the freed time a moment longer.
            transaction.on_commit(lambda: slots_versions_bump(therapist_ids=others))
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
        raise Conflict(_("This hold was already used or released."), code="hold_not_active")
    if booking.hold_expires_at and booking.hold_expires_at <= now:
        assert booking.session_type is not None  # holds are made from a session type
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
    _queue_booking_email([booking.pk], "confirmed", user.pk, now=now)
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
    deleted, _count = Booking.objects.filter(pk=booking.pk, status=Booking.Status.HELD).delete()
    if deleted:
        slots_versions_bump(therapist_id=booking.therapist_id, couple_id=booking.couple_id)


def holds_expire(*, now: datetime) -> int:
    """Delete expired holds (they were never sessions). Idempotent.

    No slot version changes: an expired hold stopped counting at its expiry already
    (a cached slot list is recomputed from its first hold's expiry on).
    """
    deleted, _count = Booking.objects.filter(
        status=Booking.Status.HELD, hold_expires_at__lte=now
    ).delete()
    return deleted
