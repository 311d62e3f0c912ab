"""Bad settings fail loudly at start-up, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@127.0.0.1/test"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:notaport/test"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DEBUG", "maybe"),
        ("CHANNEL_CAPACITY", "lots"),
        ("CHANNEL_LAYER", "carrier-pigeon"),
        ("SECRET_KEY", "short"),
        ("SITE_URL", "ftp://duet.example"),
    ],
)
def test_malformed_value_stops_startup_naming_the_variable(name, value):
    result = _start({name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_defaults_start_with_no_environment():
    result = _start({})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_turn_needs_a_secret():
    result = _start({"TURN_URLS": "turn:127.0.0.1:3478"})
    assert result.returncode != 0 and "TURN_SECRET" in result.stderr


def test_postgres_connections_come_from_a_bounded_pool():
    """With DATABASE_URL: Django's psycopg pool, sized by DATABASE_POOL_MAX_SIZE, and no
    persistent per-thread connections (CONN_MAX_AGE=0)."""
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'],"
        " d['OPTIONS']['application_name'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pooltest",
        DATABASE_POOL_MAX_SIZE="7",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "7", "duet"]
    bad = _start({"DATABASE_URL": "postgres://p@127.0.0.1/x", "DATABASE_POOL_MAX_SIZE": "0"})
    assert bad.returncode != 0 and "DATABASE_POOL_MAX_SIZE" in bad.stderr
