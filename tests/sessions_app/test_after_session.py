"""After the session: attendance from the room, follow-ups to both partners, no-shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from scheduling import signals
from scheduling.models import Booking
from sessions_app.models import Attendance, Notification, Reminder, SessionClosure
from sessions_app.services.attendance import AUTO_CLOSE_AFTER, sessions_close_finished
from sessions_app.services.dispatch import reminders_dispatch_due
from sessions_app.services.homework import homework_assign
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


def _join(booking, user, at):
    signals.room_participant_joined.send(sender=Booking, booking=booking, user=user, at=at)


def test_attendance_joined_late_and_first_join_counts(couple, partner_a, partner_b, therapist):
    start = timezone.now() - timedelta(minutes=30)
    booking = make_booking(couple, therapist, start)
    _join(booking, partner_a, start - timedelta(minutes=2))
    _join(booking, partner_b, start + timedelta(minutes=12))
    _join(booking, partner_a, start + timedelta(minutes=20))  # rejoin after a drop
    _join(booking, therapist, start)
    rows = {a.user_id: a for a in Attendance.objects.all()}
    assert rows[partner_a.pk].status == "joined"
    assert rows[partner_a.pk].first_joined_at == start - timedelta(minutes=2)
    assert rows[partner_b.pk].status == "late"
    assert rows[therapist.pk].status == "joined"


def test_session_ended_sends_homework_and_reflection_to_both(
    couple, partner_a, partner_b, therapist
):
    start = timezone.now() - timedelta(minutes=45)
    booking = make_booking(couple, therapist, start)
    _join(booking, partner_a, start)
    homework_assign(
        therapist=therapist,
        couple=couple,
        booking=booking,
        title="Appreciation log",
        instructions="Write one thing a day",
        audience="both",
        due_at=timezone.now() + timedelta(days=7),
        now=timezone.now(),
    )
    signals.session_ended.send(sender=Booking, booking=booking, ended_by=therapist)
    signals.session_ended.send(sender=Booking, booking=booking, ended_by=therapist)  # twice
    assert SessionClosure.objects.filter(booking=booking).count() == 1
    follow_ups = Reminder.objects.filter(kind="follow_up")
    assert {r.recipient_id for r in follow_ups} == {partner_a.pk, partner_b.pk}
    # Aiko never joined the video room: a no-show for the clinic's figures.
    assert Attendance.objects.get(user=partner_b).status == "no_show"

    # The next dispatcher tick (within a minute) delivers them.
    result = reminders_dispatch_due(now=timezone.now())
    assert result["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_a.email, partner_b.email])
    for msg in mail.outbox:
        assert f"/sessions/{booking.pk}/reflect/" in msg.body
        assert "1 exercise" in msg.body
        assert "Write one thing" not in msg.body  # no homework content in email
    assert Notification.objects.filter(kind="reflection").count() == 2
    assert reminders_dispatch_due(now=timezone.now())["sent"] == 0


def test_the_sweep_closes_sessions_whose_end_passed(couple, partner_a, partner_b, therapist):
    now = timezone.now()
    over = make_booking(couple, therapist, now - timedelta(hours=2))
    just_over = make_booking(couple, therapist, now - timedelta(minutes=55))
    cancelled = make_booking(
        couple, therapist, now - timedelta(hours=5), status=Booking.Status.CANCELLED
    )
    assert sessions_close_finished(now=now) == 1
    assert SessionClosure.objects.filter(booking=over).exists()
    assert not SessionClosure.objects.filter(booking__in=[just_over, cancelled]).exists()
    assert sessions_close_finished(now=just_over.ends_at + AUTO_CLOSE_AFTER) == 1
    assert sessions_close_finished(now=now + timedelta(hours=1)) == 0
    # Nobody joined the video room at all: not recorded as the couple's no-show (the
    # session may not have happened in the room).
    assert not Attendance.objects.exists()


def test_the_therapist_ends_a_session_from_the_wrap_up_page(
    client, couple, partner_a, partner_b, therapist, other_therapist
):
    booking = make_booking(couple, therapist, timezone.now() - timedelta(minutes=40))
    client.force_login(other_therapist)
    assert client.post(f"/sessions/{booking.pk}/end/").status_code == 404
    client.force_login(partner_a)
    assert client.post(f"/sessions/{booking.pk}/end/").status_code == 403
    client.force_login(therapist)
    response = client.post(f"/sessions/{booking.pk}/end/", follow=True)
    assert "Session ended" in response.content.decode()
    booking.refresh_from_db()
    assert booking.ended_at is not None and booking.status == "completed"
    assert Reminder.objects.filter(kind="follow_up").count() == 2


def test_a_session_cannot_be_ended_before_it_starts(client, couple, therapist):
    booking = make_booking(couple, therapist, timezone.now() + timedelta(hours=2))
    client.force_login(therapist)
    response = client.post(f"/sessions/{booking.pk}/end/", follow=True)
    assert "has not started yet" in response.content.decode()
    booking.refresh_from_db()
    assert booking.ended_at is None


def test_reflection_after_the_session_feeds_ratings(client, couple, partner_a, therapist):
    from sessions_app.models import Reflection
    from sessions_app.selectors import average_rating_for_therapist

    booking = make_booking(couple, therapist, timezone.now() - timedelta(hours=2))
    client.force_login(partner_a)
    page = client.get(f"/sessions/{booking.pk}/reflect/")
    assert page.status_code == 200
    bad = client.post(f"/sessions/{booking.pk}/reflect/", {"rating": "9"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    ok = client.post(
        f"/sessions/{booking.pk}/reflect/",
        {"rating": "4", "what_helped": "Slowing down", "what_to_work_on": "Chores"},
    )
    assert ok.status_code == 302
    reflection = Reflection.objects.get(user=partner_a)
    assert reflection.rating == 4 and reflection.what_helped == "Slowing down"
    assert average_rating_for_therapist(therapist) == 4


def test_no_reflection_before_the_session_is_over(client, couple, partner_a, therapist):
    booking = make_booking(couple, therapist, timezone.now() + timedelta(hours=2))
    client.force_login(partner_a)
    response = client.post(f"/sessions/{booking.pk}/reflect/", {"rating": "4"})
    assert "once the session is over" in response.content.decode()
