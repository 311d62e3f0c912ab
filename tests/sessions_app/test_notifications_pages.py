"""The bell, notifications from every source, reminder settings, and page permissions."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from scheduling import signals
from scheduling.models import Booking
from sessions_app.models import Notification
from tests.sessions_app.conftest import confirm, make_booking

pytestmark = pytest.mark.django_db


def test_booking_change_cancel_and_message_notify_with_a_bell_count(
    client, couple, partner_a, partner_b, therapist
):
    booking = make_booking(couple, therapist, timezone.now() + timedelta(days=2))
    confirm(booking)
    previous = booking.starts_at
    booking.starts_at += timedelta(hours=3)
    booking.ends_at += timedelta(hours=3)
    booking.save()
    signals.booking_rescheduled.send(sender=Booking, booking=booking, previous_starts_at=previous)
    signals.booking_cancelled.send(sender=Booking, booking=booking, late=False)
    message = SimpleNamespace(pk=77, author=therapist)
    signals.message_posted.send(
        sender=Booking, thread=None, message=message, recipients=[partner_a]
    )
    kinds = sorted(Notification.objects.filter(user=partner_a).values_list("kind", flat=True))
    assert kinds == ["booking", "change", "change", "message"]
    # Times are in each person's zone: Aiko reads JST, Sam PST/PDT.
    assert "JST" in Notification.objects.filter(user=partner_b, kind="booking").get().title

    client.force_login(partner_a)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="bell-count">4<' in page
    first = Notification.objects.filter(user=partner_a).first()
    response = client.post(f"/sessions/notifications/{first.pk}/open/")
    assert response.status_code == 302
    assert 'data-testid="bell-count">3<' in client.get("/dashboard/").content.decode()
    client.post("/sessions/notifications/read-all/")
    assert 'data-testid="bell-count"' not in client.get("/dashboard/").content.decode()
    api = client.get("/api/sessions/notifications").json()
    assert api["unread"] == 0 and len(api["items"]) == 4


def test_nobody_opens_someone_elses_notification(client, partner_a, partner_b):
    note = Notification.objects.create(user=partner_a, kind="homework", title="x", url="/")
    client.force_login(partner_b)
    client.post(f"/sessions/notifications/{note.pk}/open/")
    note.refresh_from_db()
    assert note.read_at is None
    assert client.post(f"/api/sessions/notifications/{note.pk}/read").status_code == 404


def test_notification_links_never_leave_the_site(client, partner_a):
    note = Notification.objects.create(
        user=partner_a, kind="message", title="x", url="https://evil.example/"
    )
    client.force_login(partner_a)
    response = client.post(f"/sessions/notifications/{note.pk}/open/")
    assert response.url == "/sessions/notifications/"


def test_reminder_settings_page(client, partner_a):
    client.force_login(partner_a)
    assert client.get("/sessions/settings/reminders/").status_code == 200
    bad = client.post("/sessions/settings/reminders/", {"enabled": "on", "email": "on"})
    assert "Choose at least one reminder time" in bad.content.decode()
    ok = client.post(
        "/sessions/settings/reminders/",
        {"enabled": "on", "offsets_minutes": ["2880", "30"], "email": "on"},
    )
    assert ok.status_code == 302
    pref = partner_a.reminder_preference
    assert pref.offsets_minutes == [2880, 30] and not pref.homework_reminders


CLIENT_PAGES = ["/sessions/", "/sessions/journal/", "/sessions/goals/"]
THERAPIST_PAGES = ["/sessions/{b}/prepare/", "/sessions/{b}/wrap-up/"]
ANY_PAGES = ["/sessions/notifications/", "/sessions/settings/reminders/", "/sessions/homework/"]


@pytest.fixture
def upcoming(couple, therapist):
    return make_booking(couple, therapist, timezone.now() + timedelta(days=1))


def test_pages_by_role(
    client, upcoming, partner_a, therapist, other_therapist, clinic_admin, other_partner
):
    b = upcoming.pk
    for page in CLIENT_PAGES + ANY_PAGES + [f"/sessions/{b}/check-in/"]:
        client.force_login(partner_a)
        assert client.get(page).status_code == 200, page
    for page in THERAPIST_PAGES:
        client.force_login(therapist)
        assert client.get(page.format(b=b)).status_code == 200, page
        client.force_login(other_therapist)
        assert client.get(page.format(b=b)).status_code == 404, page
        client.force_login(partner_a)
        assert client.get(page.format(b=b)).status_code == 403, page
    client.force_login(other_partner)
    assert client.get(f"/sessions/{b}/check-in/").status_code == 404
    assert client.get("/sessions/journal/").status_code == 404  # no couple
    client.force_login(clinic_admin)
    for page in CLIENT_PAGES:
        assert client.get(page).status_code == 403
    client.logout()
    for page in CLIENT_PAGES + ANY_PAGES:
        assert client.get(page).status_code == 302
    assert client.get("/api/sessions/homework").status_code == 401


def test_client_dashboard_homework_card(client, couple, partner_a, therapist, upcoming):
    from sessions_app.services.homework import homework_assign

    client.force_login(partner_a)
    page = client.get("/dashboard/").content.decode()
    assert "No homework right now" in page and "Check in" in page
    homework_assign(
        therapist=therapist,
        couple=couple,
        booking=upcoming,
        title="Active-listening practice",
        instructions="x",
        audience="both",
        due_at=timezone.now() + timedelta(days=4),
        now=timezone.now(),
    )
    page = client.get("/dashboard/").content.decode()
    assert "Active-listening practice" in page and "You: to do" in page
