"""The dispatcher with a pinned clock: what goes out, when, once, and what it says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail

from scheduling import signals
from scheduling.models import Booking
from sessions_app.models import Delivery, Notification, Reminder
from sessions_app.services.dispatch import reminders_dispatch_due
from sessions_app.services.reminders import reminders_sync_for_booking
from tests.factories import make_couple, make_user
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def _mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_nothing_before_the_moment_then_each_once(couple, therapist, booking, now):
    reminders_sync_for_booking(booking=booking, now=now)
    day_before = booking.starts_at - timedelta(days=1)
    assert reminders_dispatch_due(now=day_before - timedelta(hours=2))["sent"] == 0
    assert mail.outbox == []
    # Sam (LA) and the therapist (LA) are due at the same instant; Aiko (Tokyo) too: no DST
    # in June, so 24 h is 24 h for all of them.
    result = reminders_dispatch_due(now=day_before + timedelta(minutes=1))
    assert result["sent"] == 3
    assert len(mail.outbox) == 3
    again = reminders_dispatch_due(now=day_before + timedelta(minutes=2))
    assert again["sent"] == 0 and len(mail.outbox) == 3
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=59))
    assert len(mail.outbox) == 6
    assert Delivery.objects.filter(channel="email").count() == 6
    assert Delivery.objects.filter(channel="in_app").count() == 6
    for person in [*couple.partners, therapist]:
        assert len(_mails_to(person)) == 2
        assert Notification.objects.filter(user=person, kind="reminder").count() == 2


def test_email_is_in_the_recipients_zone_with_links_and_ics(
    couple, therapist, partner_b, booking, now, settings
):
    settings.SITE_URL = "https://duet.example"
    reminders_sync_for_booking(booking=booking, now=now)
    reminders_dispatch_due(now=booking.starts_at - timedelta(hours=24) + timedelta(minutes=1))
    msg = _mails_to(partner_b)[0]
    local = booking.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.strftime("%H:%M") in msg.subject
    assert "JST" in msg.subject
    assert f"https://duet.example/rooms/{booking.room_id}/" in msg.body
    assert "https://duet.example/rooms/tech-check/" in msg.body
    assert "Late" not in msg.subject
    _name, content, mimetype = msg.attachments[0]
    assert mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"duet-booking-{booking.pk}@duet.example"
    assert event["DTSTART"].dt == booking.starts_at
    assert "therapy" not in str(event["SUMMARY"]).lower()
    # The Message-ID names the delivery record: a resend is recognisably the same email.
    assert msg.extra_headers["Message-ID"].startswith("<reminder-")


def test_the_ics_uid_is_stable_and_sequence_rises_on_reschedule(couple, therapist, clinic):
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)  # the signal receivers use the real clock
    booking = make_booking(couple, therapist, now + timedelta(days=3), clinic=clinic)
    reminders_sync_for_booking(booking=booking, now=now)
    reminders_dispatch_due(now=booking.starts_at - timedelta(hours=23))
    first = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    previous = booking.starts_at
    booking.starts_at += timedelta(days=1)
    booking.ends_at += timedelta(days=1)
    booking.sequence += 1  # as scheduling's reschedule service does
    booking.save()
    signals.booking_rescheduled.send(sender=Booking, booking=booking, previous_starts_at=previous)
    mail.outbox.clear()
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    second = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second["DTSTART"].dt == booking.starts_at


def test_no_health_information_in_reminder_email(couple, therapist, partner_a, booking, now):
    from sessions_app.services.checkins import check_in_submit

    check_in_submit(
        user=partner_a,
        booking=booking,
        mood=3,
        talking_points="MARKER-money-fights",
        feels_safe="yes",
        can_speak_freely="yes",
        now=now,
    )
    reminders_sync_for_booking(booking=booking, now=now)
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    assert mail.outbox
    for msg in mail.outbox:
        text = msg.body + msg.alternatives[0][0] + msg.subject
        assert "MARKER" not in text and "mood" not in text.lower()


def test_missed_while_down_is_sent_late_and_says_so(couple, therapist, partner_a, booking, now):
    reminders_sync_for_booking(booking=booking, now=now)
    # The system was down through the 24 h moment; it comes back 3 h before the session.
    back = booking.starts_at - timedelta(hours=3)
    result = reminders_dispatch_due(now=back)
    assert result["sent"] == 3
    msg = _mails_to(partner_a)[0]
    assert msg.subject.startswith("Late reminder")
    assert "This reminder is late" in msg.body and "3 hours" in msg.body
    assert Reminder.objects.filter(sent_late=True).count() == 3
    assert Notification.objects.filter(user=partner_a, title__startswith="Late reminder").exists()


def test_missed_entirely_when_the_session_already_started(couple, therapist, booking, now):
    reminders_sync_for_booking(booking=booking, now=now)
    result = reminders_dispatch_due(now=booking.starts_at + timedelta(minutes=5))
    assert result["sent"] == 0 and result["missed"] == 6
    assert mail.outbox == []


def test_a_cancelled_session_never_reminds_even_if_rows_linger(couple, therapist, booking, now):
    reminders_sync_for_booking(booking=booking, now=now)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    result = reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    assert result["cancelled"] == 6 and mail.outbox == []


def test_email_turned_off_still_notifies_in_app(couple, partner_a, booking, now):
    from sessions_app.services.reminders import reminder_preference_update

    reminder_preference_update(
        user=partner_a,
        enabled=True,
        offsets_minutes=[60],
        email=False,
        homework_reminders=True,
        now=now,
    )
    reminders_sync_for_booking(booking=booking, now=now)
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    assert _mails_to(partner_a) == []
    assert Notification.objects.filter(user=partner_a, kind="reminder").count() == 1


def test_a_failing_mail_server_keeps_emails_queued_until_it_is_back(
    couple, therapist, booking, now, settings
):
    reminders_sync_for_booking(booking=booking, now=now)
    settings.EMAIL_BACKEND = "tests.sessions_app.broken_mail.Backend"
    result = reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    # The reminders went to the outbox (and in-app) once; the emails wait there.
    assert result["sent"] == 6 and result["emails_sent"] == 0 and result["emails_failed"] == 6
    queued = Delivery.objects.filter(channel="email", status="queued")
    assert queued.count() == 6 and set(queued.values_list("attempts", flat=True)) == {1}
    assert Notification.objects.count() == 6
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=29))
    assert again["sent"] == 0 and again["emails_sent"] == 6
    assert len(mail.outbox) == 6
    assert not Delivery.objects.filter(status="queued").exists()
    assert Delivery.objects.filter(channel="email").count() == 6


def test_the_outbox_keeps_no_readable_message(couple, therapist, booking, now, settings):
    """Queued emails are sealed at rest and emptied once the mail server took them."""
    reminders_sync_for_booking(booking=booking, now=now)
    settings.EMAIL_BACKEND = "tests.sessions_app.broken_mail.Backend"
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    row = Delivery.objects.filter(channel="email").first()
    assert row.payload and therapist.name not in row.payload and "Reminder" not in row.payload
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=29))
    row.refresh_from_db()
    assert row.status == "sent" and row.payload == "" and row.sent_at is not None


def test_one_claim_renders_a_batch_in_a_few_queries(
    couple, therapist, booking, now, django_assert_max_num_queries
):
    """The claim costs the same handful of queries for 6 reminders as for 1."""
    from sessions_app.services.dispatch import reminders_claim_batch

    reminders_sync_for_booking(booking=booking, now=now)
    with django_assert_max_num_queries(14):
        counts = reminders_claim_batch(now=booking.starts_at - timedelta(minutes=30))
    assert counts["sent"] == 6
    assert Delivery.objects.filter(channel="email", status="queued").count() == 6


def test_dst_session_reminder_goes_out_at_each_recipients_wall_clock(therapist, clinic):
    """A session on Sunday 8 March 2026 at 10:00 in LA, hours after the US spring-forward.
    Wiktor in Warsaw (no change that weekend) gets the 24 h reminder 24 real hours
    before, at 18:00 CET on Saturday; Lee and the therapist in LA get theirs at 10:00 PST
    on Saturday, 23 real hours before: the same wall-clock time as the session."""
    lee = make_user("lee@example.com", "Lee", "America/Los_Angeles")
    wiktor = make_user("wiktor@example.com", "Wiktor", "Europe/Warsaw")
    couple = make_couple(lee, wiktor)
    starts = datetime(2026, 3, 8, 10, 0, tzinfo=LA).astimezone(UTC)  # 17:00 UTC, PDT
    booking = make_booking(couple, therapist, starts, clinic=clinic)
    reminders_sync_for_booking(booking=booking, now=starts - timedelta(days=10))

    wiktor_moment = starts - timedelta(hours=24)  # Sat 17:00 UTC = 18:00 CET
    lee_moment = datetime(2026, 3, 7, 10, 0, tzinfo=LA).astimezone(UTC)  # Sat 18:00 UTC
    assert lee_moment - wiktor_moment == timedelta(hours=1)

    reminders_dispatch_due(now=wiktor_moment - timedelta(seconds=1))
    assert mail.outbox == []
    reminders_dispatch_due(now=wiktor_moment)
    assert [m.to[0] for m in mail.outbox] == [wiktor.email]
    msg = _mails_to(wiktor)[0]
    assert "Sunday 8 March 2026 at 18:00 (CET)" in msg.subject

    reminders_dispatch_due(now=lee_moment - timedelta(seconds=1))
    assert _mails_to(lee) == []
    reminders_dispatch_due(now=lee_moment)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [wiktor.email, lee.email, therapist.email]
    )
    assert "Sunday 8 March 2026 at 10:00 (PDT)" in _mails_to(lee)[0].subject
    assert "Sunday 8 March 2026 at 10:00 (PDT)" in _mails_to(therapist)[0].subject
    assert not any(m.subject.startswith("Late") for m in mail.outbox)


def test_outbox_backend_writes_each_message_id_once(tmp_path, couple, booking, now, settings):
    settings.EMAIL_BACKEND = "sessions_app.mail.OutboxFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    reminders_sync_for_booking(booking=booking, now=now)
    reminders_dispatch_due(now=booking.starts_at - timedelta(minutes=30))
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 6
    # A resend after a crash (same Message-ID) is recognised, not delivered twice.
    from django.core.mail import get_connection

    from sessions_app import emails

    reminder = Reminder.objects.filter(status="sent").first()
    msg = emails.session_reminder_email(reminder, now=now)
    get_connection().send_messages([msg])
    assert len(list(tmp_path.glob("*.eml"))) == 6
    parsed = message_from_bytes(files[0].read_bytes())
    assert parsed["Message-ID"].startswith("<reminder-")


def test_a_remembered_calendar_file_follows_the_booking(couple, therapist, booking):
    """Files are kept per process by what they say: a change writes a new file, the same
    as one written from scratch."""
    from scheduling import ics

    first = ics.calendar_for([booking], zone="Asia/Tokyo", method="PUBLISH")
    assert ics.calendar_for([booking], zone="Asia/Tokyo", method="PUBLISH") is first
    therapist.full_name = "Dr. Renamed"
    booking.sequence += 1
    changed = ics.calendar_for([booking], zone="Asia/Tokyo", method="PUBLISH")
    assert b"Dr. Renamed" in changed and b"SEQUENCE:1" in changed and changed != first
    ics._single_event_document.cache_clear()
    assert ics.calendar_for([booking], zone="Asia/Tokyo", method="PUBLISH") == changed


def test_outbox_headers_are_folded_exactly_as_the_standard_library_folds_them():
    from email.policy import compat32

    from sessions_app.mail import OutboxMessage

    subject = "Przypomnienie: sesja Duet w czwartek 3 grudnia 2026 o 18:00 (CET), 日本語も " * 2
    email = OutboxMessage(subject, "body", to=["aiko@example.com"], headers={"Message-ID": "<x@y>"})
    email.attach_alternative("<p>html</p>", "text/html")
    email.attach("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    msg = email.message()
    for linesep in ("\n", "\r\n"):
        remembered = msg.as_bytes(linesep=linesep)
        remembered_again = msg.as_bytes(linesep=linesep)
        msg.policy = compat32
        assert remembered == remembered_again == msg.as_bytes(linesep=linesep)
        msg = email.message()


def test_a_sealed_email_opens_to_the_same_message():
    from sessions_app import mail as outbox

    email = outbox.OutboxMessage(
        "Reminder", "Hello", to=["sam@example.com"], headers={"Message-ID": "<m@duet.local>"}
    )
    email.attach_alternative("<p>Hello</p>", "text/html")
    email.attach("session.ics", "BEGIN:VCALENDAR", "text/calendar")
    sealed = outbox.seal(email, message_id="<m@duet.local>")
    assert "Hello" not in sealed and "sam@example.com" not in sealed
    message = outbox.unseal(sealed, message_id="<m@duet.local>")
    assert message.subject == "Reminder" and message.to == ["sam@example.com"]
    assert message.body == "Hello"
    assert message.alternatives[0][0] == "<p>Hello</p>"
    assert message.attachments[0][1] == "BEGIN:VCALENDAR"
