"""The emails the dispatcher sends. Minimal health information: when, with whom,
and links; never notes, check-in answers or homework content."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from core.l10n import format_local
from scheduling.ics import calendar_for
from scheduling.models import Booking
from sessions_app.models import Reminder

MAIL_DOMAIN = "duet.local"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def room_url(booking: Booking) -> str:
    return absolute(f"/rooms/{booking.room_id}/")


def tech_check_url() -> str:
    return absolute("/rooms/tech-check/")


def local_when(moment: datetime, user: User) -> dict:
    """A moment on the person's own clock, formatted in their language."""
    local = moment.astimezone(user.tz)
    language = user.language
    return {
        "local": local,
        # CLDR's order and names ("2026年12月3日木曜日", "czwartek, 3 grudnia 2026")
        "date": format_local(local, "l j F Y", language=language),
        "time": format_local(local, "H:i", language=language),
        "zone": user.time_zone,
        "abbrev": local.tzname(),
    }


def message_id(reminder: Reminder, channel: str = "email") -> str:
    """Stable per delivery record: a resend after a crash is recognisably the same email."""
    return f"<reminder-{reminder.pk}.{channel}.{reminder.recipient_id}@{MAIL_DOMAIN}>"


def _other_people(booking: Booking, user: User) -> str:
    if user.pk == booking.therapist_id:
        return str(booking.couple)
    return booking.therapist.name


def session_reminder_email(
    reminder: Reminder, *, now: datetime, ics_cache: dict | None = None
) -> EmailMultiAlternatives:
    """``ics_cache`` (the dispatcher's, per batch) builds each booking's calendar file
    once for all its recipients."""
    booking = reminder.booking
    user = reminder.recipient
    with translation.override(user.language):
        return _session_reminder_email(reminder, booking, user, now=now, ics_cache=ics_cache)


def _session_reminder_email(
    reminder: Reminder, booking: Booking, user: User, *, now: datetime, ics_cache: dict | None
) -> EmailMultiAlternatives:
    when = local_when(booking.starts_at, user)
    minutes_left = int((booking.starts_at - now).total_seconds() // 60)
    context = {
        "user": user,
        "booking": booking,
        "when": when,
        "with": _other_people(booking, user),
        "is_video": booking.format == Booking.Format.VIDEO,
        "room_url": room_url(booking),
        "tech_check_url": tech_check_url(),
        "late": reminder.sent_late,
        "minutes_left": minutes_left,
        "hours_left": round(minutes_left / 60),
        "prefs_url": absolute(reverse("sessions_app:reminder_settings")),
        "check_in_url": absolute(reverse("sessions_app:check_in", args=[booking.pk]))
        if user.pk != booking.therapist_id
        else absolute(reverse("sessions_app:prepare", args=[booking.pk])),
    }
    parts = {"date": when["date"], "time": when["time"], "zone": when["abbrev"]}
    if reminder.sent_late:
        subject = gettext("Late reminder: your Duet session on %(date)s at %(time)s (%(zone)s)")
    else:
        subject = gettext("Reminder: your Duet session on %(date)s at %(time)s (%(zone)s)")
    subject %= parts
    body = render_to_string("sessions_app/emails/session_reminder.txt", context)
    html = render_to_string("sessions_app/emails/session_reminder.html", context)
    msg = EmailMultiAlternatives(
        subject, body, to=[user.email], headers={"Message-ID": message_id(reminder)}
    )
    msg.attach_alternative(html, "text/html")
    # The same event (UID, SEQUENCE) as the confirmation email, the download and the feed;
    # built once per booking, zone and language for a dispatcher batch (``ics_cache``).
    cache = ics_cache if ics_cache is not None else {}
    ics_key = (booking.pk, user.time_zone, translation.get_language())
    if ics_key not in cache:
        cache[ics_key] = calendar_for([booking], zone=user.time_zone, method="PUBLISH")
    msg.attach("session.ics", cache[ics_key], "text/calendar")
    return msg


def homework_due_email(
    reminder: Reminder, *, now: datetime, ics_cache: dict | None = None
) -> EmailMultiAlternatives:
    user = reminder.recipient
    assignment = reminder.assignment
    when = local_when(assignment.due_at, user)
    context = {
        "user": user,
        "when": when,
        "url": absolute(reverse("sessions_app:homework_detail", args=[assignment.pk])),
        "prefs_url": absolute(reverse("sessions_app:reminder_settings")),
    }
    with translation.override(user.language):
        body = render_to_string("sessions_app/emails/homework_due.txt", context)
        subject = gettext("An exercise from your therapist is due soon")
    return EmailMultiAlternatives(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": message_id(reminder)},
    )


def follow_up_email(
    reminder: Reminder, *, now: datetime, ics_cache: dict | None = None
) -> EmailMultiAlternatives:
    user = reminder.recipient
    booking = reminder.booking
    when = local_when(booking.starts_at, user)
    context = {
        "user": user,
        "when": when,
        "therapist": booking.therapist.name,
        "homework_count": booking.homework.filter(cancelled_at__isnull=True).count(),
        "reflect_url": absolute(reverse("sessions_app:reflect", args=[booking.pk])),
        "homework_url": absolute(reverse("sessions_app:homework_list")),
    }
    with translation.override(user.language):
        body = render_to_string("sessions_app/emails/follow_up.txt", context)
        subject = gettext("How did your session go?")
    return EmailMultiAlternatives(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": message_id(reminder)},
    )


def safety_alert_email(
    reminder: Reminder, *, now: datetime, ics_cache: dict | None = None
) -> EmailMultiAlternatives:
    user = reminder.recipient
    booking = reminder.booking
    when = local_when(booking.starts_at, user)
    context = {
        "user": user,
        "when": when,
        "url": absolute(reverse("sessions_app:prepare", args=[booking.pk])),
    }
    with translation.override(user.language):
        body = render_to_string("sessions_app/emails/safety_alert.txt", context)
        subject = gettext("Please review a check-in before your next session")
    return EmailMultiAlternatives(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": message_id(reminder)},
    )


BUILDERS = {
    Reminder.Kind.SESSION: session_reminder_email,
    Reminder.Kind.HOMEWORK_DUE: homework_due_email,
    Reminder.Kind.FOLLOW_UP: follow_up_email,
    Reminder.Kind.SAFETY_ALERT: safety_alert_email,
}
