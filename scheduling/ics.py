"""iCalendar files: one VEVENT per session with a stable UID and a rising SEQUENCE,
so calendar apps update or cancel the same event instead of adding another.

The only iCalendar builder: confirmation and reminder emails, the download and the feed
all come from here, so one session is one event in a person's calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from scheduling.models import Booking

PRODID = "-//Duet//Couples therapy sessions//EN"


def _session_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("scheduling:booking", args=[booking.pk])


def _location(booking: Booking) -> str:
    if booking.format == Booking.Format.IN_PERSON:
        return office_address(booking)
    return _("Duet video room: %(url)s") % {"url": _session_url(booking)}


def office_address(booking: Booking) -> str:
    """The therapist's office for in-person sessions (the clinic's name until an address exists)."""
    profile = getattr(booking.therapist, "therapist_profile", None)
    address = getattr(profile, "office_address", "") if profile else ""
    clinic = booking.clinic
    return address or (clinic.name if clinic else _("The therapist's office"))


def _event(booking: Booking, tz: ZoneInfo, *, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", booking.ical_uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    # Deliberately neutral: a calendar is often visible to others.
    event.add(
        "summary", _("Duet session with %(therapist)s") % {"therapist": booking.therapist.full_name}
    )
    event.add("location", vText(_location(booking)))
    if booking.format == Booking.Format.VIDEO:
        event.add("url", _session_url(booking))
        event.add(
            "description",
            _("Join: %(url)s\nCheck your camera and microphone: %(check_url)s")
            % {
                "url": _session_url(booking),
                "check_url": f"{settings.SITE_URL}{reverse('signaling:tech_check')}",
            },
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{booking.therapist.email}")
    organizer.params["cn"] = vText(booking.therapist.full_name)
    event.add("organizer", organizer)
    for partner in booking.couple.partners:
        attendee = vCalAddress(f"mailto:{partner.email}")
        attendee.params["cn"] = vText(partner.full_name)
        event.add("attendee", attendee, encode=0)
    return event


@lru_cache(maxsize=256)
def _vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE for ``zone`` over the years the events need, serialised. Working
    out and writing a zone's transitions is most of a calendar file's cost (about 10 ms
    over icalendar's default 1970-2038), and reminder batches build thousands of files
    in a handful of zones, so each zone is worked out once per process."""
    try:
        component = Timezone.from_tzid(
            zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
        )
    except ValueError:  # a zone icalendar cannot describe: calendar apps fall back on TZID
        return b""
    return component.to_ical()


def calendar_for(bookings: Iterable[Booking], *, zone: str, method: str | None = None) -> bytes:
    """An .ics document with the events in ``zone`` (VTIMEZONE included)."""
    tz = ZoneInfo(zone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-timezone", zone)
    years: set[int] = set()
    for booking in bookings:
        cancelled = booking.is_cancelled or method == "CANCEL"
        cal.add_component(_event(booking, tz, cancelled=cancelled))
        years.update((booking.starts_at.astimezone(tz).year, booking.ends_at.astimezone(tz).year))
    document = cal.to_ical()
    if years and zone in cal.get_missing_tzids():
        # The cached VTIMEZONE goes where icalendar's add_missing_timezones puts it:
        # before the events that name it.
        first_event = document.index(b"BEGIN:VEVENT")
        vtimezone = _vtimezone(zone, min(years) - 1, max(years) + 1)
        document = document[:first_event] + vtimezone + document[first_event:]
    return document
