"""Benchmark: the slots API over 8 weeks vs a trivial endpoint that authenticates the same way.

A therapist in Europe/Warsaw with weekly rules covering 8 weeks, 50 date overrides and
500 bookings; a couple with attendance windows in Los Angeles and Tokyo (3 parties).
Both endpoints (``GET /api/scheduling/slots`` and ``GET /api/me``, same session auth)
are served by the same Django app over real HTTP (a threaded WSGI server on
127.0.0.1) in one run, interleaved. The slots answer is the default one (UTC instants
and the partners' zones; ``local=true`` is not asked). "warm": the same request again,
served from the slot cache; "cold": each request right after a write that can change
the slots (a date override is edited through ``services.date_override_set``, which
bumps the therapist's slot version, so the whole horizon is recomputed). Then the
booking count grows 100 -> 10,000 (cold requests), three times over, the sizes taking
turns. With ``REDIS_URL`` the cache is Redis, otherwise Django's in-process memory cache.

    .venv/bin/python bench/slots.py            # SQLite (lane 1)
    DATABASE_URL=postgres://... REDIS_URL=... .venv/bin/python bench/slots.py

The last line is the result JSON: warm_ratio, cold_ratio (medians against the baseline's
median), growth_100_to_10000 (cold median at 10,000 bookings / at 100), with wall times
and the process CPU per request (client and server share the process).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import threading
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import Run, parser  # noqa: E402

ARGS = parser(__doc__).parse_args()
RUN = Run(ARGS)

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 3 if ARGS.smoke else int(os.environ.get("BENCH_ROUNDS", "40"))
GROWTH_ROUNDS = 2 if ARGS.smoke else int(os.environ.get("BENCH_GROWTH_ROUNDS", "18"))
GROWTH_PASSES = 1 if ARGS.smoke else 3
GROWTH = (100, 400) if ARGS.smoke else (100, 1000, 10000)
WEEKS = 8


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class QuietHandler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        # Without this, Nagle + delayed ACK add ~40 ms to every small response and
        # would hide the app's own cost in both measurements.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # keep the benchmark's output JSON only
        pass


def serve():
    from django.core.wsgi import get_wsgi_application

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build_world(now: datetime):
    from accounts.models import Couple, CoupleMembership, User
    from scheduling.models import AttendanceWindow, DateOverride, SessionType, WorkingHours
    from therapists.models import Clinic, ClinicMembership

    clinic = Clinic.objects.create(name="Bench", slug="bench", time_zone="Europe/Warsaw")
    therapist = User.objects.create(
        email="t@bench", full_name="Bench Therapist", time_zone="Europe/Warsaw", role="therapist"
    )
    ClinicMembership.objects.create(clinic=clinic, user=therapist, role="therapist")
    st = SessionType.objects.create(therapist=therapist, name="Session", length_minutes=50)
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=d, start_time=s, end_time=e)
        for d in range(7)
        for s, e in ((time(0), time(6)), (time(7), time(12)), (time(13), time(23)))
    )
    today = now.date()
    DateOverride.objects.bulk_create(
        DateOverride(
            therapist=therapist,
            date=today + timedelta(days=i),
            start_time=time(1 + i % 3),
            end_time=time(22),
        )
        for i in range(50)
    )
    a = User.objects.create(email="a@bench", full_name="Sam", time_zone="America/Los_Angeles")
    b = User.objects.create(email="b@bench", full_name="Aiko", time_zone="Asia/Tokyo")
    couple = Couple.objects.create(created_by=a)
    CoupleMembership.objects.create(couple=couple, user=a, seat=1)
    CoupleMembership.objects.create(couple=couple, user=b, seat=2)
    AttendanceWindow.objects.bulk_create(
        AttendanceWindow(user=person, weekday=d, start_time=start, end_time=time(23))
        for person, start in ((a, time(6)), (b, time(0)))
        for d in range(7)
    )
    others = []
    for i in range(20):
        x = User.objects.create(email=f"x{i}@bench", full_name=f"X{i}")
        c = Couple.objects.create(created_by=x)
        CoupleMembership.objects.create(couple=c, user=x, seat=1)
        others.append(c)
    return therapist, st, a, couple, others


def set_bookings(n: int, therapist, others, now: datetime) -> None:
    """``n`` non-overlapping bookings spread over the 8 weeks (shorter when dense)."""
    from scheduling.models import Booking

    Booking.objects.filter(therapist=therapist).delete()
    span = timedelta(weeks=WEEKS)
    spacing = span / n
    length = min(timedelta(minutes=50), spacing - timedelta(minutes=1))
    start0 = now + timedelta(hours=13)
    rows = []
    for i in range(n):
        s = (start0 + spacing * i).replace(microsecond=0)
        rows.append(
            Booking(
                therapist=therapist,
                couple=others[i % len(others)],
                starts_at=s,
                ends_at=s + length,
                blocked_start=s,
                blocked_end=s + length,
                status="confirmed",
                room_id=f"bench-{n}-{i}",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=1000)
    from scheduling.services import slots_versions_bump

    slots_versions_bump(therapist_id=therapist.pk)  # written around the services


def timed(session: requests.Session, url: str, params=None) -> float:
    t0 = clock.perf_counter()
    response = session.get(url, params=params, timeout=60)
    elapsed = (clock.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> None:
    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})
    db["TEST"]["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_slots.sqlite3")
        if connection.vendor == "sqlite"
        else f"bench_slots_{db['NAME']}"
    )
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        now = datetime.now(UTC)
        therapist, st, user, couple, others = build_world(now)
        set_bookings(500, therapist, others, now)
        client = Client()
        client.force_login(user)
        server, base = serve()
        session = requests.Session()
        session.cookies.set("sessionid", client.cookies["sessionid"].value)
        today = now.date()
        params = {
            "therapist_id": therapist.pk,
            "session_type_id": st.pk,
            "couple_id": couple.pk,
            "start": (today + timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=WEEKS * 7 - 1)).isoformat(),
            "tz": "America/Los_Angeles",
        }
        slots_url = f"{base}/api/scheduling/slots"
        baseline_url = f"{base}/api/me"
        count = len(session.get(slots_url, params=params).json()["slots"])
        from scheduling.models import DateOverride

        override = DateOverride.objects.filter(therapist=therapist).order_by("pk").first()

        from scheduling.services import date_override_set

        def write() -> None:
            """A write that can change the slots (an override's end moves and back)."""
            nonlocal override
            end = time(21) if override.end_time == time(22) else time(22)
            (override,) = date_override_set(
                therapist=therapist, date=override.date, ranges=[(override.start_time, end)]
            )

        def measure(rounds: int, cold: bool) -> tuple[list[float], float]:
            samples, cpu = [], 0.0
            for _ in range(rounds):
                if cold:
                    write()
                c0 = clock.process_time()
                samples.append(timed(session, slots_url, params))
                cpu += clock.process_time() - c0
            return samples, cpu * 1000 / rounds

        for _ in range(3):  # warm up both
            timed(session, slots_url, params)
            timed(session, baseline_url)
        base_ms, warm_ms, cold_ms = [], [], []
        base_cpu = warm_cpu = cold_cpu = 0.0
        for _ in range(ROUNDS):
            c0 = clock.process_time()
            base_ms.append(timed(session, baseline_url))
            base_cpu += clock.process_time() - c0
            w, wc = measure(1, cold=False)
            c, cc = measure(1, cold=True)
            warm_ms += w
            cold_ms += c
            warm_cpu += wc
            cold_cpu += cc
        base_median = statistics.median(base_ms)
        result = {
            "database": connection.vendor,
            "rounds": ROUNDS,
            "slots_returned": count,
            "baseline": "GET /api/me (same session auth)",
            "baseline_median_ms": round(base_median, 2),
            "warm_median_ms": round(statistics.median(warm_ms), 2),
            "warm_p95_ms": round(p95(warm_ms), 2),
            "cold_median_ms": round(statistics.median(cold_ms), 2),
            "cold_p95_ms": round(p95(cold_ms), 2),
            "baseline_cpu_ms": round(base_cpu * 1000 / ROUNDS, 2),
            "warm_cpu_ms": round(warm_cpu / ROUNDS, 2),
            "cold_cpu_ms": round(cold_cpu / ROUNDS, 2),
            "warm_ratio": round(statistics.median(warm_ms) / base_median, 2),
            "cold_ratio": round(statistics.median(cold_ms) / base_median, 2),
        }
        print(json.dumps(result), flush=True)

        # The sizes take turns (GROWTH_PASSES times through 100 -> 10,000), so a slow
        # minute on a shared machine does not land on one size only.
        by_size: dict[int, list[float]] = {n: [] for n in GROWTH}
        for _ in range(GROWTH_PASSES):
            for n in GROWTH:
                set_bookings(n, therapist, others, now)
                timed(session, slots_url, params)
                samples, _cpu = measure(max(1, GROWTH_ROUNDS // GROWTH_PASSES), cold=True)
                by_size[n] += samples
        growth = {}
        for n in GROWTH:
            growth[str(n)] = round(statistics.median(by_size[n]), 2)
            print(json.dumps({"growth": {"bookings": n, "cold_median_ms": growth[str(n)]}}))
        result.update(
            growth_cold_median_ms=growth,
            growth_100_to_10000=round(growth[str(GROWTH[-1])] / growth[str(GROWTH[0])], 2),
        )
        RUN.finish(result)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if connection.vendor == "postgresql":
            # The server's request threads keep persistent connections; end them.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
