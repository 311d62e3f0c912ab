"""Emails about sessions, each with an .ics attachment in the recipient's zone.

Built inside the booking's transaction and queued in the outbox (core.mail): they leave
from a Celery task after commit, so a mail relay outage never fails a booking.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.mail import email_queue
from scheduling.ics import calendar_for, office_address
from scheduling.models import Booking
from scheduling.tokens import reschedule_token

SUBJECTS = {
    "confirmed": _("Session booked with %(therapist)s"),
    "rescheduled": _("Session moved: %(therapist)s"),
    "cancelled": _("Session cancelled: %(therapist)s"),
}


def booking_emails_queue(
    booking_ids: list[int],
    kind: str,
    actor_id: int | None,
    *,
    now: datetime,
    previous: str | None = None,
) -> int:
    """Queue an email to both partners and the therapist. Returns how many were queued.

    One logical email per person and change: the key carries the first session, the kind
    and its calendar SEQUENCE, so a retried request never queues a second copy.
    """

    bookings = list(
        Booking.objects.filter(pk__in=booking_ids)
        .select_related("therapist", "couple", "clinic", "booked_by", "cancelled_by")
        .prefetch_related("couple__memberships__user")
        .order_by("starts_at")
    )
    if not bookings:
        return 0
    first = bookings[0]
    people = [*first.couple.partners, first.therapist]
    actor = next((p for p in people if p.pk == actor_id), None)
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    sent = 0
    for person in people:
        # Subject, body and calendar file in the recipient's language.
        with translation.override(person.language):
            queued = _queue_one(bookings, person, actor, kind, method, previous, now=now)
        sent += queued
    return sent


def _queue_one(
    bookings: list[Booking],
    person: User,
    actor: User | None,
    kind: str,
    method: str,
    previous: str | None,
    *,
    now: datetime,
) -> int:
    first = bookings[0]
    tz = person.tz
    context = {
        "person": person,
        "actor": actor,
        "kind": kind,
        "bookings": [
            {
                "booking": b,
                "local_start": b.starts_at.astimezone(tz),
                "local_end": b.ends_at.astimezone(tz),
            }
            for b in bookings
        ],
        "previous": datetime.fromisoformat(previous).astimezone(tz) if previous else None,
        "zone": person.time_zone,
        "where": office_address(first) if first.format == "in_person" else _("Video (Duet)"),
        "session_url": settings.SITE_URL + reverse("scheduling:booking", args=[first.pk]),
        "reschedule_url": (
            settings.SITE_URL
            + reverse("scheduling:reschedule_link", args=[reschedule_token(first)])
            if kind != "cancelled" and person.pk != first.therapist_id
            else ""
        ),
        "fee": first.late_cancel_fee,
        "currency": first.fee_currency,
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind] % {"therapist": first.therapist.full_name},
        body=render_to_string("emails/booking.txt", context),
        to=[person.email],
    )
    ics = calendar_for(bookings, zone=person.time_zone, method=method)
    message.attach("session.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    key = f"booking-{first.pk}-{kind}-s{first.sequence}-to-{person.pk}"
    email_queue(key=key, message=message, now=now)
    return 1
