"""Health data at rest: AES-GCM tokens bound to their row, rotation, tamper detection."""

import os
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core import crypto
from core.crypto import DecryptionError
from scheduling.models import Booking
from sessions_app.models import Reflection

pytestmark = pytest.mark.django_db

MARKER = "MARKER-we-argue-about-money-7f3a"


@pytest.fixture
def keys(monkeypatch):
    """Set DUET_ENCRYPTION_KEYS (newest first) and reload the key ring."""

    def use(*items: str) -> None:
        monkeypatch.setenv("DUET_ENCRYPTION_KEYS", ",".join(items))
        crypto.reset_key_ring()

    yield use
    crypto.reset_key_ring()


@pytest.fixture
def booking(couple, therapist):
    start = timezone.now() - timedelta(hours=2)
    return Booking.objects.create(
        therapist=therapist, couple=couple, starts_at=start, ends_at=start + timedelta(minutes=50)
    )


def _raw(pk, column="what_helped"):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM sessions_app_reflection WHERE id = %s",  # noqa: S608
            [pk.hex if connection.vendor == "sqlite" else pk],
        )
        return cursor.fetchone()[0]


def _write_raw(pk, value, column="what_helped"):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE sessions_app_reflection SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk.hex if connection.vendor == "sqlite" else pk],
        )


def test_reads_like_text_and_stores_only_ciphertext(booking, partner_a):
    r = Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=MARKER)
    raw = _raw(r.pk)
    assert MARKER not in raw and raw.startswith("duet1:")
    assert Reflection.objects.get(pk=r.pk).what_helped == MARKER


def test_tampered_value_raises_instead_of_returning_text(booking, partner_a):
    r = Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=MARKER)
    raw = _raw(r.pk)
    flipped = raw[:-5] + ("A" if raw[-5] != "A" else "B") + raw[-4:]
    _write_raw(r.pk, flipped)
    with pytest.raises(DecryptionError):
        _ = Reflection.objects.get(pk=r.pk).what_helped


def test_ciphertext_moved_to_another_row_or_field_fails(booking, partner_a, partner_b):
    one = Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=MARKER)
    two = Reflection.objects.create(booking=booking, user=partner_b, rating=2, what_helped="x")
    _write_raw(two.pk, _raw(one.pk))
    with pytest.raises(DecryptionError):
        _ = Reflection.objects.get(pk=two.pk).what_helped
    _write_raw(one.pk, _raw(one.pk), column="what_to_work_on")
    with pytest.raises(DecryptionError):
        _ = Reflection.objects.get(pk=one.pk).what_to_work_on


def test_update_and_filter_on_encrypted_field_are_refused(booking, partner_a):
    Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=MARKER)
    with pytest.raises(TypeError):
        Reflection.objects.update(what_helped="plain")
    with pytest.raises(TypeError):
        list(Reflection.objects.filter(what_helped=MARKER))


def test_rotate_then_retire_old_key(keys, booking, partner_a, partner_b, capsys):
    old, new = crypto.new_key_item("old"), crypto.new_key_item("new")
    keys(old)
    a = Reflection.objects.create(booking=booking, user=partner_a, rating=5, what_helped=MARKER)
    b = Reflection.objects.create(
        booking=booking, user=partner_b, rating=3, what_to_work_on="listening"
    )
    keys(new, old)
    call_command("rotate_keys", "--batch-size", "1")
    assert "re-encrypted 2 rows" in capsys.readouterr().out
    assert _raw(a.pk).startswith("duet1:new:")
    keys(new)  # the old key is gone
    assert Reflection.objects.get(pk=a.pk).what_helped == MARKER
    assert Reflection.objects.get(pk=b.pk).what_to_work_on == "listening"
    call_command("rotate_keys")  # resumable / idempotent: nothing left to do
    assert "re-encrypted 0 rows" in capsys.readouterr().out


def test_missing_key_is_an_error_not_text(keys, booking, partner_a):
    keys(crypto.new_key_item("one"))
    r = Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=MARKER)
    keys(crypto.new_key_item("two"))
    with pytest.raises(DecryptionError):
        _ = Reflection.objects.get(pk=r.pk).what_helped


@pytest.mark.parametrize("raw", ["nocolon", "k1:!!!notbase64", "k1:c2hvcnQ", "bad id:AAAA"])
def test_malformed_keys_fail_loudly_naming_the_variable(raw):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DUET_ENCRYPTION_KEYS"):
        crypto.parse_keys(raw)


def _dump_database() -> str:
    """The whole database as text: the SQLite file's dump, or pg_dump on PostgreSQL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "\n".join(sqlite3.connect(db["NAME"]).iterdump())
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(
        [
            "pg_dump",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_database_dump_holds_no_plaintext(booking, partner_a):
    Reflection.objects.create(
        booking=booking, user=partner_a, rating=4, what_helped=MARKER, what_to_work_on=MARKER + "-2"
    )
    dump = _dump_database()
    assert "sessions_app_reflection" in dump
    assert dump.count(MARKER) == 0
