"""Start a real Celery worker and beat (separate processes) against the test database.

Used by the services-lane tests and mirrored by bench/reminders.py. The email outbox is
a directory (sessions_app.mail.OutboxFileBackend) so the test can watch what the worker
sent from another process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    """The database this test process uses (test_<name> under pytest-django)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(check: Callable[[], object], *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class CeleryProcs:
    def __init__(self, workdir: Path, *, concurrency: int = 2, tick_seconds: int = 1) -> None:
        self.workdir = workdir
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.concurrency = concurrency
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "EMAIL_BACKEND": "sessions_app.mail.OutboxFileBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "REMINDER_DISPATCH_SECONDS": str(tick_seconds),
            "REMINDER_DISPATCH_BUDGET_SECONDS": "20",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.worker_starts = 0

    # -- processes ---------------------------------------------------------------

    def purge_broker(self) -> None:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()

    def start_worker(self) -> None:
        self.worker_starts += 1
        log = open(self.workdir / f"worker-{self.worker_starts}.log", "w")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                f"--hostname=duet-test-{self.worker_starts}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool too
        )

    def start_beat(self) -> None:
        log = open(self.workdir / "beat.log", "w")  # noqa: SIM115
        self.beat = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(self.workdir / "beat-schedule"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill_worker(self) -> None:
        """kill -9 the whole worker (main process and pool children), no warm shutdown."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def stop(self) -> None:
        for proc in (self.worker, self.beat):
            if proc is None or proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.worker = self.beat = None

    # -- observation ---------------------------------------------------------------

    def mails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.eml"))

    def redelivered(self) -> int:
        log = self.mail_dir / "redelivered.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.workdir.glob("*.log")))

    def dispatch_runs(self) -> int:
        """How many dispatcher runs the worker(s) finished (from their logs)."""
        text = "\n".join(p.read_text(errors="replace") for p in self.workdir.glob("worker-*.log"))
        return sum(
            1
            for line in text.splitlines()
            if "dispatch_due_reminders[" in line and "succeeded" in line
        )
