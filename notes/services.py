"""Writes for therapist session notes. Every write is audited (no content)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from accounts.models import User
from core.audit import audit_record
from core.errors import Conflict, DomainError, Forbidden
from notes.models import EmergencyAccess, NoteAddendum, SessionNote

if TYPE_CHECKING:
    from scheduling.models import Booking

EMERGENCY_ACCESS_MINUTES = 60
MIN_REASON_LENGTH = 20


def _own_note_for_update(*, note_id: UUID | str, therapist: User) -> SessionNote:
    note = SessionNote.objects.select_for_update().filter(pk=note_id).first()
    if note is None or note.therapist_id != therapist.pk:
        raise Forbidden(
            gettext("Only the therapist who wrote this note can change it."), code="not_yours"
        )
    return note


def note_create(
    *,
    therapist: User,
    booking: Booking,
    template: str,
    request: HttpRequest | None = None,
    now: datetime,
) -> SessionNote:
    if booking.therapist_id != therapist.pk:
        raise Forbidden(
            gettext("You can only write notes for your own sessions."), code="not_yours"
        )
    if template not in SessionNote.Template.values:
        raise DomainError(gettext("Choose a note template."), code="bad_template")
    with transaction.atomic():
        note = SessionNote(
            therapist=therapist,
            couple_id=booking.couple_id,
            clinic_id=booking.clinic_id,
            booking=booking,
            template=template,
            created_at=now,
            updated_at=now,
        )
        note.set_sections({})
        note.save()
        audit_record(actor=therapist, action="sessionnote.create", obj=note, request=request)
    return note


def note_update(
    *,
    note_id: UUID | str,
    therapist: User,
    sections: dict[str, str],
    request: HttpRequest | None = None,
    now: datetime,
) -> SessionNote:
    with transaction.atomic():
        note = _own_note_for_update(note_id=note_id, therapist=therapist)
        if note.is_signed:
            raise Conflict(
                gettext("This note is signed and locked. Add an addendum instead."),
                code="note_signed",
            )
        note.set_sections(sections)
        note.updated_at = now
        note.save()
        audit_record(actor=therapist, action="sessionnote.update", obj=note, request=request)
    return note


def note_sign(
    *,
    note_id: UUID | str,
    therapist: User,
    sections: dict[str, str] | None = None,
    request: HttpRequest | None = None,
    now: datetime,
) -> SessionNote:
    """Sign and lock the note. ``sections`` is what the therapist sees on screen when they
    press Sign: it is saved first, in the same transaction, so the signed text is exactly
    that (never an older draft, never an empty note because the draft was not saved)."""
    with transaction.atomic():
        note = _own_note_for_update(note_id=note_id, therapist=therapist)
        if note.is_signed:
            raise Conflict(gettext("This note is already signed."), code="note_signed")
        if sections is not None:
            note.set_sections(sections)
            note.save()
        if not any(text.strip() for _k, _l, text in note.sections):
            raise DomainError(gettext("Write something before signing."), code="empty_note")
        note.status = SessionNote.Status.SIGNED
        note.signed_at = now
        note.updated_at = now
        note.save(update_fields=["status", "signed_at", "updated_at"])
        audit_record(actor=therapist, action="sessionnote.sign", obj=note, request=request)
    return note


def note_addendum_add(
    *,
    note_id: UUID | str,
    author: User,
    body: str,
    request: HttpRequest | None = None,
    now: datetime,
) -> NoteAddendum:
    if not body.strip():
        raise DomainError(gettext("Write the addendum first."), code="empty_addendum")
    with transaction.atomic():
        note = _own_note_for_update(note_id=note_id, therapist=author)
        if not note.is_signed:
            raise Conflict(
                gettext("Drafts can still be edited; addenda are for signed notes."), code="draft"
            )
        addendum = NoteAddendum.objects.create(note=note, author=author, body=body, created_at=now)
        audit_record(actor=author, action="noteaddendum.create", obj=addendum, request=request)
    return addendum


def note_emergency_access(
    *,
    note_id: UUID | str,
    admin: User,
    reason: str,
    request: HttpRequest | None = None,
    now: datetime,
) -> EmergencyAccess:
    """Break the glass: an admin of the note's clinic gets an hour's access, audited."""
    from therapists.selectors import clinics_administered_by

    reason = reason.strip()
    note = SessionNote.objects.filter(pk=note_id).first()
    allowed = {c.pk for c in clinics_administered_by(admin)} if admin.is_clinic_admin else set()
    if note is None or note.clinic_id not in allowed:
        raise Forbidden(
            gettext("Emergency access is only for notes of your own clinic."), code="not_yours"
        )
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(
            gettext(
                "Explain why you need access (at least %(min)s characters); "
                "the reason is kept with the audit record."
            )
            % {"min": MIN_REASON_LENGTH},
            code="reason_required",
        )
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            note=note,
            admin=admin,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(minutes=EMERGENCY_ACCESS_MINUTES),
        )
        audit_record(
            actor=admin,
            action="sessionnote.emergency_access",
            obj=grant,
            request=request,
            clinic_id=note.clinic_id,
            couple_id=note.couple_id,
        )
    return grant


def notes_on_author_deleted(*, user: User, now: datetime) -> None:
    """Account deletion: a therapist's drafts go; signed notes stay for the clinic's
    retention period (then go). A client's deletion leaves the couple's record alone."""
    drafts = SessionNote.objects.filter(therapist=user, status=SessionNote.Status.DRAFT)
    drafts.delete()
    for note in SessionNote.objects.filter(therapist=user).select_related("clinic"):
        years = note.clinic.record_retention_years if note.clinic else 7
        if note.signed_at and note.signed_at < now - timedelta(days=365 * years):
            note.delete()
