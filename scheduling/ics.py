"""iCalendar files: one VEVENT per session with a stable UID and a rising SEQUENCE,
so calendar apps update or cancel the same event instead of adding another.

The only iCalendar builder: confirmation and reminder emails, the download and the feed
all come from here, so one session is one event in a person's calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from core.site import link_path
from scheduling.models import Booking

PRODID = "-//Duet//Couples therapy sessions//EN"


def _session_url(booking: Booking) -> str:
    return settings.SITE_URL + link_path("scheduling:booking", booking.pk)


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


class EventFacts(NamedTuple):
    """Everything a booking's VEVENT says, worked out in the active language: plain
    hashable values, so a file with the same facts is written once
    (``_single_event_document``)."""

    uid: str
    sequence: int
    stamp: datetime
    start: datetime  # in the file's zone
    end: datetime
    summary: str
    location: str
    url: str | None  # video sessions: the room link, and how to join
    description: str | None
    status: str
    organizer: tuple[str, str]  # (email, name)
    attendees: tuple[tuple[str, str], ...]


def _event_facts(booking: Booking, tz: ZoneInfo, *, cancelled: bool) -> EventFacts:
    therapist = booking.therapist
    url = description = None
    if booking.format == Booking.Format.VIDEO:
        url = _session_url(booking)
        description = _("Join: %(url)s\nCheck your camera and microphone: %(check_url)s") % {
            "url": url,
            "check_url": settings.SITE_URL + link_path("signaling:tech_check"),
        }
    return EventFacts(
        uid=booking.ical_uid,
        sequence=booking.sequence,
        stamp=booking.created_at,
        start=booking.starts_at.astimezone(tz),
        end=booking.ends_at.astimezone(tz),
        # Deliberately neutral: a calendar is often visible to others.
        summary=_("Duet session with %(therapist)s") % {"therapist": therapist.full_name},
        location=_location(booking),
        url=url,
        description=description,
        status="CANCELLED" if cancelled else "CONFIRMED",
        organizer=(therapist.email, therapist.full_name),
        attendees=tuple((p.email, p.full_name) for p in booking.couple.partners),
    )


def _event(facts: EventFacts) -> Event:
    event = Event()
    event.add("uid", facts.uid)
    event.add("sequence", facts.sequence)
    event.add("dtstamp", facts.stamp)
    event.add("dtstart", facts.start)
    event.add("dtend", facts.end)
    event.add("summary", facts.summary)
    event.add("location", vText(facts.location))
    if facts.url is not None:
        event.add("url", facts.url)
        event.add("description", facts.description)
    event.add("status", facts.status)
    address = vCalAddress(f"mailto:{facts.organizer[0]}")
    address.params["cn"] = vText(facts.organizer[1])
    event.add("organizer", address)
    for email, name in facts.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
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
    facts = tuple(
        _event_facts(booking, tz, cancelled=booking.is_cancelled or method == "CANCEL")
        for booking in bookings
    )
    if len(facts) == 1:
        return _single_event_document(zone, method, facts)
    return _document(zone, method, facts)


@lru_cache(maxsize=1024)
def _single_event_document(zone: str, method: str | None, facts: tuple[EventFacts, ...]) -> bytes:
    """One session's file, written once per process for the same facts: reminders
    attach the file to every email, over far fewer bookings, zones and languages, and
    writing it was a reminder's largest single cost. The key holds every value the
    file shows (the facts are in the active language), so a changed booking is a new
    key. A feed's many-event files are not kept (large, and each asked for once)."""
    return _document(zone, method, facts)


def _document(zone: str, method: str | None, facts: tuple[EventFacts, ...]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-timezone", zone)
    years: set[int] = set()
    for event in facts:
        cal.add_component(_event(event))
        years.update((event.start.year, event.end.year))
    document = cal.to_ical()
    if years and zone in cal.get_missing_tzids():
        # The cached VTIMEZONE goes where icalendar's add_missing_timezones puts it:
        # before the events that name it.
        first_event = document.index(b"BEGIN:VEVENT")
        vtimezone = _vtimezone(zone, min(years) - 1, max(years) + 1)
        document = document[:first_event] + vtimezone + document[first_event:]
    return document
