"""Download my data (zip of readable JSON) and delete my account."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from messaging import services as messaging_services
from messaging.models import Message
from notes import services as notes_services
from notes.models import SessionNote
from scheduling.models import Booking
from sessions_app.models import Reflection
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

A_MARK = "MARKER-sam-wrote-this-1a2b"
B_MARK = "MARKER-aiko-wrote-this-3c4d"
OTHER_MARK = "MARKER-other-couple-5e6f"


@pytest.fixture
def history(couple, partner_a, partner_b, therapist, clinic, other_couple, other_partner):
    start = timezone.now() - timedelta(days=2)
    booking = Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status="completed",
        booked_by=partner_a,
    )
    other = Booking.objects.create(  # the same therapist's next session, an hour later
        therapist=therapist,
        couple=other_couple,
        clinic=clinic,
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=1, minutes=50),
        status="completed",
    )
    Reflection.objects.create(booking=booking, user=partner_a, rating=4, what_helped=A_MARK)
    Reflection.objects.create(booking=booking, user=partner_b, rating=5, what_helped=B_MARK)
    Reflection.objects.create(booking=other, user=other_partner, rating=3, what_helped=OTHER_MARK)
    thread = messaging_services.thread_open(user=partner_a, therapist=therapist)
    messaging_services.message_post(
        thread=thread, author=partner_a, body=A_MARK + "-msg", now=timezone.now()
    )
    messaging_services.message_post(
        thread=thread, author=partner_b, body=B_MARK + "-msg", now=timezone.now()
    )
    note = notes_services.note_create(
        therapist=therapist, booking=booking, template="free", now=timezone.now()
    )
    notes_services.note_update(
        note_id=note.pk, therapist=therapist, sections={"note": "n"}, now=timezone.now()
    )
    notes_services.note_sign(note_id=note.pk, therapist=therapist, now=timezone.now())
    return {"booking": booking, "thread": thread, "note": note}


def _zip(response) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_holds_my_data_readable_and_nothing_else(client, history, partner_a):
    client.force_login(partner_a)
    response = client.post("/account/data/export/")
    assert response["Content-Type"] == "application/zip"
    files = _zip(response)
    assert "README.txt" in files
    everything = "\n".join(files.values())
    assert A_MARK in everything  # my reflection and my message, decrypted
    assert B_MARK + "-msg" in everything  # a message I received in our shared thread
    assert B_MARK not in files.get("sessions_app.reflection.json", "")  # partner's own
    assert OTHER_MARK not in everything
    assert partner_a.password not in everything and "duet1:" not in everything
    assert "notes.sessionnote.json" not in files
    account = json.loads(files["accounts.user.json"])[0]
    assert account["email"] == partner_a.email and "password" not in account
    assert AuditEvent.objects.filter(action="data.export", actor_id=partner_a.pk).exists()


def test_export_needs_a_post_and_a_login(client):
    assert client.get("/account/data/export/").status_code in (302, 405)
    assert client.post("/account/data/export/")["Location"].startswith("/login/")


def test_delete_requires_password_and_confirmation(client, partner_a):
    client.force_login(partner_a)
    response = client.post("/account/delete/", {"password": "wrong", "confirm": "DELETE"})
    assert response.status_code == 400
    assert User.objects.get(pk=partner_a.pk).is_active


def test_deleting_removes_my_data_keeps_partner_and_clinic_records(
    client, history, partner_a, partner_b
):
    client.force_login(partner_a)
    page = client.get("/account/data/").content.decode()
    assert "What is kept, and why" in page and "retention" in page
    response = client.post("/account/delete/", {"password": PASSWORD, "confirm": "DELETE"})
    assert response.status_code == 302
    gone = User.objects.get(pk=partner_a.pk)
    assert gone.full_name == "Deleted user" and gone.email != "a@example.com"
    assert not gone.is_active and not gone.has_usable_password()
    assert not Reflection.objects.filter(user=gone).exists()
    assert not Message.objects.filter(author=gone).exists()
    # The partner keeps everything they wrote, and the shared conversation.
    assert Reflection.objects.get(user=partner_b).what_helped == B_MARK
    assert Message.objects.get(author=partner_b).body == B_MARK + "-msg"
    client.force_login(partner_b)
    assert client.get(f"/sessions/messages/{history['thread'].pk}/").status_code == 200
    # The clinic keeps the signed clinical note and the session on its books.
    assert SessionNote.objects.filter(pk=history["note"].pk).exists()
    assert Booking.objects.get(pk=history["booking"].pk).booked_by.full_name == "Deleted user"
    # The email can sign up again; the old password no longer works.
    assert not client.login(email="a@example.com", password=PASSWORD)


def test_therapist_deletion_keeps_signed_notes_within_retention_only(history, therapist):
    from accounts.account_deletion import account_delete

    draft = notes_services.note_create(
        therapist=therapist, booking=history["booking"], template="soap", now=timezone.now()
    )
    old = notes_services.note_create(
        therapist=therapist, booking=history["booking"], template="free", now=timezone.now()
    )
    notes_services.note_update(
        note_id=old.pk, therapist=therapist, sections={"note": "old"}, now=timezone.now()
    )
    notes_services.note_sign(
        note_id=old.pk, therapist=therapist, now=timezone.now() - timedelta(days=365 * 8)
    )
    account_delete(user=therapist, now=timezone.now())
    remaining = set(SessionNote.objects.values_list("pk", flat=True))
    assert history["note"].pk in remaining
    assert draft.pk not in remaining and old.pk not in remaining


def test_deletion_leaves_the_email_in_no_audit_event_and_no_admin_history(
    client, partner_a, couple
):
    """The page promises no name stays (both lanes: on PostgreSQL the
    append-only trigger allows exactly this one change)."""
    from django.contrib.admin.models import CHANGE, LogEntry

    email = partner_a.email
    operator = User.objects.create_superuser(email="op@duet.example", password="x" * 12)
    LogEntry.objects.log_actions(
        user_id=operator.pk,
        queryset=User.objects.filter(pk=partner_a.pk),
        action_flag=CHANGE,
        change_message="[]",
    )
    client.force_login(partner_a)
    client.get("/account/data/")
    assert AuditEvent.objects.filter(actor_label=email).exists()
    response = client.post("/account/delete/", {"password": PASSWORD, "confirm": "DELETE"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(actor_label__icontains=email).exists()
    assert AuditEvent.objects.filter(actor_label=f"deleted account #{partner_a.pk}").exists()
    assert not LogEntry.objects.filter(object_repr__icontains=email).exists()
    assert LogEntry.objects.filter(object_repr=f"deleted account #{partner_a.pk}").exists()


@pytest.mark.services
def test_the_audit_log_still_refuses_any_other_update_on_postgresql(partner_a):
    from django.db import DatabaseError, connection, transaction

    from core.audit import audit_record

    event = audit_record(actor=partner_a, action="probe")
    for sql, params in (
        ("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone", event.pk]),
        ("UPDATE core_auditevent SET action = %s WHERE id = %s", ["other", event.pk]),
        (
            "UPDATE core_auditevent SET actor_label = %s, action = 'x' WHERE id = %s",
            [f"deleted account #{partner_a.pk}", event.pk],
        ),
        ("DELETE FROM core_auditevent WHERE id = %s", [event.pk]),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
