"""Every therapists page and endpoint against every persona: wrong persona gets 403/404.

Personas: own couple (partner_a), other couple (other_partner), the therapist of the
clinic, another clinic's therapist, the clinic's admin, another clinic's admin, anonymous.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.therapists.conftest import book
from therapists.models import ClinicMembership

pytestmark = pytest.mark.django_db

PERSONAS = [
    "partner_a",
    "other_partner",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_admin",
    None,
]


@pytest.fixture
def world(couple, other_couple, therapist, other_therapist, clinic_admin, other_admin, clinic):
    from tests.therapists.conftest import open_session_type

    for t in (therapist, other_therapist):
        open_session_type(t)
    book(therapist, couple, timezone.now() + timedelta(days=2), clinic=clinic)
    return {
        "membership": ClinicMembership.objects.get(user=therapist, role="therapist").pk,
        "profile": therapist.therapist_profile.pk,
    }


def _as(client, request, persona):
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))


# url template, method, who gets a 2xx/3xx success
ADMIN_ONLY = {"clinic_admin"}
ADMIN_PAGES = [
    ("/therapists/overview/", "get"),
    ("/therapists/roster/invite/", "get"),
    ("/therapists/roster/assign/", "get"),
    ("/therapists/roster/log/", "get"),
]
MEMBERSHIP_ACTIONS = [
    ("/therapists/roster/{membership}/", "get"),
    ("/therapists/roster/{membership}/deactivate/", "post"),
    ("/therapists/roster/{membership}/hours/", "post"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "method"), ADMIN_PAGES)
def test_admin_pages(client, request, world, persona, url, method):
    _as(client, request, persona)
    response = getattr(client, method)(url)
    if persona is None:
        assert response.status_code == 302 and "/login/" in response.url
    elif persona in ("clinic_admin", "other_admin"):
        assert response.status_code == 200  # each sees only their own clinic (tested below)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "method"), MEMBERSHIP_ACTIONS)
def test_actions_on_a_therapist_need_their_clinic_admin(
    client, request, world, persona, url, method
):
    _as(client, request, persona)
    response = getattr(client, method)(url.format(**world), {"hours": "5"})
    membership = ClinicMembership.objects.get(pk=world["membership"])
    if persona == "clinic_admin":
        assert response.status_code in (200, 302)
        return
    if persona is None:
        assert response.status_code == 302 and "/login/" in response.url
    elif persona == "other_admin":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert membership.is_active and membership.weekly_hours is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_reactivate_needs_their_clinic_admin(client, request, world, persona):
    ClinicMembership.objects.filter(pk=world["membership"]).update(is_active=False)
    _as(client, request, persona)
    response = client.post(f"/therapists/roster/{world['membership']}/reactivate/")
    active = ClinicMembership.objects.get(pk=world["membership"]).is_active
    if persona == "clinic_admin":
        assert response.status_code == 302 and active
    else:
        assert response.status_code == {None: 302, "other_admin": 404}.get(persona, 403)
        assert not active


@pytest.mark.parametrize("persona", PERSONAS)
def test_profile_edit_page_and_api(client, request, world, persona):
    _as(client, request, persona)
    page = client.get(f"/therapists/{world['profile']}/edit/")
    api = client.put(
        f"/api/therapists/{world['profile']}",
        {"headline": "changed"},
        content_type="application/json",
    )
    if persona in ("therapist", "clinic_admin"):
        assert page.status_code == 200 and api.status_code == 200
    elif persona is None:
        assert page.status_code == 302 and api.status_code == 401
    else:
        assert page.status_code == 404 and api.status_code == 404
        assert "changed" not in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_clients_page_shows_only_own_clients(client, request, world, persona):
    _as(client, request, persona)
    response = client.get("/therapists/clients/")
    if persona == "therapist":
        assert "Sam &amp; Aiko" in response.content.decode()
    elif persona == "other_therapist":
        assert response.status_code == 200
        assert "Sam" not in response.content.decode()
    elif persona is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_profile_is_for_therapists(client, request, world, persona):
    _as(client, request, persona)
    response = client.get("/therapists/me/")
    if persona in ("therapist", "other_therapist"):
        assert response.status_code == 302 and response.url.endswith("/edit/")
        own = request.getfixturevalue(persona).therapist_profile.pk
        assert response.url == f"/therapists/{own}/edit/"
    elif persona is None:
        assert "/login/" in response.url
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_show_public_profiles_to_everyone(client, request, world, persona):
    _as(client, request, persona)
    assert client.get("/therapists/").status_code == 200
    assert client.get(f"/therapists/{world['profile']}/").status_code == 200
    assert client.get("/api/therapists/").json()["count"] == 2
    assert client.get(f"/api/therapists/{world['profile']}").status_code == 200
    assert client.get("/api/therapists/facets").status_code == 200
    # Public profiles carry no client data.
    assert "Sam &amp; Aiko" not in client.get(f"/therapists/{world['profile']}/").content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_roster_dashboard_shows_own_clinic_only(client, request, world, persona):
    _as(client, request, persona)
    page = client.get("/dashboard/")
    if persona == "clinic_admin":
        html = page.content.decode()
        assert "Elena Hale" in html and "Tomasz Nowak" not in html
    elif persona == "other_admin":
        html = page.content.decode()
        assert "Tomasz Nowak" in html and "Elena Hale" not in html
    elif persona is None:
        assert page.status_code == 302
    else:
        assert 'data-testid="roster"' not in page.content.decode()


def test_assign_page_lists_only_own_clinic_couples(client, world, other_admin, clinic_admin):
    client.force_login(other_admin)
    assert "Sam &amp; Aiko" not in client.get("/therapists/roster/assign/").content.decode()
    client.force_login(clinic_admin)
    assert "Sam &amp; Aiko" in client.get("/therapists/roster/assign/").content.decode()


def test_admin_without_clinic_gets_404_on_roster_pages(client, db):
    from tests.factories import make_user

    lonely = make_user("lonely@example.com", "Lonely Admin", role="clinic_admin")
    client.force_login(lonely)
    for url in ("/therapists/roster/invite/", "/therapists/roster/assign/"):
        assert client.get(url).status_code == 404
