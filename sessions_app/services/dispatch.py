"""The reminder dispatcher: a batched claim feeding a delivery outbox.

1. Claim: one transaction takes the ids of up to ``BATCH_SIZE`` due reminders
   (``ORDER BY due_at, id LIMIT n FOR UPDATE SKIP LOCKED`` over a partial index of
   pending rows; SQLite's IMMEDIATE transactions serialise instead), loads them with
   everything their messages need in a few queries, renders each booking's shared
   parts once, and commits the batch's deliveries (emails as ``queued`` outbox rows,
   in-app notifications at once) together with the reminders' new status.
2. Send: a sender locks ``SEND_GROUP`` queued emails, hands them to the mail server
   and marks them sent. Mail is never sent inside the claim transaction.

Exactly-once: a reminder is claimed under a lock and re-checked, and each
(reminder, channel, recipient) delivery is a unique row committed with the reminder's
status. Emails carry a Message-ID derived from that row, so the one window no database
can close (killed after the mail server accepted a group, before COMMIT) re-sends at
most one group with the same Message-IDs, which mail systems and our outbox backend
recognise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.site import link_path
from scheduling.models import Booking
from sessions_app import emails, mail
from sessions_app.models import Delivery, HomeworkAssignment, Notification, Reminder
from sessions_app.services.reminders import preference_for

log = logging.getLogger(__name__)

# A reminder this far past its moment was delayed (the system was down or behind).
LATE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Reminders claimed per transaction: big enough to amortise the round trips, small
# enough that a claim transaction stays well under a second.
BATCH_SIZE = 200
# Emails handed to the mail server per sender transaction: a kill -9 mid-send re-sends
# at most this many (the same Message-IDs).
SEND_GROUP = 5
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
        parts = {"date": when["date"], "time": when["time"], "zone": when["abbrev"]}
        if reminder.sent_late:
            title = gettext("Late reminder: Your session is on %(date)s at %(time)s (%(zone)s)")
        else:
            title = gettext("Your session is on %(date)s at %(time)s (%(zone)s)")
        return Notification.Kind.REMINDER, title % parts, link_path("scheduling:my_sessions")
    if kind == Reminder.Kind.HOMEWORK_DUE:
        return (
            Notification.Kind.HOMEWORK,
            gettext("An exercise is due within a day"),
            link_path("sessions_app:homework_detail", reminder.assignment_id),
        )
    if kind == Reminder.Kind.FOLLOW_UP:
        return (
            Notification.Kind.REFLECTION,
            gettext("How did your session go? Your reflection and homework are ready"),
            link_path("sessions_app:reflect", reminder.booking_id),
        )
    return (
        Notification.Kind.CHECK_IN,
        gettext("A check-in needs your attention before the session"),
        link_path("sessions_app:prepare", reminder.booking_id),
    )


def _wants_email(reminder: Reminder) -> bool:
    if reminder.kind in (Reminder.Kind.SESSION, Reminder.Kind.HOMEWORK_DUE):
        return preference_for(reminder.recipient).email
    return True


def _claim_ids(now: datetime, limit: int, skip: set[int]) -> list[int]:
    """Lock the next due reminders no other dispatcher holds (the queue pattern): ids
    only, so the lock query never joins or sorts anything but the pending index."""
    return list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .exclude(pk__in=skip)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _load(ids: list[int]) -> list[Reminder]:
    """The claimed reminders with what their messages need: a handful of queries for
    the whole batch, one Booking object per booking so its parts are built once."""
    reminders = list(
        Reminder.objects.filter(pk__in=ids)
        .select_related(
            "recipient__reminder_preference",
            "booking__therapist",
            "booking__couple",
            "assignment",
        )
        .order_by("due_at", "pk")
    )
    bookings: dict[int, Booking] = {}
    for reminder in reminders:
        if reminder.booking is not None:
            reminder.booking = bookings.setdefault(reminder.booking.pk, reminder.booking)
    prefetch_related_objects(list(bookings.values()), "couple__memberships__user")
    return reminders


def _render(reminder: Reminder, now: datetime) -> tuple[list[Delivery], Notification]:
    """The reminder's delivery rows (email queued with its sealed message) and its
    in-app notification, both in the recipient's language."""
    reminder.sent_late = reminder.kind == Reminder.Kind.SESSION and (
        now - reminder.due_at > LATE_AFTER
    )
    with translation.override(reminder.recipient.language):
        kind, title, url = _in_app(reminder, now)
    rows = [
        Delivery(
            reminder=reminder,
            channel=Delivery.Channel.IN_APP,
            recipient_id=reminder.recipient_id,
            delivered_at=now,
            status=Delivery.Status.SENT,
            sent_at=now,
        )
    ]
    if _wants_email(reminder):
        message_id = emails.message_id(reminder)
        message = emails.BUILDERS[Reminder.Kind(reminder.kind)](reminder, now=now)
        rows.append(
            Delivery(
                reminder=reminder,
                channel=Delivery.Channel.EMAIL,
                recipient_id=reminder.recipient_id,
                delivered_at=now,
                message_id=message_id,
                status=Delivery.Status.QUEUED,
                payload=mail.seal(message, message_id=message_id),
            )
        )
    notification = Notification(
        user_id=reminder.recipient_id,
        kind=kind,
        title=title[:200],
        url=url,
        key=f"reminder:{reminder.pk}",
        created_at=now,
    )
    return rows, notification


