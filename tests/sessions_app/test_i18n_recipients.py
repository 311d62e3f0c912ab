"""Reminders, their calendar files and in-app titles are written in each recipient's
language (Aiko reads Japanese, Sam English), whatever language the request had."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from scheduling import ics
from sessions_app.exercise_library import BUILT_IN_EXERCISES, library_text
from sessions_app.models import ExerciseTemplate, Notification
from sessions_app.services.dispatch import reminders_dispatch_due
from sessions_app.services.reminders import reminders_sync_for_booking

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_their_own_language_and_calendar_file(
    couple, therapist, partner_a, partner_b, booking, now, monkeypatch
):
    partner_b.language = "ja"
    partner_b.save(update_fields=["language"])
    built: list[tuple[str, str | None]] = []
    real = ics._document

    def spy(zone, method, facts):
        built.append((zone, translation.get_language()))
        return real(zone, method, facts)

    monkeypatch.setattr(ics, "_document", spy)
    ics._single_event_document.cache_clear()  # files kept from earlier tests hide writes
    reminders_sync_for_booking(booking=booking, now=now)
    with translation.override("pl"):  # the dispatcher's own language never leaks in
        reminders_dispatch_due(now=booking.starts_at - timedelta(hours=24) + timedelta(minutes=1))
    # Sam and the therapist share zone and language: one file; Aiko gets her own.
    assert sorted(built) == [("America/Los_Angeles", "en"), ("Asia/Tokyo", "ja")]
    aiko = next(m for m in mail.outbox if m.to == [partner_b.email])
    sam = next(m for m in mail.outbox if m.to == [partner_a.email])
    local = booking.starts_at.astimezone(partner_b.tz)
    assert f"{local.month}月" in aiko.subject  # Django's Japanese month name
    assert local.strftime("%B") in sam.subject and sam.subject.startswith("Reminder: ")
    title = Notification.objects.get(user=partner_a, kind="reminder").title
    assert title.startswith("Your session is on ")


def test_built_in_exercises_show_translated_and_own_exercises_as_written(clinic, monkeypatch):
    item = BUILT_IN_EXERCISES[0]
    built_in = ExerciseTemplate.objects.get(clinic=None, slug=item["slug"])
    own = ExerciseTemplate.objects.create(
        clinic=clinic, slug="own", title="Our ritual", summary="s", instructions="i"
    )
    assert built_in.title == item["title"]  # the database keeps the English text
    assert str(built_in) == built_in.display_title == item["title"]
    assert own.display_title == "Our ritual"
    assert library_text("Something a therapist wrote") == "Something a therapist wrote"
    calls: list[str] = []
    fake = lambda text: calls.append(text) or f"[{text}]"  # noqa: E731
    monkeypatch.setattr("sessions_app.exercise_library.gettext", fake)
    assert built_in.display_summary == f"[{item['summary']}]"
    assert own.display_title == "Our ritual"
    assert calls == [item["summary"]]
