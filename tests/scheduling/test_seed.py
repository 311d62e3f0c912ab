"""seed_demo gives the demo couple bookable times at once, and stays idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from scheduling.models import AttendanceWindow, SessionType, WorkingHours
from scheduling.selectors import available_slots

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_booking_works_right_away():
    call_command("seed_demo", "--quiet-logins")
    counts = (
        SessionType.objects.count(),
        WorkingHours.objects.count(),
        AttendanceWindow.objects.count(),
    )
    call_command("seed_demo", "--quiet-logins")
    assert counts == (
        SessionType.objects.count(),
        WorkingHours.objects.count(),
        AttendanceWindow.objects.count(),
    )
    assert all(counts)
    hale = User.objects.get(email="dr.hale@riverside.example")
    sam = User.objects.get(email="sam@example.com")
    from accounts.selectors import active_couple_for

    couple = active_couple_for(sam)
    now = timezone.now()
    slots = available_slots(
        therapist=hale,
        couple=couple,
        session_type=SessionType.objects.get(therapist=hale, name="Couples session"),
        start=now,
        end=now + timedelta(days=14),
        now=now,
    )
    assert slots
