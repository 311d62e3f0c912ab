"""A real Daphne server in a subprocess, serving the pytest test database.

Use with ``@pytest.mark.django_db(transaction=True)`` so the data the test writes is
committed and visible to the server process. With SQLite the test database is a file
(var/test.sqlite3); with PostgreSQL the subprocess gets the test database's name.
"""

from __future__ import annotations

import os
import socket
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"daphne did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]
