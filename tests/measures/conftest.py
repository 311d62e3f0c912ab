"""Fixtures for measures: a couple's sessions, and answers written through the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def all_of(slug: str, value: int) -> dict[str, int]:
    from measures import instruments

    return {item.key: value for item in instruments.CURRENT[slug].items}


def alliance(total_each: int) -> dict[str, int]:
    return all_of("alliance", total_each)


@pytest.fixture
def sessions(couple, therapist, clinic):
    """Three past sessions (weekly; still 'confirmed' so tests can pass a ``now`` before
    them to answer their check-in) and one upcoming, with the couple."""
    now = timezone.now()
    past = [
        make_booking(
            couple,
            therapist,
            now - timedelta(days=7 * (3 - i), hours=2),
            clinic=clinic,
        )
        for i in range(3)
    ]
    upcoming = make_booking(couple, therapist, now + timedelta(days=2), clinic=clinic)
    return past, upcoming
