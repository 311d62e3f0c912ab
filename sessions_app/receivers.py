"""Receivers for the cross-app signals (scheduling.signals). They run inside the
sender's transaction and only write rows; the dispatcher does the sending."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.signals import partner_left_couple
from measures.signals import safety_concern
from scheduling import signals
from scheduling.models import Booking
from sessions_app.emails import local_when
from sessions_app.models import Notification
from sessions_app.services.attendance import attendance_record_join, session_close
from sessions_app.services.notifications import notification_create
from sessions_app.services.reminders import (
    reminders_cancel_for_booking,
    reminders_sync_for_booking,
    session_recipients,
)


def _sessions_url(user) -> str:
    from django.urls import reverse

    return reverse("scheduling:my_sessions") if user.is_client else reverse("scheduling:calendar")


def _title_for(person, make_title, *args) -> str:
    """A notification's title in the recipient's language (it is stored as text)."""
    with translation.override(person.language):
        return str(make_title(*args))


def _notify_all(booking: Booking, *, kind: str, make_title, key: str) -> None:
    now = timezone.now()
    for person in session_recipients(booking):
        notification_create(
            user=person,
            kind=kind,
            title=_title_for(person, make_title, local_when(booking.starts_at, person)),
            url=_sessions_url(person),
            key=f"{key}:{person.pk}",
            now=now,
        )


@receiver(signals.booking_confirmed)
def on_booking_confirmed(sender, booking: Booking, **kwargs) -> None:
    reminders_sync_for_booking(booking=booking, now=timezone.now())
    _notify_all(
        booking,
        kind=Notification.Kind.BOOKING,
        make_title=lambda w: (
            gettext("Session booked for %(date)s at %(time)s (%(zone)s)")
            % {"date": w["date"], "time": w["time"], "zone": w["abbrev"]}
        ),
        key=f"booking_confirmed:{booking.pk}",
    )


@receiver(signals.booking_rescheduled)
def on_booking_rescheduled(sender, booking: Booking, previous_starts_at=None, **kwargs) -> None:
    reminders_sync_for_booking(booking=booking, now=timezone.now())
    _notify_all(
        booking,
        kind=Notification.Kind.CHANGE,
        make_title=lambda w: (
            gettext("Session moved to %(date)s at %(time)s (%(zone)s)")
            % {"date": w["date"], "time": w["time"], "zone": w["abbrev"]}
        ),
        key=f"booking_rescheduled:{booking.pk}:{int(booking.starts_at.timestamp())}",
    )


@receiver(signals.booking_cancelled)
def on_booking_cancelled(sender, booking: Booking, late: bool = False, **kwargs) -> None:
    reminders_cancel_for_booking(booking=booking)
    _notify_all(
        booking,
        kind=Notification.Kind.CHANGE,
        make_title=lambda w: (
            gettext("Session on %(date)s at %(time)s was cancelled")
            % {"date": w["date"], "time": w["time"]}
        ),
        key=f"booking_cancelled:{booking.pk}",
    )


@receiver(signals.session_ended)
def on_session_ended(sender, booking: Booking, ended_by=None, **kwargs) -> None:
    session_close(booking=booking, now=timezone.now(), ended_by_therapist=ended_by is not None)


@receiver(signals.room_participant_joined)
def on_participant_joined(sender, booking: Booking, user, at=None, **kwargs) -> None:
    attendance_record_join(booking=booking, user=user, at=at or timezone.now())


@receiver(signals.message_posted)
def on_message_posted(sender, thread=None, message=None, recipients=(), **kwargs) -> None:
    now = timezone.now()
    author = getattr(message, "author", None) or getattr(message, "sender", None)
    url_of = getattr(thread, "get_absolute_url", None)
    for person in recipients:
        notification_create(
            user=person,
            kind=Notification.Kind.MESSAGE,
            title=_title_for(
                person,
                lambda: (
                    gettext("New secure message from %(name)s") % {"name": author.name}
                    if author
                    else gettext("New secure message")
                ),
            ),
            url=url_of() if callable(url_of) else "",
            key=f"message:{getattr(message, 'pk', id(message))}:{person.pk}",
            now=now,
        )


@receiver(partner_left_couple)
def tell_therapists_a_partner_left(sender, couple, user, now, **kwargs) -> None:
    """Each therapist with sessions booked for this couple hears that a partner left."""
    from django.urls import reverse

    ahead = Booking.objects.filter(couple=couple, status="confirmed", starts_at__gt=now)
    for therapist in {b.therapist for b in ahead.select_related("therapist")}:
        count = ahead.filter(therapist=therapist).count()
        with translation.override(therapist.language):
            title = ngettext(
                "%(name)s left their couple; %(count)s booked session with you remains.",
                "%(name)s left their couple; %(count)s booked sessions with you remain.",
                count,
            ) % {"name": user.name, "count": count}
        notification_create(
            user=therapist,
            kind=Notification.Kind.CHANGE,
            title=title,
            url=reverse("scheduling:calendar"),
            key=f"left:{couple.pk}:{user.pk}:{therapist.pk}:{int(now.timestamp())}",
            now=now,
        )


@receiver(safety_concern)
def _measure_safety_concern(sender, *, booking, user, now, **kwargs) -> None:
    """A questionnaire answer (PHQ-9 item 9) raises the same private alert as a check-in."""
    from sessions_app.services.checkins import safety_alert_raise

    safety_alert_raise(booking=booking, user=user, now=now)
