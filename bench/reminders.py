"""Benchmark: 10,000 reminders due at the same instant, one Celery worker, PostgreSQL + Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python bench/reminders.py [--count 10000] [--smoke]

Works in its own database (<name>_bench, recreated each run) and its own temp outboxes.
Baseline, measured in the same run: the same dispatcher called in-process (no broker, no
worker) on 1,000 reminders. Then the real thing: ``celery beat`` ticking every second and
one ``celery worker`` (already started) draining 10,000 reminders that all become due at
one instant (one UPDATE); lateness is each email's ``sent_at`` minus that instant. Then
chaos: another backlog, the worker killed with SIGKILL twice mid-drain and restarted;
every email must arrive exactly once, and re-sends (recognised by Message-ID in the
outbox) must stay within one send group per kill.
The last line is the result JSON: per_s, p99_lateness_s, lost, duplicate_delivery_rows,
resent_after_kill (and more).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Run, parser, percentile, scratch_database  # noqa: E402


def _people():
    from accounts.models import Couple, CoupleMembership, User

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
    return [a, b, t], couple


def _make_reminders(count: int, *, prefix: str, bookings_from_hour: int) -> str:
    """``count`` session reminders over 50 bookings, not yet due; returns the key prefix."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Booking
    from sessions_app.models import Reminder

    people, couple = _people()
    therapist = people[2]
    now = timezone.now()
    # Sessions an hour apart: one therapist's sessions may not overlap (PostgreSQL's
    # exclusion constraint refuses them).
    bookings = [
        Booking.objects.create(
            therapist=therapist,
            couple=couple,
            starts_at=now + timedelta(hours=bookings_from_hour + i),
            ends_at=now + timedelta(hours=bookings_from_hour + i, minutes=50),
        )
        for i in range(50)
    ]
    later = now + timedelta(days=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                key=f"{prefix}:{i}",
                kind=Reminder.Kind.SESSION,
                recipient=people[i % 3],
                booking=bookings[i % 50],
                offset_minutes=60,
                session_starts_at=bookings[i % 50].starts_at,
                due_at=later,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    return prefix


def _make_due(prefix: str):
    """Every reminder of the backlog falls due at the same instant (one UPDATE)."""
    from django.utils import timezone

    from sessions_app.models import Reminder

    due = timezone.now()
    Reminder.objects.filter(key__startswith=f"{prefix}:").update(due_at=due)
    return due


def _outstanding(prefix: str) -> bool:
    from sessions_app.models import Delivery, Reminder

    return (
        Reminder.objects.filter(key__startswith=f"{prefix}:", status="pending").exists()
        or Delivery.objects.filter(reminder__key__startswith=f"{prefix}:", status="queued").exists()
    )


def _audit(prefix: str, mail_ids: list[str]) -> dict:
    """What arrived against what should have: lost, duplicates, duplicate rows."""
    from django.db.models import Count

    from sessions_app import emails
    from sessions_app.models import Delivery, Reminder

    reminders = Reminder.objects.filter(key__startswith=f"{prefix}:")
    expected = {emails.message_id(r) for r in reminders.only("pk", "recipient_id")}
    arrived = set(mail_ids)
    dupes = (
        Delivery.objects.filter(reminder__key__startswith=f"{prefix}:")
        .values("reminder_id", "channel", "recipient_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "sent": reminders.filter(status="sent").count(),
        "emails": len(arrived),
        "lost": len(expected - arrived),
        "unexpected": len(arrived - expected),
        "duplicate_delivery_rows": dupes,
        "unsent_reminders": reminders.exclude(status="sent").count(),
    }


def _message_ids(procs) -> list[str]:
    return [message_from_bytes(f.read_bytes())["Message-ID"] for f in procs.mails()]


def _wait_ready(procs, timeout: float = 120) -> None:
    from tests.sessions_app.celery_procs import wait_for

    log = procs.workdir / f"worker-{procs.worker_starts}.log"
    wait_for(
        lambda: log.exists() and " ready." in log.read_text(errors="replace"),
        timeout=timeout,
        what="the Celery worker to be ready",
        every=0.2,
    )


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--baseline-count", type=int, default=1_000)
    p.add_argument("--chaos-count", type=int, default=4_000)
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--timeout", type=float, default=600.0)
    args = p.parse_args()
    if args.smoke:
        args.count, args.baseline_count, args.chaos_count = 300, 60, 300
    run = Run(args)

    base_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not base_url or not redis_url:
        raise SystemExit("bench/reminders.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    os.environ["DATABASE_URL"] = scratch_database(base_url, "_bench")
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

    from sessions_app.models import Delivery
    from sessions_app.services.dispatch import SEND_GROUP, reminders_dispatch_due
    from tests.sessions_app.celery_procs import CeleryProcs, wait_for

    # --- Baseline: the same dispatcher in-process, no broker or worker ---------------------
    _make_reminders(args.baseline_count, prefix="baseline", bookings_from_hour=3)
    _make_due("baseline")
    started = time.perf_counter()
    cpu = time.process_time()
    counts = reminders_dispatch_due(budget_seconds=600, now=timezone.now)
    base_elapsed = time.perf_counter() - started
    baseline_per_s = round(counts["sent"] / base_elapsed, 1)
    baseline_cpu_ms = round((time.process_time() - cpu) * 1000 / max(counts["sent"], 1), 2)

    # --- The real thing: beat + one worker over Redis, 10,000 due at one instant ---------
    _make_reminders(args.count, prefix="bench", bookings_from_hour=60)
    procs = CeleryProcs(workdir / "celery", concurrency=args.concurrency, tick_seconds=1)
    procs.env["REMINDER_DISPATCH_BUDGET_SECONDS"] = "50"
    procs.purge_broker()
    drained = True
    try:
        procs.start_worker()
        _wait_ready(procs)
        procs.start_beat()
        due = _make_due("bench")
        try:
            wait_for(lambda: not _outstanding("bench"), timeout=args.timeout, what="drain")
        except AssertionError:
            drained = False  # report what was measured rather than nothing
    finally:
        procs.stop()
    sent_at = list(
        Delivery.objects.filter(
            reminder__key__startswith="bench:", channel="email", status="sent"
        ).values_list("sent_at", flat=True)
    )
    lateness = [(s - due).total_seconds() for s in sent_at]
    elapsed = max(lateness, default=float("inf"))
    drain = _audit("bench", _message_ids(procs))

    # --- Chaos: kill -9 the worker twice mid-drain ------------------------------------
    _make_reminders(args.chaos_count, prefix="chaos", bookings_from_hour=120)
    chaos = CeleryProcs(workdir / "chaos", concurrency=args.concurrency, tick_seconds=1)
    chaos.purge_broker()
    kills = []
    try:
        chaos.start_beat()
        chaos.start_worker()
        _wait_ready(chaos)
        _make_due("chaos")
        for fraction in (1 / 3, 2 / 3):
            threshold = max(1, int(args.chaos_count * fraction))
            wait_for(
                lambda t=threshold: len(chaos.mails()) >= t or not _outstanding("chaos"),
                timeout=args.timeout,
                what=f"{threshold} emails before a kill",
                every=0.05,
            )
            kills.append(len(chaos.mails()))
            chaos.kill_worker()
            chaos.start_worker()
        wait_for(lambda: not _outstanding("chaos"), timeout=args.timeout, what="chaos drain")
    finally:
        chaos.stop()
    after_kill = _audit("chaos", _message_ids(chaos))

    result = {
        "count": args.count,
        "concurrency": args.concurrency,
        "drained": drained,
        "per_s": round(drain["emails"] / elapsed, 1) if lateness else 0.0,
        "elapsed_s": round(elapsed, 2),
        "p50_lateness_s": round(percentile(lateness, 50), 2),
        "p99_lateness_s": round(percentile(lateness, 99), 2),
        "max_lateness_s": round(max(lateness, default=0.0), 2),
        "lost": drain["lost"] + after_kill["lost"],
        "duplicate_delivery_rows": drain["duplicate_delivery_rows"]
        + after_kill["duplicate_delivery_rows"],
        "unsent_at_end": drain["unsent_reminders"] + after_kill["unsent_reminders"],
        "resent_before_kill": procs.redelivered(),
        "resent_after_kill": chaos.redelivered(),
        "kills_at_emails": kills,
        "chaos_count": args.chaos_count,
        "send_group": SEND_GROUP,
        "baseline_in_process_per_s": baseline_per_s,
        "baseline_cpu_ms_per_reminder": baseline_cpu_ms,
        "vs_baseline": round((drain["emails"] / elapsed) / baseline_per_s, 2) if lateness else 0,
    }
    run.finish(result)
    failed = [k for k in ("lost", "duplicate_delivery_rows", "unsent_at_end") if result[k] != 0] + (
        [] if drained else ["drained"]
    )
    if failed:
        raise SystemExit(f"bench/reminders.py: wrong outcome: {', '.join(failed)}")


if __name__ == "__main__":
    main()