def reminders_claim_batch(
    *, now: datetime, limit: int = BATCH_SIZE, skip: set[int] | None = None
) -> dict[str, int] | None:
    """Claim up to ``limit`` due reminders and commit their outcomes in one transaction:
    deliveries queued (email) or shown (in-app), or a final status when a reminder must
    not go out. ``None`` when nothing is left to claim. A reminder whose message cannot
    be built is counted as a retry (and added to ``skip``), the rest of the batch goes.
    """
    skip = skip if skip is not None else set()
    counts = dict.fromkeys(OUTCOMES, 0)
    with transaction.atomic():
        ids = _claim_ids(now, limit, skip)
        if not ids:
            return None
        reminders = _load(ids)
        # Rows that already have deliveries were sent before (never repeat them).
        done_before = set(
            Delivery.objects.filter(reminder_id__in=ids).values_list("reminder_id", flat=True)
        )
        by_status: dict[str, list[int]] = {}
        deliveries: list[Delivery] = []
        notifications = []
        sent, late = [], []
        for reminder in reminders:
            if reminder.pk in done_before:
                by_status.setdefault(Reminder.Status.SENT, []).append(reminder.pk)
                counts["skipped"] += 1
                continue
            try:
                verdict = _verdict(reminder, now)
                if verdict is not None:
                    by_status.setdefault(verdict, []).append(reminder.pk)
                    counts[verdict] += 1
                    continue
                rows, notification = _render(reminder, now)
            except Exception as exc:
                log.exception("reminder %s could not be rendered", reminder.pk)
                counts[_record_failure(reminder, exc)] += 1
                skip.add(reminder.pk)
                continue
            deliveries.extend(rows)
            notifications.append(notification)
            sent.append(reminder.pk)
            if reminder.sent_late:
                late.append(reminder.pk)
        Delivery.objects.bulk_create(deliveries, batch_size=500)
        Notification.objects.bulk_create(notifications, batch_size=500, ignore_conflicts=True)
        if sent:
            Reminder.objects.filter(pk__in=sent).update(status=Reminder.Status.SENT, sent_at=now)
            counts["sent"] += len(sent)
        if late:
            Reminder.objects.filter(pk__in=late).update(sent_late=True)
        for status, pks in by_status.items():
            Reminder.objects.filter(pk__in=pks).update(status=status)
    return counts


def _record_failure(reminder: Reminder, exc: Exception) -> str:
    """Inside the claim transaction: count the attempt; give up after MAX_ATTEMPTS."""
    attempts = reminder.attempts + 1
    status = Reminder.Status.FAILED if attempts >= MAX_ATTEMPTS else Reminder.Status.PENDING
    Reminder.objects.filter(pk=reminder.pk).update(
        attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:300], status=status
    )
    return "failed" if status == Reminder.Status.FAILED else "retry"


