"""Who may read which answers; every answer handed out is written to the audit log."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from accounts.models import Couple, User
from core.audit import audit_read
from measures.models import MeasureResponse
from therapists.models import Clinic
from therapists.selectors import is_admin_of, is_client_of


def audited(viewer: User, rows: list[MeasureResponse]) -> list[MeasureResponse]:
    """Record each answer handed to ``viewer`` in the audit log (one INSERT, no content)."""
    if rows:
        audit_read(None, rows, actor=viewer)
    return rows


def can_read(viewer: User, response: MeasureResponse) -> bool:
    """The partner who answered, and a therapist of the couple. Never the other partner."""
    if not viewer.is_authenticated:
        return False
    if response.user_id == viewer.pk:
        return True
    return bool(
        viewer.is_therapist
        and response.couple_id is not None
        and is_client_of(viewer, response.couple_id)
    )


def couple_for_therapist(therapist: User, couple_id: int) -> Couple:
    couple = Couple.objects.filter(pk=couple_id).prefetch_related("memberships__user").first()
    if couple is None or not therapist.is_therapist or not is_client_of(therapist, couple_id):
        raise Http404("No such couple.")
    return couple


def clinic_for_admin(user: User, clinic_id: int) -> Clinic:
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None or not is_admin_of(user, clinic.pk):
        raise Http404("No such clinic.")
    return clinic


def response_for(viewer: User, response_id: UUID | str) -> MeasureResponse:
    response = MeasureResponse.objects.filter(pk=response_id).select_related("user").first()
    if response is None or not can_read(viewer, response):
        raise Http404("No such answer.")
    audited(viewer, [response])
    return response
