"""Load test (services lane): 300 concurrent API requests at a live Daphne.

The bookings list, holds and a week of slots all at once, from thirty signed-in
couples: no answer may be a 5xx, and PostgreSQL never sees more connections from the
server than its pool allows (bench/pool.py fires the same load as a benchmark).
"""

from __future__ import annotations

import pytest
from django.db import connection

from bench.pool import build_world, fire
from tests.signaling.live import LiveDaphne

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

POOL = 10


def test_300_concurrent_requests_no_5xx_and_never_more_connections_than_the_pool():
    world = build_world()
    s = connection.settings_dict
    dsn = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    if s.get("PASSWORD"):
        dsn = dsn.replace(f"{s['USER']}@", f"{s['USER']}:{s['PASSWORD']}@")
    server = LiveDaphne(
        extra_env={
            "DATABASE_POOL_MAX_SIZE": str(POOL),
            "DATABASE_APPLICATION_NAME": "duet-pool-test",
        }
    )
    try:
        result = fire(server.url, world, requests=300, dsn=dsn, application_name="duet-pool-test")
    finally:
        server.stop()
    print("pool load:", result)
    assert result["server_errors"] == 0 and result["transport_errors"] == 0, result
    assert result["statuses"] == {"bookings 200": 100, "holds 201": 100, "slots 200": 100}
    assert 0 < result["max_app_connections"] <= POOL, result
