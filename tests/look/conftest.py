"""A real Daphne per module, and the demo data seeded afresh for each test (the
transactional test database is emptied after every test; seeding takes a second or two,
starting a server several)."""

from __future__ import annotations

import pytest

from tests.look import harness

# The room is what these tests look at: every booking comes with both partners'
# locations confirmed, as the intake step leaves them (tests/intake covers that step).
from tests.signaling.conftest import _partners_said_where_they_are  # noqa: F401


@pytest.fixture(scope="module")
def live_site(django_db_setup, django_db_blocker):
    from tests.signaling.live import LiveDaphne

    with django_db_blocker.unblock():
        server = LiveDaphne()
    yield server
    server.stop()


@pytest.fixture
def demo_site(live_site, transactional_db):
    harness.seed()
    pages = harness.catalogue()
    cookies = {role: harness.session_cookie(role, live_site.url) for role in harness.ROLES}
    return live_site, pages, cookies
