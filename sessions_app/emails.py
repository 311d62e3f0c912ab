"""The emails the dispatcher sends. Minimal health information: when, with whom,
and links; never notes, check-in answers or homework content."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from core.l10n import format_local
from core.site import link_path
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
    return dict(_local_when(moment, user.time_zone, user.language))


@lru_cache(maxsize=4096)
def _local_when(moment: datetime, zone: str, language: str) -> dict:
    # Kept per process: a dispatcher batch asks for the same session on the same clock
    # for its in-app title and its email, and for every partner who shares a zone. The
    # result depends on the instant (aware datetimes hash by it), zone and language only.
    local = moment.astimezone(ZoneInfo(zone))
    return {
        "local": local,
        # CLDR's order and names ("2026年12月3日木曜日", "czwartek, 3 grudnia 2026")
        "date": format_local(local, "l j F Y", language=language),
        "time": format_local(local, "H:i", language=language),
        "zone": zone,
        "abbrev": local.tzname(),
    }


def message_id(reminder: Reminder, channel: str = "email") -> str:
    """Stable per delivery record: a resend after a crash is recognisably the same email."""
    return f"<reminder-{reminder.pk}.{channel}.{reminder.recipient_id}@{MAIL_DOMAIN}>"


def _other_people(booking: Booking, user: User) -> str:
    if user.pk == booking.therapist_id:
        return str(booking.couple)
    return booking.therapist.name


def session_reminder_email(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    booking = reminder.booking
    user = reminder.recipient
    with translation.override(user.language):
        return _session_reminder_email(reminder, booking, user, now=now)


def _session_reminder_email(
    reminder: Reminder, booking: Booking, user: User, *, now: datetime
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
        "prefs_url": absolute(link_path("sessions_app:reminder_settings")),
        "check_in_url": absolute(link_path("sessions_app:check_in", booking.pk))
        if user.pk != booking.therapist_id
        else absolute(link_path("sessions_app:prepare", booking.pk)),
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
    # written once per process for each booking, zone and language (scheduling.ics).
    ics = calendar_for([booking], zone=user.time_zone, method="PUBLISH")
    msg.attach("session.ics", ics, "text/calendar")
    return msg


def homework_due_email(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    user = reminder.recipient
    assignment = reminder.assignment
    when = local_when(assignment.due_at, user)
    context = {
        "user": user,
        "when": when,
        "url": absolute(link_path("sessions_app:homework_detail", assignment.pk)),
        "prefs_url": absolute(link_path("sessions_app:reminder_settings")),
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


def follow_up_email(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    user = reminder.recipient
    booking = reminder.booking
    when = local_when(booking.starts_at, user)
    context = {
        "user": user,
        "when": when,
        "therapist": booking.therapist.name,
        "homework_count": booking.homework.filter(cancelled_at__isnull=True).count(),
        "reflect_url": absolute(link_path("sessions_app:reflect", booking.pk)),
        "homework_url": absolute(link_path("sessions_app:homework_list")),
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


def safety_alert_email(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    user = reminder.recipient
    booking = reminder.booking
    when = local_when(booking.starts_at, user)
    context = {
        "user": user,
        "when": when,
        "url": absolute(link_path("sessions_app:prepare", booking.pk)),
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
