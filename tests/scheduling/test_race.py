"""50 couples released together at one slot: exactly one booking, 49 conflicts, no 500."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Couple, CoupleMembership, User
from scheduling.models import Booking
from scheduling.selectors import available_slots

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 50


def _couples(n: int) -> list[tuple[Couple, User]]:
    out = []
    for i in range(n):
        a = User.objects.create(email=f"race-a{i}@example.com", full_name=f"Racer A{i}")
        b = User.objects.create(email=f"race-b{i}@example.com", full_name=f"Racer B{i}")
        couple = Couple.objects.create(created_by=a)
        CoupleMembership.objects.create(couple=couple, user=a, seat=1)
        CoupleMembership.objects.create(couple=couple, user=b, seat=2)
        out.append((couple, a))
    return out


@pytest.mark.services
def test_fifty_threads_at_one_slot_make_exactly_one_booking(therapist, open_type):
    assert connection.vendor == "postgresql"
    race(therapist, open_type, THREADS)


def test_threads_on_any_database_make_exactly_one_booking(therapist, open_type):
    """Lane 1 runs this on SQLite, where IMMEDIATE transactions serialize the re-check."""
    race(therapist, open_type, 8)


def race(therapist, open_type, threads: int) -> None:
    now = timezone.now()
    slot = available_slots(
        therapist=therapist,
        couple=None,
        session_type=open_type,
        start=now + timedelta(days=2),
        end=now + timedelta(days=3),
        now=now,
    )[0][0]
    clients = []
    for couple, user in _couples(threads):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        payload = {
            "therapist_id": therapist.pk,
            "session_type_id": open_type.pk,
            "couple_id": couple.pk,
            "starts_at": slot.isoformat(),
        }
        clients.append((client, payload))
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    lock = threading.Lock()

    def run(client: Client, payload: dict) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/api/scheduling/bookings", payload, content_type="application/json"
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 409:
                    assert response.json()["code"] == "slot_taken"
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=pair) for pair in clients]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    counts = Counter(statuses)
    assert counts == {201: 1, 409: threads - 1}, counts
    assert Booking.objects.filter(therapist=therapist, status="confirmed").count() == 1
