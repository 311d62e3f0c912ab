"""Celery tasks for outgoing email: primary keys in, the outbox service does the work."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from core.mail import TRANSIENT_ERRORS, email_deliver, email_give_up, email_requeue_stale


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A relay outage is retried with exponential backoff and full jitter, boundedly.
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=settings.EMAIL_MAX_RETRIES,
    retry_backoff=settings.EMAIL_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
)
def deliver_email(self: Task, email_id: str) -> bool:
    try:
        return email_deliver(email_id=email_id, now=timezone.now())
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            email_give_up(email_id=email_id, now=timezone.now())
        raise


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_email() -> int:
    stale_after = timedelta(seconds=2 * settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS)
    return email_requeue_stale(now=timezone.now(), older_than=stale_after)
