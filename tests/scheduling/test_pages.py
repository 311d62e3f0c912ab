"""Booking pages, My sessions, the therapist calendar, feeds: behaviour and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Booking, CalendarFeed
from scheduling.selectors import available_slots

pytestmark = pytest.mark.django_db


def _first_slot(therapist, st, couple):
    now = timezone.now()
    return available_slots(
        therapist=therapist,
        couple=couple,
        session_type=st,
        start=now + timedelta(days=2),
        end=now + timedelta(days=3),
        now=now,
    )[0][0]


def _booked(partner, therapist, couple, st):
    return services.booking_create(
        user=partner,
        therapist=therapist,
        couple=couple,
        session_type=st,
        starts_at=_first_slot(therapist, st, couple),
        now=timezone.now(),
    )


def test_profile_links_to_booking(client, partner_a, therapist):
    client.force_login(partner_a)
    html = client.get(
        reverse("therapists:profile", args=[therapist.therapist_profile.pk])
    ).content.decode()
    assert reverse("scheduling:book", args=[therapist.pk]) in html


def test_week_view_labels_each_slot_for_the_other_partner(
    client, partner_a, couple, therapist, open_type
):
    client.force_login(partner_a)
    r = client.get(reverse("scheduling:book", args=[therapist.pk]), {"tz": "Europe/Warsaw"})
    html = r.content.decode()
    assert r.status_code == 200 and "Europe/Warsaw" in html
    assert "for Aiko" in html and 'data-testid="slot"' in html


def test_unknown_zone_falls_back_to_the_users_zone(client, partner_a, couple, therapist, open_type):
    client.force_login(partner_a)
    r = client.get(reverse("scheduling:book", args=[therapist.pk]), {"tz": "Nowhere/Land"})
    assert r.status_code == 200 and "America/Los_Angeles" in r.content.decode()


def test_hold_confirm_then_confirmation_page(
    client, partner_a, couple, therapist, open_type, clinic
):
    client.force_login(partner_a)
    start = _first_slot(therapist, open_type, couple)
    r = client.post(
        reverse("scheduling:hold", args=[therapist.pk]),
        {"starts_at": start.isoformat(), "type": open_type.pk},
    )
    hold = Booking.objects.get(couple=couple)
    assert r.url == reverse("scheduling:confirm", args=[hold.pk]) and hold.status == "held"
    page = client.get(r.url).content.decode()
    assert "Cancellation policy" in page and "24 hours" in page
    assert "Asia/Tokyo" in page and "America/Los_Angeles" in page
    r = client.post(reverse("scheduling:confirm", args=[hold.pk]), {"action": "confirm"})
    hold.refresh_from_db()
    assert hold.status == "confirmed"
    page = client.get(r.url).content.decode()
    assert "booked" in page and reverse("scheduling:booking_ics", args=[hold.pk]) in page
    ics = client.get(reverse("scheduling:booking_ics", args=[hold.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_taken_slot_shows_a_clear_message(
    client, partner_a, couple, other_partner, other_couple, therapist, open_type
):
    booking = _booked(partner_a, therapist, couple, open_type)
    client.force_login(other_partner)
    r = client.post(
        reverse("scheduling:hold", args=[therapist.pk]),
        {"starts_at": booking.starts_at.isoformat(), "type": open_type.pk},
        follow=True,
    )
    assert "just taken" in r.content.decode() and "Nearest free:" in r.content.decode()
    assert not Booking.objects.filter(couple=other_couple).exists()


def test_my_sessions_cancel_and_reschedule(
    client, partner_a, partner_b, couple, therapist, open_type
):
    booking = _booked(partner_a, therapist, couple, open_type)
    client.force_login(partner_b)
    html = client.get(reverse("scheduling:my_sessions")).content.decode()
    assert reverse("scheduling:cancel", args=[booking.pk]) in html and "for Sam" in html
    r = client.get(reverse("scheduling:reschedule", args=[booking.pk]))
    assert r.status_code == 200 and 'data-testid="slot"' in r.content.decode()
    token = r.context["token"]
    new_start = booking.starts_at + timedelta(days=1)
    r = client.post(
        reverse("scheduling:reschedule", args=[booking.pk]),
        {"starts_at": new_start.isoformat(), "token": token, "scope": "one"},
    )
    booking.refresh_from_db()
    assert booking.starts_at == new_start and booking.status == "confirmed"
    # the same link again cannot move it a second time
    client.post(
        reverse("scheduling:reschedule", args=[booking.pk]),
        {"starts_at": (new_start + timedelta(hours=1)).isoformat(), "token": token},
    )
    booking.refresh_from_db()
    assert booking.starts_at == new_start
    r = client.get(reverse("scheduling:reschedule_link", args=[token]))
    assert r.status_code == 302
    r = client.post(reverse("scheduling:cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.parametrize("who", ["other_partner", "other_therapist", "clinic_admin"])
def test_strangers_never_see_a_session(
    request, client, who, partner_a, couple, therapist, open_type
):
    booking = _booked(partner_a, therapist, couple, open_type)
    client.force_login(request.getfixturevalue(who))
    for name in ("booking", "booking_ics", "cancel", "reschedule"):
        assert client.get(reverse(f"scheduling:{name}", args=[booking.pk])).status_code in (
            403,
            404,
        )


def test_therapist_calendar_edits_availability(client, therapist, partner_a, couple, open_type):
    booking = _booked(partner_a, therapist, couple, open_type)
    client.force_login(therapist)
    week = booking.starts_at.astimezone(therapist.tz).date()
    html = client.get(reverse("scheduling:calendar"), {"week": week.isoformat()}).content.decode()
    assert reverse("scheduling:booking", args=[booking.pk]) in html
    r = client.post(
        reverse("scheduling:calendar"),
        {"action": "hours", "hours-day_0": "09:00-12:00, 13:00-17:00"},
    )
    assert r.status_code == 302
    assert therapist.working_hours.filter(weekday=0).count() == 2
    r = client.post(
        reverse("scheduling:calendar"), {"action": "hours", "hours-day_1": "17:00-09:00"}
    )
    assert r.status_code == 200 and "end must be after" in r.content.decode()
    client.post(
        reverse("scheduling:calendar"),
        {"action": "override", "override-date": "2030-01-02", "override-hours": ""},
    )
    assert therapist.date_overrides.get().start_time is None
    client.post(
        reverse("scheduling:calendar"),
        {"action": "time_off", "off-start_date": "2030-02-01", "off-end_date": "2030-02-05"},
    )
    assert therapist.time_off.count() == 1
    client.post(
        reverse("scheduling:calendar"),
        {
            "action": "session_type",
            "type-name": "Long",
            "type-length_minutes": 80,
            "type-buffer_before_minutes": 0,
            "type-buffer_after_minutes": 10,
            "type-min_notice_minutes": 720,
            "type-horizon_days": 60,
            "type-step_minutes": 30,
            "type-format": "in_person",
        },
    )
    assert therapist.session_types.filter(name="Long", format="in_person").exists()


@pytest.mark.parametrize("who", ["partner_a", "clinic_admin"])
def test_calendar_is_for_therapists_only(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("scheduling:calendar")).status_code == 403


def test_partner_windows_page(client, partner_a):
    client.force_login(partner_a)
    r = client.post(reverse("scheduling:windows"), {"day_0": "18:00-22:00", "day_5": "09:00-12:00"})
    assert r.status_code == 302 and partner_a.attendance_windows.count() == 2
    r = client.post(reverse("scheduling:windows"), {"day_0": "whenever"})
    assert (
        "not like 09:00-17:00" in r.content.decode() and partner_a.attendance_windows.count() == 2
    )


def test_private_feed_is_revocable(client, partner_a, couple, therapist, open_type):
    booking = _booked(partner_a, therapist, couple, open_type)
    client.force_login(partner_a)
    client.post(reverse("scheduling:feed_reset"))
    token = CalendarFeed.objects.get(user=partner_a).token
    client.logout()
    r = client.get(reverse("scheduling:feed", args=[token]))
    assert r.status_code == 200 and booking.ical_uid.encode() in r.content
    client.force_login(partner_a)
    client.post(reverse("scheduling:feed_reset"))
    client.logout()
    assert client.get(reverse("scheduling:feed", args=[token])).status_code == 404
    assert client.get(reverse("scheduling:feed", args=["guess"])).status_code == 404


def test_a_hold_becomes_a_checked_recurring_series(client, partner_a, couple, therapist, open_type):
    client.force_login(partner_a)
    start = _first_slot(therapist, open_type, couple)
    client.post(
        reverse("scheduling:hold", args=[therapist.pk]),
        {"starts_at": start.isoformat(), "type": open_type.pk},
    )
    hold = Booking.objects.get(couple=couple)
    r = client.post(
        reverse("scheduling:confirm", args=[hold.pk]),
        {"action": "series", "frequency": "weekly", "count": "3"},
    )
    page = client.get(r.url).content.decode()
    assert page.count("Free") == 3 and "for Aiko" in page
    r = client.post(
        reverse("scheduling:series", args=[hold.pk]), {"frequency": "weekly", "count": "3"}
    )
    sessions = Booking.objects.filter(couple=couple).order_by("starts_at")
    assert [b.status for b in sessions] == ["confirmed"] * 3
    assert sessions[0].starts_at == start and sessions[0].series_id is not None
    assert not Booking.objects.filter(pk=hold.pk).exists()


def test_calendar_week_shows_overrides_and_time_off(client, therapist, open_type):
    from datetime import date, time

    services.date_override_set(
        therapist=therapist, date=date(2030, 1, 7), ranges=[(time(10), time(11))]
    )
    services.time_off_add(
        therapist=therapist, start_date=date(2030, 1, 9), end_date=date(2030, 1, 10)
    )
    client.force_login(therapist)
    html = client.get(reverse("scheduling:calendar"), {"week": "2030-01-07"}).content.decode()
    assert "Changed hours" in html and "10:00–11:00" in html and "Time off" in html
