"""A real Daphne server in a subprocess, serving the pytest test database.

Use with ``@pytest.mark.django_db(transaction=True)`` so the data the test writes is
committed and visible to the server process. With SQLite the test database is a file
(var/test.sqlite3); with PostgreSQL the subprocess gets the test database's name.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until_serving(proc, url: str, what: str, log_tail, timeout: float) -> None:
    """Until ``url``/login/ answers 200 (a live server, or a proxy in front of one);
    fails with the process's log if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start: {log_tail()}")


def stop_process(proc) -> None:
    """SIGTERM, then SIGKILL if it has not gone within 10 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


TURNSERVER = "/usr/bin/turnserver"


def stun_answers(host: str, port: int) -> bool:
    """Send a STUN binding request; True once the server answers."""
    request = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        sock.sendto(request, (host, port))
        try:
            return sock.recv(2048)[:2] == b"\x01\x01"
        except OSError:
            return False


@contextlib.contextmanager
def live_coturn(*, address: str, port: int, relay_ports: int, secret: str, workdir: Path, extra=()):
    """Debian's coturn on ``address:port`` with the app's shared-secret credentials,
    relaying on 100 ports from ``relay_ports``; yields its log file once it answers STUN,
    and never leaves a TURN server behind."""
    log = workdir / "turn.log"
    proc = subprocess.Popen(
        [
            TURNSERVER,
            "-n",
            f"--listening-ip={address}",
            f"--listening-port={port}",
            f"--relay-ip={address}",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=duet.test",
            *extra,
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            f"--min-port={relay_ports}",
            f"--max-port={relay_ports + 99}",
            "--fingerprint",
            f"--log-file={log}",
            "--simple-log",
            "--no-stdout-log",
            f"--pidfile={workdir / 'turn.pid'}",
            f"--userdb={workdir / 'turndb'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while not stun_answers(address, port):
            assert proc.poll() is None, "turnserver exited"
            assert time.monotonic() < deadline, "turnserver did not start"
        yield log
    finally:
        stop_process(proc)


class LiveDaphne:
    def __init__(
        self, extra_env: dict[str, str] | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.signaling.daphne_settings",
            "DUET_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        # The run's own var dir (DUET_VAR_DIR): parallel runs must not share log files.
        log_dir = Path(settings.VAR_DIR)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"daphne-{self.port}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                host,
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        wait_until_serving(self.proc, self.url, "daphne", self.log_tail, timeout)

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]
