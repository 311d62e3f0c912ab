"""When reminders are due: wall-clock days in each recipient's zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduling import signals
from scheduling.models import Booking
from sessions_app.emails import session_reminder_email
from sessions_app.models import Reminder
from sessions_app.services.reminders import reminder_due_at, reminder_preference_update
from tests.factories import make_couple, make_user
from tests.sessions_app.conftest import confirm, make_booking

pytestmark = pytest.mark.django_db

LA, TOKYO, WARSAW, SYDNEY = (
    ZoneInfo("America/Los_Angeles"),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Europe/Warsaw"),
    ZoneInfo("Australia/Sydney"),
)


@pytest.mark.parametrize(
    ("zone", "session_local", "real_hours"),
    [
        # US spring forward: Sun 8 Mar 2026 02:00 -> 03:00; the day before is 23 h.
        (LA, datetime(2026, 3, 8, 10, 0), 23),
        # EU spring forward: Sun 29 Mar 2026 02:00 -> 03:00.
        (WARSAW, datetime(2026, 3, 29, 9, 0), 23),
        # EU fall back: Sun 25 Oct 2026 03:00 -> 02:00; the day before is 25 h.
        (WARSAW, datetime(2026, 10, 25, 9, 0), 25),
        # Southern hemisphere fall back: Sun 5 Apr 2026 03:00 -> 02:00.
        (SYDNEY, datetime(2026, 4, 5, 18, 30), 25),
        # No DST at all.
        (TOKYO, datetime(2026, 3, 8, 10, 0), 24),
    ],
)
def test_day_reminder_keeps_the_wall_clock_across_dst(zone, session_local, real_hours):
    starts = session_local.replace(tzinfo=zone).astimezone(UTC)
    due = reminder_due_at(starts_at=starts, offset_minutes=24 * 60, tz=zone)
    local_due = due.astimezone(zone)
    assert local_due.replace(tzinfo=None) == session_local - timedelta(days=1)
    assert starts - due == timedelta(hours=real_hours)


def test_hour_reminder_is_a_real_hour_even_over_the_gap():
    # 03:30 local right after the spring-forward gap: one real hour before is 01:30 PST.
    starts = datetime(2026, 3, 8, 3, 30, tzinfo=LA).astimezone(UTC)
    due = reminder_due_at(starts_at=starts, offset_minutes=60, tz=LA)
    assert starts - due == timedelta(hours=1)
    assert due.astimezone(LA).strftime("%H:%M %Z") == "01:30 PST"


def test_day_reminder_landing_in_the_gap_moves_after_it():
    # Session Mon 9 Mar 02:30 LA; "the day before" at 02:30 does not exist on Sunday.
    starts = datetime(2026, 3, 9, 2, 30, tzinfo=LA).astimezone(UTC)
    due = reminder_due_at(starts_at=starts, offset_minutes=24 * 60, tz=LA)
    assert due.astimezone(LA).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)


def test_confirmed_booking_schedules_24h_and_1h_for_all_three(couple, therapist, booking, now):
    from sessions_app.services.reminders import reminders_sync_for_booking

    rows = reminders_sync_for_booking(booking=booking, now=now)
    people = {r.recipient_id for r in rows}
    assert people == {p.pk for p in couple.partners} | {therapist.pk}
    assert sorted({r.offset_minutes for r in rows}) == [60, 24 * 60]
    assert len(rows) == 6


def test_signals_schedule_move_and_cancel(couple, therapist, clinic):
    from django.utils import timezone

    start = timezone.now() + timedelta(days=5)
    booking = make_booking(couple, therapist, start, clinic=clinic)
    confirm(booking)
    assert Reminder.objects.filter(booking=booking, status="pending").count() == 6
    confirm(booking)  # a repeated signal changes nothing
    assert Reminder.objects.filter(booking=booking).count() == 6

    previous = booking.starts_at
    booking.starts_at += timedelta(days=2)
    booking.ends_at += timedelta(days=2)
    booking.sequence += 1  # as scheduling's reschedule service does
    booking.save()
    signals.booking_rescheduled.send(sender=Booking, booking=booking, previous_starts_at=previous)
    pending = Reminder.objects.filter(booking=booking, status="pending")
    assert pending.count() == 6, "pending reminders move, none are added"
    for r in pending:
        assert r.session_starts_at == booking.starts_at
        assert r.due_at > previous
    reminder = pending.filter(kind=Reminder.Kind.SESSION).first()
    ics = session_reminder_email(reminder, now=timezone.now()).attachments[0][1]
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["UID"]) == booking.ical_uid and event["SEQUENCE"] == 1

    booking.status = Booking.Status.CANCELLED
    booking.save()
    signals.booking_cancelled.send(sender=Booking, booking=booking, late=False)
    assert not Reminder.objects.filter(booking=booking, status="pending").exists()
    assert Reminder.objects.filter(booking=booking, status="cancelled").count() == 6


def test_reschedule_after_a_reminder_went_out_gives_fresh_ones(couple, therapist, clinic):
    from django.utils import timezone

    booking = make_booking(couple, therapist, timezone.now() + timedelta(hours=20), clinic=clinic)
    confirm(booking)  # the 24 h moment has passed: only the 1 h reminders are scheduled
    assert set(Reminder.objects.values_list("offset_minutes", flat=True)) == {60}
    Reminder.objects.update(status="sent")
    previous = booking.starts_at
    booking.starts_at += timedelta(days=7)
    booking.ends_at += timedelta(days=7)
    booking.save()
    signals.booking_rescheduled.send(sender=Booking, booking=booking, previous_starts_at=previous)
    pending = Reminder.objects.filter(status="pending")
    assert pending.count() == 6
    assert Reminder.objects.filter(status="sent").count() == 3


def test_preferences_change_offsets_and_turn_off(couple, therapist, partner_a, booking, now):
    from sessions_app.services.reminders import reminders_sync_for_booking

    reminders_sync_for_booking(booking=booking, now=now)
    reminder_preference_update(
        user=partner_a,
        enabled=True,
        offsets_minutes=[2 * 24 * 60, 15],
        email=True,
        homework_reminders=True,
        now=now,
    )
    mine = Reminder.objects.filter(recipient=partner_a, status="pending")
    assert sorted(mine.values_list("offset_minutes", flat=True)) == [15, 2 * 24 * 60]
    reminder_preference_update(
        user=partner_a,
        enabled=False,
        offsets_minutes=[],
        email=True,
        homework_reminders=True,
        now=now,
    )
    assert not Reminder.objects.filter(recipient=partner_a, status="pending").exists()
    # The others keep theirs.
    assert Reminder.objects.filter(status="pending").count() == 4


def test_preferences_reject_odd_offsets(partner_a, now):
    from core.errors import DomainError

    with pytest.raises(DomainError) as err:
        reminder_preference_update(
            user=partner_a,
            enabled=True,
            offsets_minutes=[7],
            email=True,
            homework_reminders=True,
            now=now,
        )
    assert err.value.extra["field"] == "offsets_minutes"
    with pytest.raises(DomainError):
        reminder_preference_update(
            user=partner_a,
            enabled=True,
            offsets_minutes=[],
            email=True,
            homework_reminders=True,
            now=now,
        )


def test_each_recipient_gets_their_own_wall_clock(therapist, clinic):
    """One session, three zones: the 24 h reminder is at the session's local time the
    day before for each person, DST or not."""
    from sessions_app.services.reminders import reminders_sync_for_booking

    la = make_user("la@example.com", "Lee LA", "America/Los_Angeles")
    wa = make_user("wa@example.com", "Wiktor Warsaw", "Europe/Warsaw")
    couple = make_couple(la, wa)
    # Sunday 8 Mar 2026 17:00 UTC (10:00 in LA): LA changed clocks that night, Warsaw not.
    starts = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    booking = make_booking(couple, therapist, starts, clinic=clinic)
    rows = reminders_sync_for_booking(booking=booking, now=starts - timedelta(days=10))
    day = {r.recipient_id: r.due_at for r in rows if r.offset_minutes == 24 * 60}
    assert starts - day[la.pk] == timedelta(hours=23)
    assert starts - day[wa.pk] == timedelta(hours=24)
    assert day[la.pk].astimezone(LA).strftime("%H:%M") == starts.astimezone(LA).strftime("%H:%M")
