"""A mail relay outage during booking: the person sees the success page, and the emails
arrive once the relay accepts again, each exactly once (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.mail import message_id_for
from core.models import OutboundEmail
from core.tasks import deliver_email
from scheduling.models import Booking
from scheduling.selectors import available_slots
from tests.sessions_app.celery_procs import CeleryProcs, wait_for
from tests.smtp_relay import Relay, smtp_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def relay(settings):
    r = Relay()
    r.controller.start()
    for name, value in smtp_settings(r).items():
        setattr(settings, name, value)
    yield r
    r.controller.stop()


def _book(client, partner, couple, therapist, session_type) -> Booking:
    """Hold the first free slot and confirm it, as a person does; returns the booking."""
    now = timezone.now()
    start = available_slots(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=now + timedelta(days=2),
        end=now + timedelta(days=3),
        now=now,
    )[0][0]
    client.force_login(partner)
    client.post(
        reverse("scheduling:hold", args=[therapist.pk]),
        {"starts_at": start.isoformat(), "type": session_type.pk},
    )
    hold = Booking.objects.get(couple=couple)
    r = client.post(reverse("scheduling:confirm", args=[hold.pk]), {"action": "confirm"})
    assert r.status_code == 302
    page = client.get(r.url)
    assert page.status_code == 200 and "booked" in page.content.decode()
    hold.refresh_from_db()
    assert hold.status == Booking.Status.CONFIRMED
    return hold


def _finished(procs) -> int:
    lines = procs.log_text().splitlines()
    return sum(1 for line in lines if "deliver_email[" in line and "succeeded" in line)


def _people(couple, therapist):
    return [*couple.partners, therapist]


def test_booking_succeeds_while_the_relay_refuses_and_mail_follows(
    client, partner_a, couple, therapist, open_type, clinic, relay, celery_eager
):
    # Eager Celery chains retries only when it does not propagate (a worker never does).
    celery_eager.conf.task_eager_propagates = False
    # The relay refuses the first four attempts; the task backs off and tries again.
    relay.refuse_next(4)
    booking = _book(client, partner_a, couple, therapist, open_type)

    assert relay.refusals == 4
    for person in _people(couple, therapist):
        [mail] = relay.to(person.email)
        assert f"UID:{booking.ical_uid}" in mail.as_string()
    rows = OutboundEmail.objects.filter(key__startswith=f"booking-{booking.pk}-confirmed-")
    assert rows.count() == 3 and not rows.filter(sent_at__isnull=True).exists()
    assert sorted(r.attempts for r in rows) == [1, 1, 5]
    # One stable Message-ID per logical email, named by its outbox key and this site's host.
    assert {m["Message-ID"] for m in relay.messages} == {message_id_for(r.key) for r in rows}

    # A task run again after the send (a redelivered message) sends nothing more.
    for row in rows:
        deliver_email.delay(str(row.pk))
    assert len(relay.messages) == 3


@pytest.mark.services
def test_a_real_worker_delivers_after_the_outage_once(
    tmp_path, client, partner_a, couple, therapist, open_type, clinic, relay, celery_eager
):
    celery_eager.conf.task_always_eager = False  # the request queues; a worker process sends
    procs = CeleryProcs(tmp_path)
    procs.purge_broker()
    procs.env.update({k: str(v) for k, v in smtp_settings(relay).items()})
    procs.env.update({"EMAIL_RETRY_BACKOFF_SECONDS": "1", "EMAIL_RETRY_BACKOFF_MAX_SECONDS": "2"})
    relay.refuse()
    procs.start_worker()
    try:
        booking = _book(client, partner_a, couple, therapist, open_type)
        wait_for(lambda: relay.refusals >= 6, timeout=60, what="the worker to retry")
        assert relay.messages == []
        relay.accept()
        wait_for(lambda: len(relay.messages) >= 3, timeout=60, what="3 booking emails")
        rows = OutboundEmail.objects.filter(key__startswith=f"booking-{booking.pk}-")
        wait_for(
            lambda: not rows.filter(sent_at__isnull=True).exists(), timeout=30, what="sent rows"
        )
        # Queue every one again, as a lost acknowledgement would: nothing is sent twice.
        for row in rows:
            deliver_email.delay(str(row.pk))
        wait_for(lambda: _finished(procs) >= 6, timeout=30, what="the redelivered tasks")
        assert len(relay.messages) == 3
        for person in _people(couple, therapist):
            assert len(relay.to(person.email)) == 1
    finally:
        procs.stop()
