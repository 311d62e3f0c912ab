"""Benchmark: drain 10,000 due reminders with one Celery worker on PostgreSQL + Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h6 REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/reminders.py [--count 10000] [--concurrency 2]

Works in its own database (<name>_bench, recreated each run) and its own temp outbox.
Baseline, measured in the same run: the same dispatcher called in-process (no broker,
no worker) on 1,000 reminders. Then the real thing: ``celery beat`` ticking every second
and one ``celery worker`` draining 10,000 reminders that are all due at once.
Prints JSON; the last line has sent, per_s, p99_lateness_s, lost and duplicates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bench_database(url: str) -> str:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _make_reminders(count: int, *, prefix: str, due):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Couple, CoupleMembership, User
    from scheduling.models import Booking
    from sessions_app.models import Reminder

    def user(email, name, zone, role="client"):
        u, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "time_zone": zone, "role": role}
        )
        return u

    a = user("bench-a@example.com", "Bench Sam", "America/Los_Angeles")
    b = user("bench-b@example.com", "Bench Aiko", "Asia/Tokyo")
    t = user("bench-t@example.com", "Bench Therapist", "Europe/Warsaw", role="therapist")
    couple = Couple.objects.filter(memberships__user=a).first()
    if couple is None:
        couple = Couple.objects.create(created_by=a)
        CoupleMembership.objects.create(couple=couple, user=a, seat=1)
        CoupleMembership.objects.create(couple=couple, user=b, seat=2)
    now = timezone.now()
    bookings = [
        Booking.objects.create(
            therapist=t,
            couple=couple,
            starts_at=now + timedelta(hours=3, minutes=i),
            ends_at=now + timedelta(hours=3, minutes=i + 50),
        )
        for i in range(50)
    ]
    people = [a, b, t]
    Reminder.objects.bulk_create(
        [
            Reminder(
                key=f"{prefix}:{i}",
                kind=Reminder.Kind.SESSION,
                recipient=people[i % 3],
                booking=bookings[i % 50],
                offset_minutes=60,
                session_starts_at=bookings[i % 50].starts_at,
                due_at=due,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _lateness(prefix: str) -> list[float]:
    from sessions_app.models import Reminder

    rows = Reminder.objects.filter(key__startswith=f"{prefix}:", status="sent").values_list(
        "due_at", "sent_at"
    )
    return [(sent - due).total_seconds() for due, sent in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--baseline-count", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()

    base_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not base_url or not redis_url:
        raise SystemExit("bench/reminders.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    os.environ["DATABASE_URL"] = _bench_database(base_url)
    workdir = Path(tempfile.mkdtemp(prefix="duet-bench-reminders-"))
    os.environ["EMAIL_BACKEND"] = "sessions_app.mail.OutboxFileBackend"
    os.environ["EMAIL_FILE_PATH"] = str(workdir / "baseline-mail")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from sessions_app.models import Delivery, Reminder
    from sessions_app.services.dispatch import reminders_dispatch_due
    from tests.sessions_app.celery_procs import CeleryProcs, wait_for

    # --- Baseline: the same dispatcher in-process, no broker or worker ---------------------
    _make_reminders(args.baseline_count, prefix="baseline", due=timezone.now())
    started = time.perf_counter()
    counts = reminders_dispatch_due(budget_seconds=600, now=timezone.now)
    base_elapsed = time.perf_counter() - started
    baseline = {
        "phase": "baseline_in_process",
        "sent": counts["sent"],
        "elapsed_s": round(base_elapsed, 2),
        "per_s": round(counts["sent"] / base_elapsed, 1),
    }
    print(json.dumps(baseline), flush=True)

    # --- The real thing: beat + one worker over Redis -------------------------------------
    procs = CeleryProcs(workdir / "celery", concurrency=args.concurrency, tick_seconds=1)
    procs.env["REMINDER_DISPATCH_BUDGET_SECONDS"] = "50"
    procs.purge_broker()
    due = timezone.now()
    _make_reminders(args.count, prefix="bench", due=due)
    pending = Reminder.objects.filter(key__startswith="bench:", status="pending")
    try:
        started = time.perf_counter()
        procs.start_worker()
        procs.start_beat()
        try:
            wait_for(lambda: not pending.exists(), timeout=args.timeout, what="drain", every=0.5)
            drained = True
        except AssertionError:
            drained = False  # report what was measured rather than nothing
        elapsed = time.perf_counter() - started
    finally:
        procs.stop()

    ids = [message_from_bytes(f.read_bytes())["Message-ID"] for f in procs.mails()]
    sent = Reminder.objects.filter(key__startswith="bench:", status="sent").count()
    deliveries = Delivery.objects.filter(reminder__key__startswith="bench:", channel="email")
    lateness = _lateness("bench")
    result = {
        "phase": "celery_worker",
        "count": args.count,
        "concurrency": args.concurrency,
        "drained": drained,
        "unsent_at_end": args.count - sent,
        "sent": sent,
        "emails": len(ids),
        "elapsed_s": round(elapsed, 2),
        "per_s": round(sent / elapsed, 1),
        "p50_lateness_s": round(_percentile(lateness, 50), 2),
        "p99_lateness_s": round(_percentile(lateness, 99), 2),
        "max_lateness_s": round(max(lateness, default=0.0), 2),
        # Lost = marked sent but no email in the outbox (unsent rows are counted above).
        "lost": sent - len(set(ids)),
        "duplicates": len(ids) - len(set(ids)),
        "duplicate_delivery_rows": deliveries.count() - sent,
        "resends_recognised": procs.redelivered(),
        "vs_baseline": round((sent / elapsed) / baseline["per_s"], 2),
        "baseline_per_s": baseline["per_s"],
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
