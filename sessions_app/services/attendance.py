"""Attendance from the video room, and closing a session once it is over."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from scheduling.models import Booking
from sessions_app.models import Attendance, Reminder, SessionClosure

# Joining more than this after the start counts as late.
LATE_GRACE = timedelta(minutes=5)
# Sessions close this long after their scheduled end if nobody ended them.
AUTO_CLOSE_AFTER = timedelta(minutes=10)
CLOSABLE = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def attendance_record_join(*, booking: Booking, user: User, at: datetime) -> Attendance:
    """Record (or improve) a participant's attendance; the first join decides lateness."""
    status = (
        Attendance.Status.LATE
        if at > booking.starts_at + LATE_GRACE
        else (Attendance.Status.JOINED)
    )
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(booking=booking, user=user).first()
        if row is None:
            try:
                with transaction.atomic():
                    return Attendance.objects.create(
                        booking=booking,
                        user=user,
                        status=status,
                        first_joined_at=at,
                        recorded_at=at,
                    )
            except IntegrityError:
                row = Attendance.objects.select_for_update().get(booking=booking, user=user)
        if row.first_joined_at is None or at < row.first_joined_at:
            row.first_joined_at = at
            row.status = status
            row.recorded_at = at
            row.save(update_fields=["first_joined_at", "status", "recorded_at"])
        return row


@transaction.atomic
def session_close(*, booking: Booking, now: datetime, ended_by_therapist: bool) -> bool:
    """Wrap up a finished session once: no-shows, then the follow-up to both partners.

    Returns False if it was already closed (signals and the periodic sweep both call it).
    """
    booking = Booking.objects.select_for_update().select_related("couple").get(pk=booking.pk)
    if booking.status not in CLOSABLE:
        return False
    try:
        with transaction.atomic():
            SessionClosure.objects.create(
                booking=booking, closed_at=now, ended_by_therapist=ended_by_therapist
            )
    except IntegrityError:
        return False
    partners = booking.couple.partners
    joined = set(Attendance.objects.filter(booking=booking).values_list("user_id", flat=True))
    someone_came = bool(joined) or booking.format == Booking.Format.IN_PERSON
    for partner in partners:
        if partner.pk not in joined and booking.format == Booking.Format.VIDEO and someone_came:
            Attendance.objects.create(
                booking=booking, user=partner, status=Attendance.Status.NO_SHOW, recorded_at=now
            )
        Reminder.objects.get_or_create(
            key=f"follow_up:{booking.pk}:{partner.pk}",
            defaults={
                "kind": Reminder.Kind.FOLLOW_UP,
                "recipient": partner,
                "booking": booking,
                "due_at": now,
            },
        )
    # Session reminders still pending for an ended session must never go out.
    Reminder.objects.filter(
        booking=booking, kind=Reminder.Kind.SESSION, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)
    return True


def sessions_close_finished(*, now: datetime, limit: int = 200) -> int:
    """The sweep: sessions ended by the therapist or past their end time, not yet closed."""
    candidates = (
        Booking.objects.filter(status__in=CLOSABLE, closure__isnull=True)
        .filter(ends_at__lte=now - AUTO_CLOSE_AFTER)
        .values_list("pk", flat=True)[:limit]
    )
    ended = Booking.objects.filter(
        status__in=CLOSABLE, closure__isnull=True, ended_at__isnull=False
    ).values_list("pk", flat=True)[:limit]
    closed = 0
    for booking in Booking.objects.filter(pk__in={*candidates, *ended}).order_by("pk"):
        closed += session_close(
            booking=booking, now=now, ended_by_therapist=booking.ended_at is not None
        )
    return closed


@transaction.atomic
def session_end(*, therapist: User, booking: Booking, now: datetime) -> Booking:
    """The therapist ends a session (also the way to close an in-person one).

    Fires ``session_ended`` like the video room does, so follow-ups go out the same way.
    """
    from core.errors import DomainError, Forbidden
    from scheduling import signals

    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.therapist_id != therapist.pk:
        raise Forbidden(gettext("Only the session's therapist can end it."), code="not_yours")
    if booking.ended_at is not None:
        return booking
    if booking.status not in CLOSABLE:
        raise DomainError(gettext("This session was cancelled."), code="cancelled")
    if now < booking.starts_at:
        raise DomainError(gettext("This session has not started yet."), code="not_started")
    booking.ended_at = now
    booking.status = Booking.Status.COMPLETED
    booking.save(update_fields=["ended_at", "status"])
    signals.session_ended.send(sender=Booking, booking=booking, ended_by=therapist)
    return booking
