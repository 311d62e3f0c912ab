"""Recording the audit trail. Other apps call ``audit_record`` for writes and
``audit_read`` from selectors that hand out health data.

Actions are dotted names: ``<thing>.<verb>`` (``note.read``, ``message.create``,
``data.export``, ``authz.denied``, ``roster.change``, ``note.emergency_access``...).
Only identifiers are stored, never the content of what was read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.http import HttpRequest

from core.models import AuditEvent

# The request being served, so signal receivers (roster changes) can name the actor.
current_request: ContextVar[HttpRequest | None] = ContextVar("duet_request", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address. Behind the TLS proxy (SECURE_HTTPS) the proxy's
    X-Forwarded-For is trusted for its last hop only; otherwise REMOTE_ADDR."""
    if request is None:
        return None
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


# The clinic a staff actor works for. Clinics live in ``therapists``, a layer above,
# which registers the lookup when it starts (therapists.apps); callers that know the
# clinic pass ``clinic_id`` and skip it.
_actor_clinic: Callable[[Any], int | None] = lambda actor: None  # noqa: E731


def register_actor_clinic(lookup: Callable[[Any], int | None]) -> None:
    global _actor_clinic
    _actor_clinic = lookup


def _clinic_of_actor(actor: Any) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.is_client:
        return None
    return _actor_clinic(actor)


def _object_fields(obj: Any) -> tuple[str, str, int | None, int | None]:
    if obj is None:
        return "", "", None, None
    if isinstance(obj, models.Model):
        clinic_id = getattr(obj, "clinic_id", None)
        couple_id = getattr(obj, "couple_id", None)
        if clinic_id is None and hasattr(obj, "audit_clinic_id"):
            clinic_id = obj.audit_clinic_id()
        if couple_id is None and hasattr(obj, "audit_couple_id"):
            couple_id = obj.audit_couple_id()
        return obj._meta.label_lower, str(obj.pk), clinic_id, couple_id
    return type(obj).__name__.lower(), str(obj), None, None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    request: HttpRequest | None = None,
    outcome: str = AuditEvent.Outcome.OK,
    clinic_id: int | None = None,
    couple_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """Append one event. ``obj`` gives the object type/id (and its clinic and couple
    when the model has ``clinic_id``/``couple_id`` or ``audit_clinic_id()``)."""
    if request is None:
        request = current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    o_type, o_id, o_clinic, o_couple = _object_fields(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=actor.pk if authenticated else None,
        actor_label=actor.email if authenticated else "anonymous",
        actor_role=actor.role if authenticated else "",
        action=action,
        outcome=outcome,
        object_type=object_type if object_type is not None else o_type,
        object_id=(object_id if object_id is not None else o_id)[:64],
        clinic_id=clinic_id or o_clinic or _clinic_of_actor(actor),
        couple_id=couple_id or o_couple,
        ip=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        method=(request.method or "")[:10] if request is not None else "",
    )


def audit_read(request: HttpRequest | None, obj: Any, *, actor: Any = None, **kw: Any) -> Any:
    """Record that health data ``obj`` was read; returns ``obj`` so a selector can
    ``return audit_read(request, note)``. Works for one object or a list, which is
    written in one INSERT whatever its length."""
    who: Any = actor if actor is not None else getattr(request, "user", None)
    items = obj if isinstance(obj, list | tuple) else [obj]
    if not items:
        return obj
    if request is None:
        request = current_request.get()
    authenticated = who is not None and getattr(who, "is_authenticated", False)
    actor_clinic = kw.pop("clinic_id", None) or _clinic_of_actor(who)
    events = []
    for item in items:
        label = item._meta.model_name if isinstance(item, models.Model) else "object"
        o_type, o_id, o_clinic, o_couple = _object_fields(item)
        events.append(
            AuditEvent(
                actor_id=who.pk if authenticated else None,
                actor_label=who.email if authenticated else "anonymous",
                actor_role=who.role if authenticated else "",
                action=f"{label}.read",
                outcome=kw.get("outcome", AuditEvent.Outcome.OK),
                object_type=o_type,
                object_id=o_id[:64],
                clinic_id=o_clinic or actor_clinic,
                couple_id=kw.get("couple_id") or o_couple,
                ip=client_ip(request),
                path=(request.path[:300] if request is not None else ""),
                method=(request.method or "")[:10] if request is not None else "",
            )
        )
    AuditEvent.objects.bulk_create(events)
    return obj


def audit_actor_forget(*, actor_id: int) -> int:
    """Replace a deleted account's email in its audit events with its account number.

    The one update the append-only log allows (its PostgreSQL trigger checks that
    nothing else changes): the events stay, the name goes."""
    from django.db.models import QuerySet

    rows = AuditEvent.objects.filter(actor_id=actor_id).exclude(
        actor_label=f"deleted account #{actor_id}"
    )
    return QuerySet.update(rows, actor_label=f"deleted account #{actor_id}")
