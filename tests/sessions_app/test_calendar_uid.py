"""One session is one calendar event: the confirmation email, a reminder email, the
download and the private feed carry the same UID (scoped to this site's host) and SEQUENCE."""

from __future__ import annotations

from datetime import time, timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import CalendarFeed, SessionType
from scheduling.selectors import available_slots
from sessions_app.services.dispatch import reminders_dispatch_due
from tests.scheduling.conftest import give_hours

pytestmark = pytest.mark.django_db


def _events(ics: bytes | str) -> list[tuple[str, int]]:
    cal = icalendar.Calendar.from_ical(ics)
    return [(str(e["UID"]), int(e["SEQUENCE"])) for e in cal.walk("VEVENT")]


def test_confirmation_reminder_download_and_feed_are_one_event(
    client, settings, partner_a, partner_b, couple, therapist, clinic,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.SITE_URL = "https://clinic.example"
    now = timezone.now()
    give_hours(therapist, ranges=((time(0), time(23, 59)),), days=range(7))
    session_type = SessionType.objects.create(
        therapist=therapist, name="Session", length_minutes=50, min_notice_minutes=60
    )
    start = available_slots(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=now + timedelta(days=2),
        end=now + timedelta(days=3),
        now=now,
    )[0][0]
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(
            user=partner_a,
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            starts_at=start,
            now=now,
        )
    expected = [(f"duet-booking-{booking.pk}@clinic.example", 0)]
    assert booking.ical_uid == expected[0][0]

    confirmation = next(m for m in mail.outbox if m.to == [partner_b.email])
    mail.outbox.clear()
    reminders_dispatch_due(now=booking.starts_at - timedelta(hours=23, minutes=59))
    reminder = next(m for m in mail.outbox if m.to == [partner_b.email])
    assert reminder.subject.startswith("Reminder")

    client.force_login(partner_b)
    download = client.get(reverse("scheduling:booking_ics", args=[booking.pk])).content
    client.post(reverse("scheduling:feed_reset"))
    token = CalendarFeed.objects.get(user=partner_b).token
    client.logout()
    feed = client.get(reverse("scheduling:feed", args=[token])).content

    assert _events(confirmation.attachments[0][1]) == expected
    assert _events(reminder.attachments[0][1]) == expected
    assert _events(download) == expected
    assert _events(feed) == expected
