"""The reminder dispatcher: claim due rows, deliver, mark sent, in one transaction each.

Exactly-once rests on three things: a row is claimed with ``FOR UPDATE SKIP LOCKED``
(SQLite's IMMEDIATE transactions serialise instead), its status is re-checked under
the lock, and each (reminder, channel, recipient) delivery is a unique row written
in the same transaction that marks the reminder sent. Emails carry a Message-ID
derived from that record, so the one window no database can close (the process
dies after the mail server accepted a message but before COMMIT) resends the same
message, which mail systems and our outbox backend recognise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.urls import reverse

from scheduling.models import Booking
from sessions_app import emails
from sessions_app.models import Delivery, HomeworkAssignment, Notification, Reminder
from sessions_app.services.reminders import preference_for

log = logging.getLogger(__name__)

# A reminder this far past its moment was delayed (the system was down or behind).
LATE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5
OUTCOMES = ("sent", "cancelled", "missed", "failed", "retry", "skipped")


def _verdict(reminder: Reminder, now: datetime) -> str | None:
    """Why the reminder must not go out (a final status), or None to send it."""
    booking = reminder.booking
    kind = reminder.kind
    if kind == Reminder.Kind.HOMEWORK_DUE:
        assignment = reminder.assignment
        assert assignment is not None  # homework reminders always name their assignment
        if assignment.cancelled_at is not None:
            return Reminder.Status.CANCELLED
        if _homework_done_for(assignment, reminder.recipient_id):
            return Reminder.Status.CANCELLED
        if not preference_for(reminder.recipient).homework_reminders:
            return Reminder.Status.CANCELLED
        if assignment.due_at <= now:
            return Reminder.Status.MISSED
        return None
    assert booking is not None  # every other kind is about a session
    if kind == Reminder.Kind.SESSION:
        if booking.status != Booking.Status.CONFIRMED or booking.ended_at is not None:
            return Reminder.Status.CANCELLED
        if booking.starts_at != reminder.session_starts_at:
            return Reminder.Status.CANCELLED
        if booking.starts_at <= now:
            return Reminder.Status.MISSED
        if not preference_for(reminder.recipient).enabled:
            return Reminder.Status.CANCELLED
    elif kind == Reminder.Kind.SAFETY_ALERT:
        if booking.status in (Booking.Status.CANCELLED, Booking.Status.LATE_CANCELLED):
            return Reminder.Status.CANCELLED
    elif kind == Reminder.Kind.FOLLOW_UP and booking.status in (
        Booking.Status.CANCELLED,
        Booking.Status.LATE_CANCELLED,
    ):
        return Reminder.Status.CANCELLED
    return None


def _homework_done_for(assignment: HomeworkAssignment, user_id: int) -> bool:
    done = assignment.responses.filter(done_at__isnull=False)
    if assignment.audience == HomeworkAssignment.Audience.JOINT:
        return done.exists()
    return done.filter(user_id=user_id).exists()


def _in_app(reminder: Reminder, now: datetime) -> tuple[str, str, str]:
    kind = reminder.kind
    if kind == Reminder.Kind.SESSION:
        assert reminder.booking is not None
        when = emails.local_when(reminder.booking.starts_at, reminder.recipient)
        title = f"Your session is on {when['date']} at {when['time']} ({when['abbrev']})"
        if reminder.sent_late:
            title = "Late reminder: " + title
        return Notification.Kind.REMINDER, title, reverse("scheduling:my_sessions")
    if kind == Reminder.Kind.HOMEWORK_DUE:
        return (
            Notification.Kind.HOMEWORK,
            "An exercise is due within a day",
            reverse("sessions_app:homework_detail", args=[reminder.assignment_id]),
        )
    if kind == Reminder.Kind.FOLLOW_UP:
        return (
            Notification.Kind.REFLECTION,
            "How did your session go? Your reflection and homework are ready",
            reverse("sessions_app:reflect", args=[reminder.booking_id]),
        )
    return (
        Notification.Kind.CHECK_IN,
        "A check-in needs your attention before the session",
        reverse("sessions_app:prepare", args=[reminder.booking_id]),
    )


def _wants_email(reminder: Reminder) -> bool:
    if reminder.kind in (Reminder.Kind.SESSION, Reminder.Kind.HOMEWORK_DUE):
        return preference_for(reminder.recipient).email
    return True


def _claim_next(now: datetime, skip: set[int]) -> Reminder | None:
    """Lock the next due reminder no other dispatcher holds (the queue pattern)."""
    return (
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient__reminder_preference", "booking__therapist")
        .filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .exclude(pk__in=skip)
        .order_by("due_at", "pk")
        .first()
    )


def _deliver(reminder: Reminder, now: datetime, connection: BaseEmailBackend) -> str:
    """Inside the claiming transaction: decide, record deliveries, send, mark."""
    verdict = _verdict(reminder, now)
    if verdict is not None:
        reminder.status = verdict
        reminder.save(update_fields=["status"])
        return verdict
    reminder.sent_late = reminder.kind == Reminder.Kind.SESSION and (
        now - reminder.due_at > LATE_AFTER
    )
    kind, title, url = _in_app(reminder, now)
    channels = [Delivery.Channel.IN_APP]
    message = None
    if _wants_email(reminder):
        message = emails.BUILDERS[Reminder.Kind(reminder.kind)](reminder, now=now)
        channels.append(Delivery.Channel.EMAIL)
    # One INSERT for both records; the unique constraint refuses a second send.
    Delivery.objects.bulk_create(
        [
            Delivery(
                reminder=reminder,
                channel=channel,
                recipient_id=reminder.recipient_id,
                delivered_at=now,
                message_id=emails.message_id(reminder) if channel == "email" else "",
            )
            for channel in channels
        ]
    )
    Notification.objects.create(
        user_id=reminder.recipient_id,
        kind=kind,
        title=title[:200],
        url=url,
        key=f"reminder:{reminder.pk}",
        created_at=now,
    )
    if message is not None:
        # Last step before COMMIT: if the send fails, nothing is recorded.
        connection.send_messages([message])
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = now
    reminder.save(update_fields=["status", "sent_at", "sent_late"])
    return "sent"


def reminder_dispatch_next(
    *, now: datetime, connection: BaseEmailBackend | None = None, skip: set[int] | None = None
) -> tuple[int, str] | None:
    """Claim and deliver one due reminder; ``None`` when nothing is left to claim.

    One transaction per reminder: a worker killed at any point leaves every reminder
    either sent with its delivery records or still pending, never half-done.
    """
    skip = skip if skip is not None else set()
    connection = connection or get_connection()
    reminder_id: int | None = None
    try:
        with transaction.atomic():
            reminder = _claim_next(now, skip)
            if reminder is None:
                return None
            reminder_id = reminder.pk
            return reminder_id, _deliver(reminder, now, connection)
    except IntegrityError:
        if reminder_id is None:
            raise
        # A delivery record already exists: the send happened; never repeat it.
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENT, sent_at=now
        )
        return reminder_id, "skipped"
    except Exception as exc:
        if reminder_id is None:
            raise
        log.exception("reminder %s could not be delivered", reminder_id)
        return reminder_id, _record_failure(reminder_id, exc)


def _record_failure(reminder_id: int, exc: Exception) -> str:
    with transaction.atomic():
        row = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if row is None or row.status != Reminder.Status.PENDING:
            return "skipped"
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = Reminder.Status.FAILED
        row.save(update_fields=["attempts", "last_error", "status"])
        return "failed" if row.status == Reminder.Status.FAILED else "retry"


def reminders_dispatch_due(
    *, now: datetime | Callable[[], datetime], budget_seconds: float = 50.0
) -> dict[str, int]:
    """Drain due reminders until none are left or the time budget is spent.

    With ``now`` a moment (tests) every reminder is judged at that moment; given a
    clock (``timezone.now``, the task) each one is judged at the time it is claimed,
    so lateness is measured truly. Any
    number of dispatchers may run at once: SKIP LOCKED hands each a different row.
    A reminder that failed is left for the next run (it keeps its attempt count).
    """
    counts = dict.fromkeys(OUTCOMES, 0)
    started = time.monotonic()
    failed: set[int] = set()
    connection = get_connection()
    connection.open()
    try:
        while time.monotonic() - started < budget_seconds:
            moment = now() if callable(now) else now
            done = reminder_dispatch_next(now=moment, connection=connection, skip=failed)
            if done is None:
                break
            reminder_id, outcome = done
            counts[outcome] += 1
            if outcome in ("retry", "failed"):
                failed.add(reminder_id)
    finally:
        connection.close()
    return counts
