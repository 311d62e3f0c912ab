"""Account security API: my sign-in status, and the clinic audit log for admins."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from accounts import twofactor
from accounts.session_control import IDLE_SECONDS, idle_seconds_for
from core.audit import audit_record
from core.models import AuditEvent

router = Router(tags=["accounts"])


class SecurityOut(Schema):
    two_factor_enabled: bool
    two_factor_required: bool
    recovery_codes_left: int
    idle_timeout_minutes: int


class AuditEventOut(Schema):
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    outcome: str
    object_type: str
    object_id: str
    ip: str | None


class AuditQuery(Schema):
    action: str = Field("", max_length=60, description="Only actions starting with this")
    limit: int = Field(100, ge=1, le=500)


@router.get("/security", response=SecurityOut, summary="My sign-in security status")
def security_status(request: HttpRequest) -> SecurityOut:
    user = request.user
    idle = request.session.get(IDLE_SECONDS) or idle_seconds_for(user)
    return SecurityOut(
        two_factor_enabled=twofactor.has_2fa(user),
        two_factor_required=twofactor.requires_2fa(user),
        recovery_codes_left=twofactor.recovery_codes_left(user),
        idle_timeout_minutes=idle // 60,
    )


@router.get(
    "/audit",
    response=list[AuditEventOut],
    summary="My clinic's audit log (clinic admins)",
)
def audit_events(request: HttpRequest, filters: Query[AuditQuery]) -> list[AuditEvent]:
    from therapists.selectors import clinics_administered_by

    user = request.user
    if not user.is_clinic_admin:
        raise PermissionDenied(_("Only clinic admins can read the audit log."))
    clinic_ids = [c.pk for c in clinics_administered_by(user)]
    events = AuditEvent.objects.filter(clinic_id__in=clinic_ids)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    audit_record(actor=user, action="audit.view", request=request)
    return list(events[: filters.limit])
