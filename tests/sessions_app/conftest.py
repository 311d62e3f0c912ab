"""Fixtures for sessions_app tests: sessions on the calendar at pinned times, and past
sessions for notes and messaging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.accounts.conftest import clock, fast_password_hashing  # noqa: F401


def make_booking(couple, therapist, starts_at: datetime, *, minutes: int = 50, **extra):
    from scheduling.models import Booking

    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=extra.pop("clinic", None),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        status=extra.pop("status", Booking.Status.CONFIRMED),
        **extra,
    )


def confirm(booking) -> None:
    """Fire the scheduling signal exactly as the booking flow does."""
    from scheduling import signals
    from scheduling.models import Booking

    signals.booking_confirmed.send(sender=Booking, booking=booking)


@pytest.fixture
def now():
    return datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def booking(couple, therapist, clinic, now):
    """A confirmed session three days after ``now``."""
    return make_booking(couple, therapist, now + timedelta(days=3), clinic=clinic)


@pytest.fixture
def past_booking(couple, therapist, clinic):
    """A session that ended an hour ago (real time)."""
    return make_booking(couple, therapist, timezone.now() - timedelta(hours=2), clinic=clinic)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; these tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
