"""The one clients rule (therapists.selectors): who a therapist may treat, message and read.

A couple is a therapist's client while it is assigned to them or has a booked,
completed or late-cancelled session with them. Every page that asks agrees.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from django.utils import timezone

from sessions_app.services.journal import journal_consent_set, journal_write
from therapists.models import CoupleAssignment
from therapists.selectors import couple_therapists, is_client_of, therapist_clients

pytestmark = pytest.mark.django_db


def _assign(couple, therapist, clinic, clinic_admin):
    return CoupleAssignment.objects.create(
        couple=couple, therapist=therapist, clinic=clinic, assigned_by=clinic_admin
    )


def _booking(couple, therapist, clinic, status):
    from scheduling.models import Booking

    start = timezone.now() + timedelta(days=2)
    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=status,
    )


def test_an_assigned_not_yet_booked_couple_is_a_client_everywhere(
    client, couple, partner_a, partner_b, therapist, clinic, clinic_admin
):
    _assign(couple, therapist, clinic, clinic_admin)
    assert is_client_of(therapist, couple.pk)
    assert therapist_clients(therapist) == [couple]
    assert couple_therapists(couple) == [therapist]

    # The dashboard lists them, and the therapist can message them ...
    client.force_login(therapist)
    assert escape(str(couple)) in client.get("/dashboard/").content.decode()
    response = client.post("/sessions/messages/start/", {"couple": couple.pk})
    assert response.status_code == 302 and "/sessions/messages/" in response["Location"]
    # ... and read the shared journal once both partners chose to share it.
    journal_write(
        user=partner_a, couple=couple, kind="shared", body="We talked", now=timezone.now()
    )
    for partner in (partner_a, partner_b):
        journal_consent_set(user=partner, couple=couple, allow=True, now=timezone.now())
    page = client.get(f"/sessions/couples/{couple.pk}/journal/")
    assert page.status_code == 200 and "We talked" in page.content.decode()

    # The couple sees the same therapist among the people they may write to.
    client.force_login(partner_a)
    assert therapist.full_name in client.get("/sessions/messages/").content.decode()


@pytest.mark.parametrize(
    ("status", "client_now"),
    [
        ("held", False),
        ("cancelled", False),
        ("confirmed", True),
        ("completed", True),
        ("late_cancelled", True),
    ],
)
def test_which_sessions_make_a_couple_a_client(couple, therapist, clinic, status, client_now):
    _booking(couple, therapist, clinic, status)
    assert is_client_of(therapist, couple.pk) is client_now
    assert (couple in therapist_clients(therapist)) is client_now


def test_an_ended_assignment_ends_the_relationship(couple, therapist, clinic, clinic_admin):
    assignment = _assign(couple, therapist, clinic, clinic_admin)
    assignment.ended_at = timezone.now()
    assignment.save()
    assert not is_client_of(therapist, couple.pk)


def test_another_therapist_and_non_therapists_never_match(
    couple, therapist, other_therapist, clinic, partner_a
):
    _booking(couple, therapist, clinic, "confirmed")
    assert not is_client_of(other_therapist, couple.pk)
    assert not is_client_of(partner_a, couple.pk)
