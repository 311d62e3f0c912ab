"""In-app notifications (the bell)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from core.errors import DomainError
from sessions_app.models import Notification


def notification_create(
    *, user: User, kind: str, title: str, url: str = "", key: str | None = None, now: datetime
) -> Notification | None:
    """Create once per ``key``: a signal or task that runs twice notifies once."""
    if key and Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, title=title[:200], url=url, key=key, created_at=now
            )
    except IntegrityError:
        return None


def notification_mark_read(
    *, user: User, notification_id: UUID | str, now: datetime
) -> Notification:
    note = Notification.objects.filter(pk=notification_id, user=user).first()
    if note is None:
        raise DomainError(gettext("Notification not found."), code="not_found", status=404)
    if note.read_at is None:
        note.read_at = now
        note.save(update_fields=["read_at"])
    return note


def notifications_mark_all_read(*, user: User, now: datetime) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
