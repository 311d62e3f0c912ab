"""Fixtures for sign-in security tests: enrolled 2FA devices, pinned time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import PASSWORD

SECRET = "3132333435363738393031323334353637383930"  # RFC 6238 test key (hex)


@pytest.fixture
def enrol():
    """Give ``user`` a confirmed authenticator with a known secret; returns the device."""
    from accounts.security_models import TotpDevice

    def make(user, secret: str = SECRET):
        return TotpDevice.objects.create(
            user=user, name="Test phone", confirmed=True, secret=secret
        )

    return make


@pytest.fixture
def code_now():
    from accounts.twofactor import totp_code

    return lambda secret=SECRET, at=None: totp_code(secret, at)


@pytest.fixture
def password_login():
    def submit(client, email: str, password: str = PASSWORD, **extra):
        return client.post("/login/", {"username": email, "password": password}, **extra)

    return submit


@pytest.fixture
def clock(monkeypatch):
    """Pin ``django.utils.timezone.now``; ``clock.set(dt)`` / ``clock.advance(td)``."""
    import django.utils.timezone as tz

    class Clock:
        def __init__(self) -> None:
            self.now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)

        def set(self, value: datetime) -> None:
            self.now = value

        def advance(self, delta) -> None:
            self.now = self.now + delta

    clock = Clock()
    monkeypatch.setattr(tz, "now", lambda: clock.now)
    return clock


@pytest.fixture
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests sign in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