def _lock_group(size: int, skip: set[int]) -> list[tuple[int, str, str]]:
    """(id, message_id, payload) of up to ``size`` queued emails, locked so that other
    senders skip them. SQL rather than the ORM: this and ``_mark_sent`` run once per
    SEND_GROUP emails, and building their querysets cost as much CPU as the rest of the
    send's database work. Only the quoted table name and placeholders are formatted in."""
    table = db.ops.quote_name(Delivery._meta.db_table)
    not_skipped = f"AND id NOT IN ({', '.join(['%s'] * len(skip))})" if skip else ""
    # Backends without row locks (SQLite) serialise whole transactions instead.
    locked = db.features.has_select_for_update_skip_locked
    lock = db.ops.for_update_sql(skip_locked=True) if locked else ""
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT id, message_id, payload FROM {table} "  # noqa: S608
            f"WHERE status = %s {not_skipped} ORDER BY id LIMIT %s {lock}",
            [Delivery.Status.QUEUED, *skip, size],
        )
        return cursor.fetchall()


def _mark_sent(ids: list[int]) -> None:
    table = db.ops.quote_name(Delivery._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, payload = '' "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [Delivery.Status.SENT, db.ops.adapt_datetimefield_value(timezone.now()), *ids],
        )


def deliveries_send_group(
    *,
    connection: BaseEmailBackend | None = None,
    size: int = SEND_GROUP,
    skip: set[int] | None = None,
) -> tuple[int, int] | None:
    """Send up to ``size`` queued emails and mark them sent, in one transaction; the
    lock keeps other senders off the group while the mail server takes it. Returns
    (sent, failed), or ``None`` when the outbox is empty. A failing mail server leaves
    the group queued with one more attempt (failed after MAX_ATTEMPTS)."""
    skip = skip if skip is not None else set()
    connection = connection or get_connection()
    with transaction.atomic():
        rows = _lock_group(size, skip)
        if not rows:
            return None
        ids = [pk for pk, _, _ in rows]
        try:
            messages = [
                mail.unseal(payload, message_id=message_id) for _, message_id, payload in rows
            ]
            connection.send_messages(messages)
        except Exception as exc:
            log.warning("mail server refused %d emails: %s", len(rows), exc)
            error = f"{type(exc).__name__}: {exc}"[:300]
            Delivery.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, last_error=error)
            Delivery.objects.filter(pk__in=ids, attempts__gte=MAX_ATTEMPTS).update(
                status=Delivery.Status.FAILED
            )
            skip.update(ids)
            return 0, len(ids)
        _mark_sent(ids)
        return len(ids), 0


def deliveries_send_queued(
    *,
    connection: BaseEmailBackend | None = None,
    budget_seconds: float = 50.0,
    skip: set[int] | None = None,
) -> dict[str, int]:
    """Send queued emails group by group until the outbox is empty or time is up."""
    counts = {"emails_sent": 0, "emails_failed": 0}
    skip = skip if skip is not None else set()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        done = deliveries_send_group(connection=connection, skip=skip)
        if done is None:
            break
        counts["emails_sent"] += done[0]
        counts["emails_failed"] += done[1]
    return counts


def reminders_dispatch_due(
    *,
    now: datetime | Callable[[], datetime],
    budget_seconds: float = 50.0,
    batch_size: int = BATCH_SIZE,
    on_backlog: Callable[[], object] | None = None,
) -> dict[str, int]:
    """Drain due reminders and the outbox until both are empty or the budget is spent.

    With ``now`` a moment (tests) every reminder is judged at that moment; given a
    clock (``timezone.now``, the task) each one is judged at the time it is claimed,
    so lateness is measured truly. Any number of dispatchers may run at once: SKIP
    LOCKED hands each different rows. A reminder or email that failed is left for the
    next run (it keeps its attempt count). ``on_backlog`` is called once, the first
    time a claim fills a whole batch (more are waiting): the task asks for a helper.
    """
    counts = {**dict.fromkeys(OUTCOMES, 0), "emails_sent": 0, "emails_failed": 0}
    started = time.monotonic()
    failed: set[int] = set()
    failed_emails: set[int] = set()
    connection = get_connection()
    connection.open()
    try:
        while True:
            left = budget_seconds - (time.monotonic() - started)
            if left <= 0:
                break
            claimed = reminders_claim_batch(
                now=now() if callable(now) else now, limit=batch_size, skip=failed
            )
            for key, value in (claimed or {}).items():
                counts[key] += value
            if on_backlog is not None and claimed and sum(claimed.values()) >= batch_size:
                on_backlog()
                on_backlog = None
            sent = deliveries_send_queued(
                connection=connection, budget_seconds=left, skip=failed_emails
            )
            for key, value in sent.items():
                counts[key] += value
            if claimed is None:
                break
    finally:
        connection.close()
    return counts
