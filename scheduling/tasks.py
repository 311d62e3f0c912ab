from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from scheduling.services import holds_expire


@shared_task
def expire_holds() -> int:
    """Free slots whose holds ran out (idempotent; booking also drops them itself)."""
    return holds_expire(now=timezone.now())
