"""The room page: who sees it, and the links that lead to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from scheduling.models import Booking
from signaling.models import RoomParticipant
from tests.signaling.helpers import make_booking

pytestmark = pytest.mark.django_db


def _room(booking) -> str:
    return reverse("signaling:room", args=[booking.room_id])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("therapist", 200),
        ("partner_a", 200),
        ("partner_b", 200),
        ("other_partner", 403),
        ("other_therapist", 403),
        ("clinic_admin", 403),
        ("other_admin", 403),
    ],
)
def test_room_page_access(client, request, booking, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_room(booking))
    assert response.status_code == status
    page = response.content.decode()
    if status == 200:
        assert "room.js" in page and booking.room_id in page
        assert ("End session" in page) == (persona == "therapist")
    else:
        assert "room.js" not in page and "not yours" in page


def test_anonymous_is_sent_to_log_in(client, booking):
    response = client.get(_room(booking))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_room_is_404(client, partner_a):
    client.force_login(partner_a)
    assert client.get("/rooms/not-a-real-room-id/").status_code == 404


@pytest.mark.parametrize(
    ("starts_in", "extra", "status", "text"),
    [
        (timedelta(minutes=20), {}, 403, "opens 15 minutes before"),
        (timedelta(minutes=-90), {}, 403, "ended"),
        (timedelta(minutes=-10), {"status": Booking.Status.CANCELLED}, 404, "no session room"),
    ],
)
def test_room_page_outside_its_window(
    client, therapist, couple, partner_a, starts_in, extra, status, text
):
    booking = make_booking(therapist, couple, starts_in=starts_in, **extra)
    client.force_login(partner_a)
    response = client.get(_room(booking))
    assert response.status_code == status
    assert text in response.content.decode()


def test_removed_partner_cannot_open_the_page(client, booking, partner_a):
    RoomParticipant.objects.create(booking=booking, user=partner_a, state="removed")
    client.force_login(partner_a)
    response = client.get(_room(booking))
    assert response.status_code == 403 and "removed you" in response.content.decode()


def test_dashboards_link_to_the_open_room(client, booking, therapist, partner_a, couple):
    for user in (partner_a, therapist):
        client.force_login(user)
        page = client.get(reverse("dashboard:dashboard")).content.decode()
        assert _room(booking) in page and "Join room" in page


def test_later_sessions_offer_a_tech_check_instead(client, therapist, couple, partner_a):
    make_booking(therapist, couple, starts_in=timedelta(hours=3))
    client.force_login(partner_a)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Join room" not in page
    assert reverse("signaling:tech_check") in page


def test_every_page_showing_an_upcoming_video_session_offers_join(
    client, booking, therapist, partner_a, couple
):
    client.force_login(partner_a)
    for url in (
        reverse("dashboard:dashboard"),
        reverse("scheduling:my_sessions"),
        reverse("scheduling:booking", args=[booking.pk]),
    ):
        page = client.get(url).content.decode()
        assert _room(booking) in page and "Join room" in page, url
    client.force_login(therapist)
    page = client.get(reverse("scheduling:booking", args=[booking.pk])).content.decode()
    assert _room(booking) in page
