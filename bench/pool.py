"""Load test: 300 concurrent API requests at a live Daphne against a bounded connection pool.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python bench/pool.py [--requests 300] [--pool 10] [--smoke]

Works in its own database (<name>_pool, recreated each run). Thirty couples sign in; the
requests (a third each: the bookings list, a hold on a distinct free time, a week of
slots) all start at once against one Daphne process whose psycopg pool holds at most
``--pool`` connections. A watcher polls ``pg_stat_activity`` for the server's
``application_name`` throughout. The result JSON: server_errors (5xx answers),
max_app_connections, pool_max, and the status counts. The lane-2 test
tests/config/test_db_pool.py fires the same load through the same code.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUPLES = 30


def build_world(couples: int = COUPLES) -> dict:
    """A bookable therapist open all week and ``couples`` signed-in couples."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Couple, CoupleMembership, User
    from scheduling.models import SessionType, WorkingHours
    from therapists.models import Clinic, ClinicMembership, TherapistProfile

    tag = secrets.token_hex(3)
    clinic = Clinic.objects.create(name=f"Load {tag}", slug=f"load-{tag}", time_zone="UTC")
    therapist = User.objects.create_user(
        email=f"t-{tag}@load.test", password=None, full_name="Lou Load", role="therapist"
    )
    ClinicMembership.objects.create(clinic=clinic, user=therapist, role="therapist")
    TherapistProfile.objects.create(user=therapist, clinic=clinic, headline="Load tests")
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=d, start_time=dtime(0), end_time=dtime(23, 59))
        for d in range(7)
    )
    session_type = SessionType.objects.create(
        therapist=therapist, name="Session", length_minutes=50, min_notice_minutes=60
    )
    people = []
    for i in range(couples):
        a = User.objects.create_user(
            email=f"a{i}-{tag}@load.test", password=None, full_name=f"Ann {i}"
        )
        b = User.objects.create_user(
            email=f"b{i}-{tag}@load.test", password=None, full_name=f"Ben {i}"
        )
        couple = Couple.objects.create(created_by=a)
        CoupleMembership.objects.create(couple=couple, user=a, seat=1)
        CoupleMembership.objects.create(couple=couple, user=b, seat=2)
        client = Client()
        client.force_login(a)
        people.append({"cookie": client.cookies["sessionid"].value, "couple_id": couple.pk})
    # Distinct free starts (whole hours from tomorrow): holds never collide by design.
    first = (
        (timezone.now() + timedelta(days=1))
        .astimezone(UTC)
        .replace(minute=0, second=0, microsecond=0)
    )
    return {
        "therapist_id": therapist.pk,
        "session_type_id": session_type.pk,
        "people": people,
        "starts": [first + timedelta(hours=h) for h in range(400)],
    }


class ConnectionWatch:
    """Polls pg_stat_activity for connections named ``application_name``; keeps the max."""

    def __init__(self, dsn: str, application_name: str, every: float = 0.02) -> None:
        self.dsn, self.name, self.every = dsn, application_name, every
        self.max = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.is_set():
                (n,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [self.name],
                ).fetchone()
                self.max = max(self.max, n)
                self.samples += 1
                self._stop.wait(self.every)


async def _fire(base: str, world: dict, requests: int) -> Counter:
    import aiohttp

    api = f"{base}/api/scheduling"
    today = datetime.now(UTC).date()
    statuses: Counter = Counter()
    gate = asyncio.Event()
    csrf = secrets.token_hex(16)

    async def one(i: int, session: aiohttp.ClientSession) -> None:
        person = world["people"][i % len(world["people"])]
        headers = {
            "Cookie": f"sessionid={person['cookie']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        await gate.wait()
        kind = i % 3
        try:
            if kind == 0:
                resp = await session.get(f"{api}/bookings", headers=headers)
            elif kind == 1:
                payload = {
                    "therapist_id": world["therapist_id"],
                    "session_type_id": world["session_type_id"],
                    "couple_id": person["couple_id"],
                    "starts_at": world["starts"][i // 3].isoformat(),
                }
                resp = await session.post(f"{api}/holds", json=payload, headers=headers)
            else:
                params = {
                    "therapist_id": world["therapist_id"],
                    "session_type_id": world["session_type_id"],
                    "start": (today + timedelta(days=1)).isoformat(),
                    "end": (today + timedelta(days=7)).isoformat(),
                    "tz": "UTC",
                }
                resp = await session.get(f"{api}/slots", params=params, headers=headers)
            async with resp:
                await resp.read()
                statuses[f"{kind_name[kind]} {resp.status}"] += 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            statuses[f"{kind_name[kind]} {type(exc).__name__}"] += 1

    kind_name = ("bookings", "holds", "slots")
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        tasks = [asyncio.create_task(one(i, session)) for i in range(requests)]
        await asyncio.sleep(0.2)
        gate.set()
        await asyncio.gather(*tasks)
    return statuses


def fire(base: str, world: dict, *, requests: int, dsn: str, application_name: str) -> dict:
    """All ``requests`` at once; the figures the test asserts and the bench reports."""
    started = time.perf_counter()
    # A fresh loop in its own thread: the test session's Playwright driver may already
    # run an event loop in this one, and asyncio.run refuses to nest.
    with ConnectionWatch(dsn, application_name) as watch, ThreadPoolExecutor(1) as pool:
        statuses = pool.submit(asyncio.run, _fire(base, world, requests)).result()
    elapsed = time.perf_counter() - started
    server_errors = sum(n for key, n in statuses.items() if key.split()[-1].startswith("5"))
    failed = sum(n for key, n in statuses.items() if not key.split()[-1].isdigit())
    return {
        "requests": requests,
        "server_errors": server_errors,
        "transport_errors": failed,
        "max_app_connections": watch.max,
        "watch_samples": watch.samples,
        "elapsed_s": round(elapsed, 2),
        "statuses": dict(sorted(statuses.items())),
    }


def main() -> None:
    from bench.common import Run, parser, scratch_database

    p = parser(__doc__)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--pool", type=int, default=10)
    args = p.parse_args()
    if args.smoke:
        args.requests = 60
    run = Run(args)
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("bench/pool.py needs DATABASE_URL (PostgreSQL)")
    url = scratch_database(os.environ["DATABASE_URL"], "_pool")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = build_world()
    from django.db import connections

    connections.close_all()

    import subprocess

    from tests.signaling.live import free_port, stop_process, wait_until_serving

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app_name = f"duet-pool-{port}"
    env = {
        **os.environ,
        "DATABASE_POOL_MAX_SIZE": str(args.pool),
        "DATABASE_APPLICATION_NAME": app_name,
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(
        [*cmd, "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(server, base, "daphne", lambda: "(log not kept)", timeout=60)
        result = fire(base, world, requests=args.requests, dsn=url, application_name=app_name)
    finally:
        stop_process(server)
    result["pool_max"] = args.pool
    run.finish(result)
    if result["server_errors"] or result["max_app_connections"] > args.pool:
        raise SystemExit("bench/pool.py: 5xx answers or more connections than the pool")


if __name__ == "__main__":
    main()
