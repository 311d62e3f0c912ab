"""Lane 2: when every pooled connection is taken and none frees up in time, the server
answers 503 with Retry-After (JSON under /api/, a plain page elsewhere), not a 500, and
serves normally again once a connection is free."""

from __future__ import annotations

import http.client
import json
import secrets
import threading
import time

import psycopg
import pytest
from django.db import connection

from bench.pool import build_world
from tests.signaling.live import LiveDaphne

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

APP = "duet-busy-test"


def _call(base: str, method: str, path: str, headers: dict, body: dict | None = None):
    """(status, headers, text) over plain HTTP to the live server."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers = {**headers, "Content-Type": "application/json"}
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def _dsn() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_until_blocked(dsn: str, deadline_s: float = 20) -> None:
    """Until the server's one connection waits on our row lock (no guessing sleep)."""
    with psycopg.connect(dsn, autocommit=True) as watch:
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            (n,) = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                "AND wait_event_type = 'Lock'",
                [APP],
            ).fetchone()
            if n:
                return
            time.sleep(0.02)
    raise AssertionError("the hold never waited on the locked therapist row")


def test_a_pool_with_no_free_connection_answers_503_and_recovers():
    world = build_world(couples=2)
    blocked, other = world["people"]
    csrf = secrets.token_hex(16)

    def headers(person: dict) -> dict:
        return {"Cookie": f"sessionid={person['cookie']}; csrftoken={csrf}", "X-CSRFToken": csrf}

    server = LiveDaphne(
        extra_env={
            "DATABASE_POOL_MAX_SIZE": "1",
            "DATABASE_POOL_MIN_SIZE": "1",
            "DATABASE_POOL_TIMEOUT": "1",
            "DATABASE_APPLICATION_NAME": APP,
        }
    )
    hold_status: list[int] = []
    try:
        with psycopg.connect(_dsn()) as locker:
            # The hold's first write locks the therapist's row: while we hold that lock,
            # the hold keeps the server's only pooled connection.
            locker.execute(
                "SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [world["therapist_id"]]
            )

            def hold() -> None:
                payload = {
                    "therapist_id": world["therapist_id"],
                    "session_type_id": world["session_type_id"],
                    "couple_id": blocked["couple_id"],
                    "starts_at": world["starts"][0].isoformat(),
                }
                status, _, _ = _call(
                    server.url, "POST", "/api/scheduling/holds", headers(blocked), payload
                )
                hold_status.append(status)

            worker = threading.Thread(target=hold)
            worker.start()
            _wait_until_blocked(_dsn())

            status, head, text = _call(server.url, "GET", "/api/me", headers(other))
            assert status == 503, text
            assert head["Retry-After"] == "5"
            answer = json.loads(text)
            assert answer["code"] == "busy" and "try again" in answer["detail"]

            status, head, text = _call(server.url, "GET", "/dashboard/", headers(other))
            assert status == 503
            assert "very busy" in text and "Nothing you entered is lost" in text

            locker.rollback()  # the hold goes on with the connection it was waiting with
        worker.join(30)
        assert hold_status == [201]
        status, _, _ = _call(server.url, "GET", "/api/me", headers(other))
        assert status == 200
    finally:
        server.stop()
