"""Fixtures for notes and messaging: a past session between ``couple`` and ``therapist``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.accounts.conftest import clock, fast_password_hashing  # noqa: F401


@pytest.fixture
def session_booking(couple, therapist, clinic):
    from scheduling.models import Booking

    start = timezone.now() - timedelta(hours=3)
    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=Booking.Status.COMPLETED,
    )


@pytest.fixture
def other_booking(other_couple, other_therapist, other_clinic):
    from scheduling.models import Booking

    start = timezone.now() - timedelta(hours=5)
    return Booking.objects.create(
        therapist=other_therapist,
        couple=other_couple,
        clinic=other_clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=Booking.Status.COMPLETED,
    )
