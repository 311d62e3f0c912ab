"""Scheduling reminder rows: when each person should hear about a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext, ngettext

from accounts.models import User
from core.errors import DomainError
from scheduling.models import Booking
from sessions_app.models import Reminder, ReminderPreference, default_offsets

DAY_MINUTES = 24 * 60
ALLOWED_OFFSETS = [
    10,
    15,
    30,
    60,
    120,
    180,
    360,
    720,
    DAY_MINUTES,
    2 * DAY_MINUTES,
    7 * DAY_MINUTES,
]
REMINDABLE = (Booking.Status.CONFIRMED,)


def reminder_due_at(*, starts_at: datetime, offset_minutes: int, tz: ZoneInfo) -> datetime:
    """When to remind, in UTC.

    Whole-day offsets are wall-clock days in the recipient's zone: "24 h before" a
    10:00 session is 10:00 the day before on the recipient's clock, even when a DST
    change falls in between (then it is 23 or 25 real hours). Shorter offsets are
    real durations: "1 h before" is always 60 minutes.
    """
    if offset_minutes % DAY_MINUTES == 0:
        local = starts_at.astimezone(tz).replace(tzinfo=None)
        wall = local - timedelta(days=offset_minutes // DAY_MINUTES)
        # A wall time inside a spring-forward gap maps to the instant after the gap.
        return wall.replace(tzinfo=tz).astimezone(UTC)
    return (starts_at - timedelta(minutes=offset_minutes)).astimezone(UTC)


def preference_for(user: User) -> ReminderPreference:
    pref = getattr(user, "_reminder_pref_cache", None)
    if pref is not None:
        return pref
    try:
        pref = user.reminder_preference  # select_related by the dispatcher
    except ReminderPreference.DoesNotExist:
        pref = ReminderPreference(user=user, offsets_minutes=default_offsets())
    user._reminder_pref_cache = pref  # type: ignore[attr-defined]
    return pref


def _session_key(booking: Booking, user: User, offset: int, starts_at: datetime) -> str:
    return f"session:{booking.pk}:{user.pk}:{offset}:{int(starts_at.timestamp())}"


def session_recipients(booking: Booking) -> list[User]:
    people = [*booking.couple.partners, booking.therapist]
    seen: dict[int, User] = {}
    for person in people:
        seen.setdefault(person.pk, person)
    return list(seen.values())


@transaction.atomic
def reminders_sync_for_booking(*, booking: Booking, now: datetime) -> list[Reminder]:
    """Make the pending session reminders match the booking and everyone's preferences.

    Pending rows move with the session; rows already sent stay as history (a moved
    session gets fresh reminders for its new time); a moment already past is not
    scheduled, and a cancelled or ended session keeps no pending reminders.
    """
    booking = Booking.objects.select_related("couple", "therapist").get(pk=booking.pk)
    pending = {
        (r.recipient_id, r.offset_minutes): r
        for r in Reminder.objects.select_for_update().filter(
            booking=booking, kind=Reminder.Kind.SESSION, status=Reminder.Status.PENDING
        )
    }
    wanted: list[Reminder] = []
    if booking.status in REMINDABLE and booking.starts_at > now and booking.ended_at is None:
        for person in session_recipients(booking):
            pref = preference_for(person)
            if not pref.enabled:
                continue
            for offset in sorted(set(pref.offsets_minutes), reverse=True):
                due = reminder_due_at(
                    starts_at=booking.starts_at, offset_minutes=offset, tz=person.tz
                )
                if due <= now:
                    continue
                key = _session_key(booking, person, offset, booking.starts_at)
                row = pending.pop((person.pk, offset), None)
                if row is not None:
                    if row.key != key and Reminder.objects.filter(key=key).exists():
                        # Moved back to a time whose reminder already went out.
                        row.status = Reminder.Status.CANCELLED
                        row.save(update_fields=["status"])
                        continue
                    if row.key != key:
                        row.key, row.due_at = key, due
                        row.session_starts_at = booking.starts_at
                        row.save(update_fields=["key", "due_at", "session_starts_at"])
                    wanted.append(row)
                    continue
                row, _ = Reminder.objects.get_or_create(
                    key=key,
                    defaults={
                        "kind": Reminder.Kind.SESSION,
                        "recipient": person,
                        "booking": booking,
                        "offset_minutes": offset,
                        "session_starts_at": booking.starts_at,
                        "due_at": due,
                    },
                )
                wanted.append(row)
    for stale in pending.values():
        stale.status = Reminder.Status.CANCELLED
        stale.save(update_fields=["status"])
    return wanted


@transaction.atomic
def reminders_cancel_for_booking(*, booking: Booking) -> int:
    rows = list(
        Reminder.objects.select_for_update().filter(
            booking=booking,
            status=Reminder.Status.PENDING,
            kind__in=[Reminder.Kind.SESSION, Reminder.Kind.SAFETY_ALERT],
        )
    )
    for row in rows:
        row.status = Reminder.Status.CANCELLED
        row.save(update_fields=["status"])
    return len(rows)


@transaction.atomic
def reminder_preference_update(
    *,
    user: User,
    enabled: bool,
    offsets_minutes: list[int],
    email: bool,
    homework_reminders: bool,
    now: datetime,
) -> ReminderPreference:
    offsets = sorted({int(o) for o in offsets_minutes}, reverse=True)
    bad = [o for o in offsets if o not in ALLOWED_OFFSETS]
    if bad:
        raise DomainError(
            gettext("Reminders can be %(offsets)s before.")
            % {"offsets": ", ".join(offset_label(o) for o in ALLOWED_OFFSETS)},
            code="invalid_offset",
            field="offsets_minutes",
        )
    if enabled and not offsets:
        raise DomainError(
            gettext("Choose at least one reminder time, or turn reminders off."),
            code="no_offsets",
            field="offsets_minutes",
        )
    pref, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
    pref.enabled, pref.offsets_minutes = enabled, offsets
    pref.email, pref.homework_reminders = email, homework_reminders
    pref.updated_at = now
    pref.save()
    user._reminder_pref_cache = pref  # type: ignore[attr-defined]
    upcoming = Booking.objects.filter(status__in=REMINDABLE, starts_at__gt=now).filter(
        couple__memberships__user=user, couple__memberships__left_at__isnull=True
    ) | Booking.objects.filter(status__in=REMINDABLE, starts_at__gt=now, therapist=user)
    for booking in upcoming.distinct():
        reminders_sync_for_booking(booking=booking, now=now)
    return pref


def offset_label(minutes: int) -> str:
    if minutes % DAY_MINUTES == 0:
        days = minutes // DAY_MINUTES
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
