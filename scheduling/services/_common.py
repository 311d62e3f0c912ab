"""Checks and helpers every booking write shares: lock, re-check, save guarded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Couple, User
from core.errors import Conflict, DomainError, Forbidden
from scheduling.models import (
    Booking,
    SessionType,
)
from scheduling.selectors import (
    available_slots,
)
from scheduling.services.versions import slots_versions_bump
from scheduling.slots import nearest
from therapists.selectors import is_bookable

MAX_SERIES = 52


def hold_minutes() -> int:
    return int(getattr(settings, "SCHEDULING_HOLD_MINUTES", 5))


# --- checks ------------------------------------------------------------------------------


def _require_partner(user: User, couple: Couple) -> None:
    if not any(p.pk == user.pk for p in couple.partners):
        raise Forbidden(_("You can only book for your own couple."), code="not_your_couple")


def _require_bookable(therapist: User, session_type: SessionType) -> None:
    if not is_bookable(therapist):
        raise DomainError(
            _("This therapist is not taking bookings."), code="therapist_unavailable", status=400
        )
    if session_type.therapist_id != therapist.pk or not session_type.is_active:
        raise DomainError(
            _("That session type is not offered by this therapist."),
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
    kwargs: dict[str, Any] = {
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
            _("That time was just taken. Here are the nearest free times."),
            code="slot_taken",
            suggestions=suggestions,
        )
    raise DomainError(
        _("That time is not offered. Pick one of the listed times."),
        code="slot_not_offered",
        status=400,
        field="starts_at",
        suggestions=suggestions,
    )


def _lock(therapist_id: int, couple_id: int) -> None:
    """Serialize writers per therapist and per couple (always in this order).

    The locks are the UPDATEs that bump both slot versions: every booking write starts
    here, so whatever it changes commits together with the new versions, and a slot
    list cached before it is never served again (``slots_versions_bump``).
    """
    slots_versions_bump(therapist_id=therapist_id, couple_id=couple_id)


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
            _("That time was just taken. Pick another time."), code="slot_taken", suggestions=[]
        ) from None
    return booking


def _apply_times(booking: Booking, session_type: SessionType, starts_at: datetime) -> None:
    booking.starts_at = starts_at
    booking.ends_at = starts_at + session_type.length
    booking.blocked_start = starts_at - timedelta(minutes=session_type.buffer_before_minutes)
    booking.blocked_end = booking.ends_at + timedelta(minutes=session_type.buffer_after_minutes)


def _queue_booking_email(
    booking_ids: list[int], kind: str, actor_id: int | None, *, now: datetime, **extra: Any
) -> None:
    """Queue the emails about this change; they leave after commit, from a Celery task."""
    from scheduling.emails import booking_emails_queue

    booking_emails_queue(booking_ids, kind, actor_id, now=now, **extra)
