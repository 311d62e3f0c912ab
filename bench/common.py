"""What every bench shares: ``--smoke``, the machine's load, and its JSON result file.

Each bench ends by printing one JSON line (its headline figures) and, with ``--out``,
writes the same object plus how it was run (command, date, load average, cores) to a
file that ``bench/report.py`` turns into docs/benchmarks.md (``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "var" / "bench"


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    p.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny size that only proves the bench runs (CI's second lane)",
    )
    p.add_argument("--out", type=Path, help="also write the result JSON (with run details) here")
    return p


def load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


class Run:
    """Records how the bench ran: call ``Run(args)`` first and ``finish(result)`` last."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started = datetime.now(UTC)
        self.load_before = load()

    def finish(self, result: dict) -> dict:
        run = {
            "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", *_relative(sys.argv)]),
            "started": self.started.strftime("%Y-%m-%d %H:%M UTC"),
            "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "load_before": self.load_before,
            "load_after": load(),
            "cores": os.cpu_count(),
            "smoke": bool(self.args.smoke),
            "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
            "redis": bool(os.environ.get("REDIS_URL")),
        }
        print(json.dumps(result), flush=True)
        if self.args.out:
            self.args.out.parent.mkdir(parents=True, exist_ok=True)
            self.args.out.write_text(json.dumps({"result": result, "run": run}, indent=1) + "\n")
        return result


def _relative(argv: list[str]) -> list[str]:
    first = Path(argv[0]).resolve()
    try:
        return [str(first.relative_to(ROOT)), *argv[1:]]
    except ValueError:
        return argv


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def scratch_database(url: str, suffix: str) -> str:
    """A fresh PostgreSQL database ``<name><suffix>`` beside the one in ``url`` (dropped
    and recreated): a bench never touches the database it was pointed at."""
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))
