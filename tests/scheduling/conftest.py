"""Scheduling fixtures: a therapist with hours and a session type, pinned clocks."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from scheduling.models import SessionType, WorkingHours

# Monday 19 October 2026, 05:00 in Los Angeles: two weeks before LA's DST change.
NOW = datetime(2026, 10, 19, 12, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


def give_hours(user, ranges=((time(9), time(17)),), days=range(5)) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=user, weekday=d, start_time=s, end_time=e)
        for d in days
        for s, e in ranges
    )


@pytest.fixture
def session_type(therapist):
    give_hours(therapist)
    return SessionType.objects.create(
        therapist=therapist, name="Couples session", length_minutes=50, buffer_after_minutes=10
    )


@pytest.fixture
def other_session_type(other_therapist):
    give_hours(other_therapist)
    return SessionType.objects.create(
        therapist=other_therapist, name="Session", length_minutes=50, buffer_after_minutes=0
    )


@pytest.fixture
def open_type(therapist):
    """A therapist open every day, all day: for API tests that use the real clock."""
    give_hours(therapist, ranges=((time(0), time(23, 59)),), days=range(7))
    return SessionType.objects.create(
        therapist=therapist, name="Open session", length_minutes=50, min_notice_minutes=60
    )


def la(y, m, d, hh, mm=0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("America/Los_Angeles")).astimezone(UTC)


@pytest.fixture
def signal_log():
    """Record what the scheduling signals sent: {"confirmed": [kwargs, ...], ...}."""
    from scheduling import signals

    log: dict[str, list[dict]] = {"confirmed": [], "rescheduled": [], "cancelled": []}
    receivers = {}
    for name in log:

        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal", None)
            log[_name].append(kwargs)

        receivers[name] = receiver
        getattr(signals, f"booking_{name}").connect(receiver, weak=False)
    yield log
    for name, receiver in receivers.items():
        getattr(signals, f"booking_{name}").disconnect(receiver)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Persona accounts are made per test; a slow password hash is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
