"""Celery tasks: thin, idempotent, primary keys in, services do the work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from sessions_app.services.attendance import sessions_close_finished
from sessions_app.services.dispatch import reminders_dispatch_due


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch_due_reminders() -> dict[str, int]:
    """Beat runs this every REMINDER_DISPATCH_SECONDS; overlapping runs cooperate
    through SKIP LOCKED, and a run killed mid-batch loses nothing (rows stay pending)."""
    return reminders_dispatch_due(
        budget_seconds=settings.REMINDER_DISPATCH_BUDGET_SECONDS,
        now=timezone.now,
        on_backlog=_ask_for_a_helper,
    )


def _ask_for_a_helper() -> None:
    """A backlog (a whole batch was due at once): one more run, on any idle worker
    process, shares it now rather than at the next beat tick (a minute in production).
    Each run asks once, so helpers stay bounded by the idle processes; one that starts
    after the backlog is gone finds nothing and ends, and one that waits longer than two
    ticks expires like a tick would."""
    dispatch_due_reminders.apply_async(expires=float(settings.REMINDER_DISPATCH_SECONDS * 2))


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def close_finished_sessions() -> int:
    return sessions_close_finished(now=timezone.now())
