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

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
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


def test_fifty_threads_at_one_slot_make_exactly_one_booking(therapist, open_type):
    assert connection.vendor == "postgresql"
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
    for couple, user in _couples(THREADS):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        payload = {
            "therapist_id": therapist.pk,
            "session_type_id": open_type.pk,
            "couple_id": couple.pk,
            "starts_at": slot.isoformat(),
        }
        clients.append((client, payload))
    barrier = threading.Barrier(THREADS)
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

    threads = [threading.Thread(target=run, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = Counter(statuses)
    assert counts == {201: 1, 409: THREADS - 1}, counts
    assert Booking.objects.filter(therapist=therapist, status="confirmed").count() == 1
