"""Email out of the request: queue in the transaction, send from a Celery task.

Services build an ``EmailMessage`` as before and hand it to :func:`email_queue` with a
key naming the logical email (``booking-12-confirmed-s0-to-7``). The row is written in
the caller's transaction and the task is queued when it commits, so a rolled-back change
sends nothing and a relay outage cannot turn a committed change into an error page.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timedelta
from email.mime.base import MIMEBase
from smtplib import SMTPException
from uuid import UUID

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from core.models import OutboundEmail
from core.site import site_host

log = logging.getLogger(__name__)

# What a relay outage looks like to smtplib: refusals, drops, timeouts, no route.
TRANSIENT_ERRORS = (SMTPException, OSError)


def message_id_for(key: str) -> str:
    return f"<{key}@{site_host()}>"


def _pack(message: EmailMessage) -> str:
    attachments = []
    for item in message.attachments:
        if isinstance(item, MIMEBase):
            raise TypeError("queue attachments as (name, content, mimetype)")
        name, content, mimetype = item
        raw = content.encode() if isinstance(content, str) else content
        attachments.append([name, base64.b64encode(raw).decode(), mimetype])
    alternatives = [[c, m] for c, m in getattr(message, "alternatives", [])]
    return json.dumps(
        {"body": message.body, "alternatives": alternatives, "attachments": attachments}
    )


def _unpack(row: OutboundEmail) -> EmailMultiAlternatives:
    data = json.loads(row.content)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=data["body"],
        to=row.to,
        headers={"Message-ID": message_id_for(row.key)},
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, b64, mimetype in data["attachments"]:
        message.attach(name, base64.b64decode(b64), mimetype)
    return message


def email_queue(*, key: str, message: EmailMessage, now: datetime) -> OutboundEmail:
    """Record ``message`` under ``key`` and send it after the current transaction commits.

    Queueing a key that exists already returns the existing row and sends nothing more.
    """
    with transaction.atomic():
        row, created = OutboundEmail.objects.get_or_create(
            key=key,
            defaults={
                "to": list(message.to),
                "subject": str(message.subject),
                "content": _pack(message),
                "created_at": now,
            },
        )
    if created:
        transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(email_id: UUID) -> None:
    from core.tasks import deliver_email

    try:
        deliver_email.delay(str(email_id))
    except (BrokerError, *TRANSIENT_ERRORS):
        # The change is committed; the row stays unsent and the sweeper queues it again.
        log.warning("could not queue email %s; the sweeper will retry", email_id, exc_info=True)


def email_deliver(*, email_id: str, now: datetime) -> bool:
    """Send one queued email unless it was sent already. True if this call sent it.

    The row is locked while sending, so two workers never send the same email at once.
    A relay error is recorded and re-raised for the task to retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        row = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if row is None:  # sent already, or another worker is sending it right now
            return False
        row.attempts += 1
        row.last_attempt_at = now
        try:
            _unpack(row).send(fail_silently=False)
        except TRANSIENT_ERRORS as exc:
            error = exc
            row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            row.sent_at = now
            row.failed_at = None
            row.last_error = ""
            row.content = ""  # nothing to keep once it left: links in it stay out of backups
        row.save()
    if error is not None:
        raise error
    return True


def email_give_up(*, email_id: str, now: datetime) -> None:
    OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(failed_at=now)


def email_requeue_stale(*, now: datetime, older_than: timedelta) -> int:
    """Queue again the emails whose task was lost (broker down at commit, worker gone)."""
    cutoff = now - older_than
    stale = OutboundEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True).filter(
        created_at__lt=cutoff
    )
    ids = [
        pk
        for pk, last in stale.values_list("pk", "last_attempt_at")
        if last is None or last < cutoff
    ]
    for pk in ids:
        _enqueue(pk)
    return len(ids)
