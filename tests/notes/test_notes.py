"""Therapist session notes: private, templated, drafts, signing locks, addenda,
emergency access for clinic admins with a reason, all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, DomainError, Forbidden
from core.models import AuditEvent
from notes import selectors as notes_selectors
from notes import services as notes_services
from notes.models import SessionNote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

MARKER = "MARKER-note-affair-disclosed-91c2"


@pytest.fixture
def note(therapist, session_booking):
    n = notes_services.note_create(
        therapist=therapist, booking=session_booking, template="soap", now=timezone.now()
    )
    return notes_services.note_update(
        note_id=n.pk,
        therapist=therapist,
        sections={"subjective": MARKER, "plan": "weekly"},
        now=timezone.now(),
    )


@pytest.mark.parametrize(
    ("template", "keys"),
    [
        ("soap", ["subjective", "objective", "assessment", "plan"]),
        ("dap", ["data", "assessment", "plan"]),
        ("free", ["note"]),
    ],
)
def test_templates_have_their_sections(therapist, session_booking, template, keys):
    n = notes_services.note_create(
        therapist=therapist, booking=session_booking, template=template, now=timezone.now()
    )
    assert [key for key, _label, _text in n.sections] == keys


def test_note_content_is_encrypted_at_rest(note):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM notes_sessionnote")
        raw = cursor.fetchone()[0]
    assert MARKER not in raw and raw.startswith("duet1:")
    assert MARKER in SessionNote.objects.get(pk=note.pk).content


def test_draft_edits_then_signing_locks(note, therapist):
    notes_services.note_sign(note_id=note.pk, therapist=therapist, now=timezone.now())
    with pytest.raises(Conflict):
        notes_services.note_update(
            note_id=note.pk, therapist=therapist, sections={"plan": "x"}, now=timezone.now()
        )
    with pytest.raises(Conflict):
        notes_services.note_sign(note_id=note.pk, therapist=therapist, now=timezone.now())
    notes_services.note_addendum_add(
        note_id=note.pk, author=therapist, body="Correction: biweekly", now=timezone.now()
    )
    fresh = SessionNote.objects.get(pk=note.pk)
    assert fresh.is_signed and MARKER in fresh.content
    assert [a.body for a in fresh.addenda.all()] == ["Correction: biweekly"]


def test_empty_note_cannot_be_signed(therapist, session_booking):
    n = notes_services.note_create(
        therapist=therapist, booking=session_booking, template="free", now=timezone.now()
    )
    with pytest.raises(DomainError):
        notes_services.note_sign(note_id=n.pk, therapist=therapist, now=timezone.now())


def test_addenda_only_on_signed_notes(note, therapist):
    with pytest.raises(Conflict):
        notes_services.note_addendum_add(
            note_id=note.pk, author=therapist, body="x", now=timezone.now()
        )


def test_only_the_author_reads_it(
    client,
    note,
    therapist,
    partner_a,
    partner_b,
    other_partner,
    other_therapist,
    clinic_admin,
    other_admin,
):
    client.force_login(therapist)
    page = client.get(f"/sessions/notes/{note.pk}/")
    assert page.status_code == 200 and MARKER in page.content.decode()
    assert page["Cache-Control"] == "no-store" or "no-store" in page["Cache-Control"]
    for persona in (
        partner_a,
        partner_b,
        other_partner,
        other_therapist,
        clinic_admin,
        other_admin,
    ):
        client.force_login(persona)
        response = client.get(f"/sessions/notes/{note.pk}/")
        assert response.status_code == 403, persona
        assert MARKER not in response.content.decode()
    assert AuditEvent.objects.filter(action="authz.denied").count() == 6


def test_therapist_writes_and_signs_through_the_pages(client, therapist, session_booking):
    client.force_login(therapist)
    response = client.post("/sessions/notes/", {"booking": session_booking.pk, "template": "dap"})
    note = SessionNote.objects.get()
    assert response["Location"] == f"/sessions/notes/{note.pk}/"
    client.post(f"/sessions/notes/{note.pk}/", {"data": "Talked about chores", "plan": "Repeat"})
    client.post(f"/sessions/notes/{note.pk}/sign/")
    page = client.get(f"/sessions/notes/{note.pk}/").content.decode()
    assert "Talked about chores" in page and "locked" in page
    # A signed note does not accept edits through the page either.
    client.post(f"/sessions/notes/{note.pk}/", {"data": "rewritten"})
    assert "rewritten" not in SessionNote.objects.get().content


def test_other_therapist_cannot_write_on_someone_elses_session(other_therapist, session_booking):
    with pytest.raises(Forbidden):
        notes_services.note_create(
            therapist=other_therapist, booking=session_booking, template="soap", now=timezone.now()
        )


def test_emergency_access_needs_a_reason_is_time_limited_and_audited(
    client, note, clinic_admin, other_admin, clock
):
    with pytest.raises(DomainError):
        notes_services.note_emergency_access(
            note_id=note.pk, admin=clinic_admin, reason="x", now=timezone.now()
        )
    with pytest.raises(Forbidden):
        notes_services.note_emergency_access(
            note_id=note.pk,
            admin=other_admin,
            reason="A long enough reason for access",
            now=timezone.now(),
        )
    client.force_login(clinic_admin)
    response = client.post(
        f"/sessions/notes/{note.pk}/emergency/",
        {"reason": "Client in crisis, therapist unreachable by phone"},
    )
    assert response["Location"] == f"/sessions/notes/{note.pk}/"
    page = client.get(f"/sessions/notes/{note.pk}/")
    assert page.status_code == 200 and MARKER in page.content.decode()
    assert "Emergency access" in page.content.decode()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "sessionnote.emergency_access" in actions and "sessionnote.read" in actions
    assert not AuditEvent.objects.filter(object_id__contains="crisis").exists()
    log = client.get("/account/audit/").content.decode()
    assert "Reason: Client in crisis, therapist unreachable by phone" in log
    clock.advance(timedelta(minutes=61))
    with pytest.raises(Forbidden):
        notes_selectors.note_for_reader(note_id=note.pk, user=clinic_admin, now=clock.now)


def test_reads_and_writes_are_audited_without_content(note, therapist):
    notes_selectors.note_for_reader(note_id=note.pk, user=therapist, now=timezone.now())
    events = AuditEvent.objects.filter(object_id=str(note.pk))
    assert {"sessionnote.create", "sessionnote.update", "sessionnote.read"} <= set(
        events.values_list("action", flat=True)
    )
    for event in AuditEvent.objects.all():
        assert MARKER not in " ".join(str(v) for v in event.__dict__.values())


def test_sign_signs_the_text_on_screen_not_an_older_draft(client, therapist, note):
    client.force_login(therapist)
    on_screen = {"subjective": "What I typed just now", "plan": "New plan"}
    response = client.post(f"/sessions/notes/{note.pk}/sign/", on_screen, follow=True)
    assert response.status_code == 200
    signed = SessionNote.objects.get(pk=note.pk)
    assert signed.is_signed
    texts = {key: text for key, _label, text in signed.sections}
    assert texts["subjective"] == "What I typed just now" and texts["plan"] == "New plan"
    assert MARKER not in signed.content


def test_typing_then_signing_a_fresh_draft_keeps_the_text(client, therapist, session_booking):
    fresh = notes_services.note_create(
        therapist=therapist, booking=session_booking, template="free", now=timezone.now()
    )
    client.force_login(therapist)
    client.post(f"/sessions/notes/{fresh.pk}/sign/", {"note": "Never saved as a draft"})
    signed = SessionNote.objects.get(pk=fresh.pk)
    assert signed.is_signed and "Never saved as a draft" in signed.content


def test_autosave_answers_json_and_the_draft_survives_a_reload(client, therapist, note):
    client.force_login(therapist)
    response = client.post(
        f"/sessions/notes/{note.pk}/",
        {"subjective": "Autosaved words", "plan": ""},
        headers={"X-Requested-With": "autosave"},
    )
    assert response.status_code == 200 and "saved_at" in response.json()
    page = client.get(f"/sessions/notes/{note.pk}/").content.decode()
    assert "Autosaved words" in page


def test_autosave_of_a_signed_note_is_refused_with_a_reason(client, therapist, note):
    notes_services.note_sign(note_id=note.pk, therapist=therapist, now=timezone.now())
    client.force_login(therapist)
    response = client.post(
        f"/sessions/notes/{note.pk}/",
        {"subjective": "late"},
        headers={"X-Requested-With": "autosave"},
    )
    assert response.status_code == 409 and response.json()["code"] == "note_signed"
