"""The email outbox: queued in the transaction, sent after commit by a Celery task,
one send per logical email, bounded retries, and lost tasks queued again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.mail import email_queue, email_requeue_stale, message_id_for
from core.models import OutboundEmail
from core.tasks import deliver_email
from tests.smtp_relay import Relay, smtp_settings

pytestmark = pytest.mark.django_db


def _message(to="a@example.com") -> EmailMessage:
    message = EmailMessage("Hello", "Body text", to=[to])
    message.attach("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def test_one_send_per_key_after_commit(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://clinic.example"
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        row = email_queue(key="welcome-1", message=_message(), now=now)
        again = email_queue(key="welcome-1", message=_message(), now=now)
        assert mail.outbox == []  # nothing leaves before the commit
    assert again.pk == row.pk and OutboundEmail.objects.count() == 1
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == "<welcome-1@clinic.example>"
    assert sent.attachments[0][0] == "session.ics" and sent.body == "Body text"
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1 and row.content == ""
    deliver_email.delay(str(row.pk))  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        email_queue(key="never", message=_message(), now=timezone.now())
        raise RuntimeError("the change failed")
    assert mail.outbox == [] and not OutboundEmail.objects.exists()


def test_retries_are_bounded_then_the_email_is_given_up(settings, celery_eager):
    relay = Relay()
    relay.controller.start()
    try:
        for name, value in smtp_settings(relay).items():
            setattr(settings, name, value)
        relay.refuse()
        celery_eager.conf.task_eager_propagates = False
        row = OutboundEmail.objects.create(
            key="refused", to=["a@example.com"], subject="Hi", content='{"body": "x", '
            '"alternatives": [], "attachments": []}',
        )  # fmt: skip
        deliver_email.delay(str(row.pk))
        row.refresh_from_db()
        assert row.sent_at is None and row.failed_at is not None
        assert row.attempts == settings.EMAIL_MAX_RETRIES + 1 == relay.refusals
        assert "451" in row.last_error and relay.messages == []
    finally:
        relay.controller.stop()


def test_the_sweeper_queues_emails_whose_task_was_lost(django_capture_on_commit_callbacks):
    now = timezone.now()
    row = OutboundEmail.objects.create(
        key="lost", to=["a@example.com"], subject="Hi", created_at=now - timedelta(hours=1),
        content='{"body": "x", "alternatives": [], "attachments": []}',
    )  # fmt: skip
    fresh = OutboundEmail.objects.create(
        key="fresh", to=["b@example.com"], subject="Hi", created_at=now,
        content='{"body": "y", "alternatives": [], "attachments": []}',
    )  # fmt: skip
    assert email_requeue_stale(now=now, older_than=timedelta(minutes=30)) == 1
    [sent] = mail.outbox
    assert sent.to == ["a@example.com"] and sent.extra_headers["Message-ID"] == message_id_for(
        row.key
    )
    fresh.refresh_from_db()
    assert fresh.sent_at is None
