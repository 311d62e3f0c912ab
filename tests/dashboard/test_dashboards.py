from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Booking

pytestmark = pytest.mark.django_db

PAGES = ["dashboard:dashboard", "accounts:profile", "therapists:directory"]


def test_each_role_lands_on_its_own_dashboard(client, partner_a, therapist, clinic_admin):
    expectations = {partner_a: "Your couple", therapist: "Today's sessions", clinic_admin: "Roster"}
    for user, heading in expectations.items():
        client.force_login(user)
        page = client.get(reverse("dashboard:dashboard")).content.decode()
        assert heading in page, user.role


def test_navigation_is_per_role(client, partner_a, therapist, clinic_admin):
    client.force_login(partner_a)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "My sessions" in page and "Find a therapist" in page
    client.force_login(therapist)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Calendar" in page and "Clients" in page
    client.force_login(clinic_admin)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Overview" in page


def test_client_dashboard_shows_upcoming_session_in_own_zone(client, couple, partner_b, therapist):
    start = (timezone.now() + timedelta(days=2)).replace(hour=1, minute=0, second=0, microsecond=0)
    Booking.objects.create(
        therapist=therapist,
        couple=couple,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        booked_by=partner_b,
    )
    client.force_login(partner_b)  # Asia/Tokyo: 01:00 UTC is 10:00
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "10:00–10:50" in page
    assert "Elena Hale" in page


def test_therapist_dashboard_lists_todays_sessions(client, couple, therapist):
    now = timezone.now()
    Booking.objects.create(
        therapist=therapist, couple=couple, starts_at=now, ends_at=now + timedelta(minutes=50)
    )
    client.force_login(therapist)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Sam &amp; Aiko" in page


def test_admin_roster_lists_only_own_clinic(client, clinic_admin, therapist, other_therapist):
    client.force_login(clinic_admin)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Elena Hale" in page and "Tomasz Nowak" not in page


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("scheduling:my_sessions", {"client"}),
        ("scheduling:calendar", {"therapist"}),
        ("therapists:clients", {"therapist"}),
        ("dashboard:overview", {"clinic_admin"}),
        ("accounts:couple", {"client"}),
    ],
)
def test_role_pages_refuse_other_roles(
    client, url_name, allowed, partner_a, therapist, clinic_admin, other_admin
):
    url = reverse(url_name)
    assert client.get(url).status_code == 302  # anonymous -> login
    for user in (partner_a, therapist, clinic_admin, other_admin):
        client.force_login(user)
        expected = 200 if user.role in allowed else 403
        assert client.get(url).status_code == expected, (url_name, user.role)


def test_pages_render_for_everyone(client, partner_a, therapist, clinic_admin):
    for user in (None, partner_a, therapist, clinic_admin):
        client.logout()
        if user:
            client.force_login(user)
        for name in PAGES:
            response = client.get(reverse(name))
            assert response.status_code in (200, 302)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()
