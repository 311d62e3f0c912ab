"""Pieces of bench/signaling.py: people and bookings, the Daphne server, figures.

Imported by bench/signaling.py after it has set up Django (settings
bench.signaling_settings, a throwaway SQLite under DUET_VAR_DIR).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[1]

PASSWORD = "bench-password-123"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


# --- data --------------------------------------------------------------------------------
def make_people():
    from accounts.models import Couple, CoupleMembership, User
    from accounts.security_models import TotpDevice
    from tests.factories import TOTP_SECRET

    def user(email, name, role="client"):
        return User.objects.create_user(
            email=email, password=PASSWORD, full_name=name, role=role, time_zone="UTC"
        )

    therapist = user("t@bench.test", "Tess Bench", "therapist")
    # Therapists always sign in in two steps; the aiortc clients use recovery codes.
    TotpDevice.objects.create(user=therapist, name="Bench", confirmed=True, secret=TOTP_SECRET)
    a, b = user("a@bench.test", "Ann Bench"), user("b@bench.test", "Ben Bench")
    couple = Couple.objects.create(created_by=a)
    for seat, u in enumerate((a, b), start=1):
        CoupleMembership.objects.create(couple=couple, user=u, seat=seat)
    return therapist, a, b, couple


def make_bookings(therapist, couple, n: int, *, admitted=()):
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Booking
    from signaling.models import RoomParticipant

    now = timezone.now()
    bookings = []
    for _ in range(n):
        booking = Booking.objects.create(
            therapist=therapist,
            couple=couple,
            starts_at=now,
            ends_at=now + timedelta(minutes=50),
        )
        for user in admitted:  # partners the therapist already let in
            RoomParticipant.objects.create(
                booking=booking, user=user, state="admitted", admitted_at=now
            )
        bookings.append(booking)
    return bookings


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# --- servers -------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_daphne(layer: str, app: str = "config.asgi:application") -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BENCH_LAYER": layer, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=open(Path(os.environ["DUET_VAR_DIR"]) / f"daphne-{layer}.log", "ab"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("daphne did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def fresh_codes(therapist) -> None:
    """One recovery code per therapist login (a code is single-use)."""
    from accounts.twofactor import recovery_codes_regenerate
    from tests.signaling.rtc_client import SECOND_FACTOR_CODES

    SECOND_FACTOR_CODES[therapist.email] = recovery_codes_regenerate(user=therapist)
