"""Parsing and shaping shared by the scheduling endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.models import Couple, CoupleMembership, User
from core.errors import DomainError, Forbidden
from scheduling import selectors
from scheduling.api.schemas import WeeklyIn
from scheduling.models import Booking, SessionType

MAX_RANGE_DAYS = 62


def _zone(name: str, field: str = "tz") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DomainError(
            _("Unknown time zone '%(name)s'.") % {"name": name},
            code="invalid",
            status=422,
            field=field,
        ) from None


# Dates the API accepts: far enough for any real booking, far from the calendar's
# ends, where zone arithmetic overflows (9999-12-31 + a day, 0001-01-01 - an offset).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _in_calendar(value: date, field: str) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DomainError(
            _("%(field)s: pick a date between %(first)s and %(last)s.")
            % {"field": field, "first": FIRST_YEAR, "last": LAST_YEAR},
            code="date_out_of_range",
            status=422,
            field=field,
        )


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise DomainError(
            _("%(field)s: include a UTC offset (for example 2026-05-01T17:00:00Z).")
            % {"field": field},
            code="invalid",
            status=422,
            field=field,
        )
    _in_calendar(value.date(), field)
    return value.astimezone(UTC)


def _therapist(pk: int) -> User:
    therapist = User.objects.filter(pk=pk, role=User.Role.THERAPIST).first()
    if therapist is None:
        raise DomainError(
            _("No such therapist."), code="not_found", status=404, field="therapist_id"
        )
    return therapist


def _session_type(therapist: User, pk: int) -> SessionType:
    st = SessionType.objects.filter(pk=pk, therapist=therapist, is_active=True).first()
    if st is None:
        raise DomainError(
            _("This therapist offers no such session type."),
            code="invalid",
            status=422,
            field="session_type_id",
        )
    return st


def _couple_of(user: User, couple_id: int) -> Couple:
    couple = (
        Couple.objects.prefetch_related(
            Prefetch("memberships", queryset=CoupleMembership.objects.select_related("user"))
        )
        .filter(pk=couple_id)
        .first()
    )
    if couple is None or not any(p.pk == user.pk for p in couple.partners):
        raise Forbidden(_("You can only book for your own couple."), code="not_your_couple")
    return couple


def _partner_times(couple: Couple, start: datetime) -> list[dict]:
    return [
        {
            "user_id": p.pk,
            "name": p.name,
            "time_zone": p.time_zone,
            "local_start": start.astimezone(p.tz).isoformat(),
        }
        for p in couple.partners
    ]


def _booking_out(booking: Booking) -> dict:
    from scheduling.ics import office_address

    return {
        "id": booking.pk,
        "therapist_id": booking.therapist_id,
        "therapist_name": booking.therapist.full_name,
        "couple_id": booking.couple_id,
        "session_type_id": booking.session_type_id,
        "series_id": booking.series_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
        "format": booking.format,
        "booked_by_id": booking.booked_by_id,
        "hold_expires_at": booking.hold_expires_at,
        "late_cancel_fee": booking.late_cancel_fee,
        "fee_currency": booking.fee_currency,
        "where": office_address(booking) if booking.format == "in_person" else "video",
        "partners": _partner_times(booking.couple, booking.starts_at),
    }


def _visible_booking(user: User, booking_id: int) -> Booking:
    booking = selectors.booking_visible_to(user, booking_id)
    if booking is None:
        raise DomainError(_("No such session."), code="not_found", status=404)
    return booking


def _weekly_in(data: WeeklyIn) -> dict[int, list[tuple[time, time]]]:
    out = {}
    for weekday, ranges in data.weekly.items():
        if not 0 <= weekday <= 6:
            raise DomainError(
                _("Weekdays are 0 (Monday) to 6."), code="invalid", status=422, field="weekly"
            )
        out[weekday] = [(r.start, r.end) for r in ranges]
    return out
