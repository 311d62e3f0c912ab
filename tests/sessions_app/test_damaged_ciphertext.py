"""One damaged ciphertext never breaks a whole page or an export:
the other entries show, the damaged one is marked, and the operator gets a log line."""

from __future__ import annotations

import io
import json
import logging
import zipfile

import pytest
from django.db import connection
from django.utils import timezone

from sessions_app.models import JournalEntry
from sessions_app.services.journal import journal_write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _damage(entry: JournalEntry) -> None:
    pk = entry.pk.hex if connection.vendor == "sqlite" else entry.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM sessions_app_journalentry WHERE id = %s", [pk])
        raw = cursor.fetchone()[0]
        flipped = raw[:-5] + ("A" if raw[-5] != "A" else "B") + raw[-4:]
        cursor.execute(
            "UPDATE sessions_app_journalentry SET body = %s WHERE id = %s", [flipped, pk]
        )


@pytest.fixture
def entries(couple, partner_a):
    now = timezone.now()
    good = journal_write(user=partner_a, couple=couple, kind="private", body="still-here", now=now)
    bad = journal_write(user=partner_a, couple=couple, kind="private", body="broken", now=now)
    _damage(bad)
    return good, bad


def test_journal_page_shows_the_others_and_marks_the_damaged_entry(
    client, partner_a, entries, caplog
):
    client.force_login(partner_a)
    with caplog.at_level(logging.ERROR, logger="duet.encryption"):
        response = client.get("/sessions/journal/?tab=private")
    page = response.content.decode()
    assert response.status_code == 200
    assert "still-here" in page and "could not be read" in page
    assert str(entries[1].pk) in caplog.text and "broken" not in caplog.text


def test_export_holds_the_others_and_marks_the_damaged_entry(client, partner_a, entries):
    client.force_login(partner_a)
    response = client.post("/account/data/export/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    rows = json.loads(archive.read("sessions_app.journalentry.json"))
    by_id = {r["id"]: r for r in rows}
    assert by_id[str(entries[0].pk)]["body"] == "still-here"
    damaged = by_id[str(entries[1].pk)]
    assert damaged["body"] is None and "could not be read" in damaged["unreadable"]
