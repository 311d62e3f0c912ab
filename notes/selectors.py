"""Reads for session notes. Reading content is audited; lists show no content."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from accounts.models import User
from core.audit import audit_read
from core.errors import Forbidden
from notes.models import EmergencyAccess, SessionNote

if TYPE_CHECKING:
    from scheduling.models import Booking


def notes_for_therapist(therapist: User) -> QuerySet[SessionNote]:
    return (
        SessionNote.objects.filter(therapist=therapist)
        .select_related("booking", "couple")
        .prefetch_related("couple__memberships__user")
        .defer("content")
    )


def notes_for_admin(admin: User) -> QuerySet[SessionNote]:
    """The clinic's notes as a list of who/when, for choosing one to break the glass."""
    from therapists.selectors import clinics_administered_by

    return (
        SessionNote.objects.filter(clinic__in=clinics_administered_by(admin))
        .select_related("therapist", "booking")
        .defer("content")
    )


def active_emergency_access(
    *, note: SessionNote, admin: User, now: datetime
) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(note=note, admin=admin, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def note_for_reader(
    *, note_id: UUID | str, user: User, request: HttpRequest | None = None, now: datetime
) -> SessionNote:
    """The note if ``user`` may read it now (its author, or an admin holding an
    unexpired emergency grant). Raises Forbidden otherwise. Audited."""
    note = SessionNote.objects.select_related("clinic", "couple").filter(pk=note_id).first()
    if note is not None and user.is_authenticated:
        if note.therapist_id == user.pk:
            return audit_read(request, note, actor=user)
        if user.is_clinic_admin and active_emergency_access(note=note, admin=user, now=now):
            audit_read(request, note, actor=user)
            return note
    raise Forbidden(
        gettext("Session notes are private to the therapist who wrote them."), code="private"
    )


def therapist_bookings_for_notes(therapist: User, *, now: datetime) -> QuerySet[Booking]:
    from scheduling.models import Booking

    return (
        Booking.objects.filter(therapist=therapist, starts_at__lte=now + timedelta(days=1))
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.HELD])
        .select_related("couple")
        .prefetch_related("couple__memberships__user")
        .order_by("-starts_at")[:50]
    )
