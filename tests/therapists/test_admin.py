"""Django admin for every model of this app: list, search and filters load for staff."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.therapists.conftest import book
from therapists import services
from therapists.models import ClinicMembership

pytestmark = pytest.mark.django_db

MODELS = [
    "clinic",
    "clinicmembership",
    "therapistprofile",
    "profilefacet",
    "therapistinvitation",
    "coupleassignment",
    "rosterchange",
]


@pytest.fixture
def staff(db):
    from accounts.models import User

    return User.objects.create_superuser(email="staff@example.com", password="x" * 12)


@pytest.mark.parametrize("model", MODELS)
def test_changelists_search_and_filters_load(
    client, staff, model, hale_profile, clinic, clinic_admin, therapist, couple
):

    book(therapist, couple, timezone.now(), clinic=clinic, status="completed")
    services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="n@x.org", now=timezone.now()
    )
    services.couple_assign(
        clinic=clinic, couple=couple, therapist=therapist, by=clinic_admin, now=timezone.now()
    )
    client.force_login(staff)
    base = f"/admin/therapists/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(base + "?q=hale").status_code == 200
    assert client.get(base + "add/").status_code in (200, 403)


def test_roster_change_log_is_read_only_in_admin(client, staff, clinic_admin, therapist):
    membership = ClinicMembership.objects.get(user=therapist)
    services.therapist_deactivate(membership=membership, by=clinic_admin, now=timezone.now())
    client.force_login(staff)
    from therapists.models import RosterChange

    change = RosterChange.objects.get()
    assert client.get("/admin/therapists/rosterchange/add/").status_code == 403
    assert client.get(f"/admin/therapists/rosterchange/{change.pk}/delete/").status_code == 403
    page = client.get(f"/admin/therapists/rosterchange/{change.pk}/change/")
    assert page.status_code == 200 and "Save" not in page.content.decode().split("submit-row")[-1]


def test_non_staff_cannot_open_admin(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.get("/admin/therapists/clinic/")
    assert response.status_code == 302 and "/admin/login/" in response.url
