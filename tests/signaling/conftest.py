"""Fixtures for video-room tests: a bookable room and (see live.py) a live Daphne."""

from __future__ import annotations

import pytest

from tests.signaling.helpers import make_booking


@pytest.fixture(autouse=True)
def in_process_layer(settings):
    """In-process consumer tests use the in-memory layer.

    Each test runs its scenario on a fresh event loop, and a process-wide channels-redis
    layer keeps locks bound to the first loop. Real Redis is exercised where it matters:
    the Daphne subprocesses (live_daphne) use REDIS_URL, and test_two_processes runs two.
    """
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def booking(therapist, couple, clinic):
    return make_booking(therapist, couple, clinic=clinic)


@pytest.fixture
def live_daphne(transactional_db):
    """Start real Daphne servers on free 127.0.0.1 ports: ``live_daphne(extra_env=...)``."""
    from tests.signaling.live import LiveDaphne

    servers: list[LiveDaphne] = []

    def start(extra_env: dict[str, str] | None = None) -> LiveDaphne:
        server = LiveDaphne(extra_env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_nginx():
    """Start Debian's nginx in front of live Daphne nodes: ``live_nginx([port, ...])``."""
    from tests.signaling.live_nginx import LiveNginx

    proxies: list[LiveNginx] = []

    def start(node_ports: list[int]) -> LiveNginx:
        proxy = LiveNginx(node_ports)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


@pytest.fixture(autouse=True)
def _therapist_signs_in_in_two_steps(request):
    """Therapists always sign in with a second factor: give the test therapist an
    authenticator (the TOTP secret browser tests use) and one-time recovery codes for
    the aiortc clients, which log in through the real pages."""
    if "therapist" not in request.fixturenames:
        return
    from accounts.security_models import TotpDevice
    from accounts.twofactor import recovery_codes_regenerate
    from tests.factories import TOTP_SECRET
    from tests.signaling.rtc_client import SECOND_FACTOR_CODES

    therapist = request.getfixturevalue("therapist")
    TotpDevice.objects.get_or_create(
        user=therapist, defaults={"name": "Test phone", "confirmed": True, "secret": TOTP_SECRET}
    )
    SECOND_FACTOR_CODES[therapist.email] = recovery_codes_regenerate(user=therapist)


# --- intake: partners answer "where are you right now?" before a room. ---
@pytest.fixture(autouse=True)
def _partners_said_where_they_are():
    """These tests are about the room itself: every booking made here comes with both
    partners' locations confirmed, as the intake step would leave them (that step has
    its own tests in tests/intake/)."""
    from django.db.models.signals import post_save

    from intake.models import SessionLocation
    from scheduling.models import Booking

    def confirm(sender, instance, created, **kwargs):
        if created:
            for partner in instance.couple.partners:
                SessionLocation.objects.get_or_create(
                    booking=instance, user=partner, defaults={"country": "US", "region": "US-CA"}
                )

    post_save.connect(confirm, sender=Booking, dispatch_uid="tests.partners_said_where")
    yield
    post_save.disconnect(sender=Booking, dispatch_uid="tests.partners_said_where")
