"""A real Celery worker and beat against Redis and PostgreSQL (services lane).

No eager mode, no mocks: the test starts ``celery worker`` and ``celery beat`` as
subprocesses on the test database and watches the email outbox directory.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.utils import timezone

from scheduling import signals
from scheduling.models import Booking
from sessions_app.models import Delivery, Reminder
from sessions_app.services.dispatch import SEND_GROUP
from tests.sessions_app.celery_procs import CeleryProcs, wait_for
from tests.sessions_app.conftest import confirm, make_booking

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procs(tmp_path):
    p = CeleryProcs(tmp_path)
    p.purge_broker()
    yield p
    p.stop()


def _message_ids(procs) -> list[str]:
    return [message_from_bytes(f.read_bytes())["Message-ID"] for f in procs.mails()]


def test_worker_and_beat_deliver_each_reminder_once(procs, couple, therapist, clinic):
    now = timezone.now()
    # The 1 h reminders fall due a few seconds from now; the 24 h moment has passed.
    booking = make_booking(couple, therapist, now + timedelta(hours=1, seconds=4), clinic=clinic)
    confirm(booking)
    assert Reminder.objects.filter(status="pending").count() == 3
    ended = make_booking(couple, therapist, now - timedelta(minutes=50), clinic=clinic)

    procs.start_beat()
    procs.start_worker()
    wait_for(lambda: len(procs.mails()) >= 3, timeout=60, what="3 reminder emails")
    signals.session_ended.send(sender=Booking, booking=ended, ended_by=therapist)
    wait_for(lambda: len(procs.mails()) >= 5, timeout=60, what="2 follow-up emails")
    # Let beat tick several more times: nothing may be sent again.
    runs = procs.dispatch_runs()
    wait_for(lambda: procs.dispatch_runs() >= runs + 3, timeout=60, what="3 more dispatch runs")

    ids = _message_ids(procs)
    assert len(ids) == 5 and len(set(ids)) == 5
    recipients = Counter(message_from_bytes(f.read_bytes())["To"] for f in procs.mails())
    assert recipients == Counter(
        {couple.partners[0].email: 2, couple.partners[1].email: 2, therapist.email: 1}
    )
    assert Reminder.objects.filter(status="sent").count() == 5
    assert Delivery.objects.filter(channel="email").count() == 5
    assert procs.redelivered() == 0


def test_chaos_kill_9_mid_batch_loses_and_duplicates_nothing(procs, couple, therapist, clinic):
    now = timezone.now()
    bookings = [
        # One therapist cannot hold overlapping sessions (PostgreSQL refuses them).
        make_booking(couple, therapist, now + timedelta(hours=2 + i), clinic=clinic)
        for i in range(10)
    ]
    people = [*couple.partners, therapist]
    Reminder.objects.bulk_create(
        Reminder(
            key=f"chaos:{i}",
            kind=Reminder.Kind.SESSION,
            recipient=people[i % 3],
            booking=bookings[i % 10],
            offset_minutes=60,
            session_starts_at=bookings[i % 10].starts_at,
            due_at=now - timedelta(seconds=30),
        )
        for i in range(1000)
    )
    procs.start_beat()
    procs.start_worker()
    at_kill = wait_for(
        lambda: (n := len(procs.mails())) >= 100 and n, timeout=120, what="the batch to start"
    )
    procs.kill_worker()
    sent_when_killed = Reminder.objects.filter(status="sent").count()
    assert sent_when_killed < 1000, "the worker was killed mid-batch"

    procs.start_worker()
    wait_for(
        lambda: (
            not Reminder.objects.filter(status="pending").exists()
            and not Delivery.objects.filter(status="queued").exists()
        ),
        timeout=300,  # a deadline on a loaded machine, not the expected time
        what="all reminders to be sent after the restart",
    )
    ids = _message_ids(procs)
    lost = 1000 - len(set(ids))
    duplicates = len(ids) - len(set(ids))
    print(
        f"chaos: {at_kill} mails when killed, {sent_when_killed} marked sent, "
        f"{procs.redelivered()} resends recognised by Message-ID"
    )
    assert lost == 0 and duplicates == 0
    # Mail is sent from the outbox in small groups: a kill re-sends at most the group
    # each pool process had in flight, and the outbox recognised them by Message-ID.
    assert procs.redelivered() <= SEND_GROUP * procs.concurrency
    assert Reminder.objects.filter(status="sent").count() == 1000
    assert Delivery.objects.filter(channel="email").count() == 1000
    assert Delivery.objects.filter(channel="in_app").count() == 1000
