"""The booking week: which zone and week a page shows, and the slots in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.timezones import grouped_time_zone_choices
from core.l10n import format_local
from scheduling import selectors
from scheduling.models import SessionType


def _zone_param(request: HttpRequest) -> str:
    name = request.GET.get("tz") or request.user.time_zone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return request.user.time_zone
    return name


def _week_start(request: HttpRequest, zone: ZoneInfo, now: datetime) -> date:
    today = now.astimezone(zone).date()
    try:
        start = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        start = today
    return max(start, today)


def _week(
    *,
    therapist: User,
    couple,
    session_type: SessionType,
    viewer: User,
    zone_name: str,
    week_start: date,
    now: datetime,
    exclude_ids: tuple[int, ...] = (),
) -> dict:
    """Seven local days in ``zone_name`` with each slot labelled for the viewer and partner."""
    zone = ZoneInfo(zone_name)
    last_day = (now + timedelta(days=session_type.horizon_days)).astimezone(zone).date()
    end_day = min(week_start + timedelta(days=6), last_day)
    start = datetime.combine(week_start, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    slots: list[tuple[datetime, datetime]] = []
    if end_day >= week_start and exclude_ids:
        # Moving a session: its own time counts as free, so no cached list fits.
        slots = selectors.available_slots(
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            start=start,
            end=end,
            now=now,
            exclude_booking_ids=exclude_ids,
        )
    elif end_day >= week_start:
        slots = selectors.cached_available_slots(
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            start=start,
            end=end,
            now=now,
        )
    other = couple.partner_of(viewer) if couple else None
    days = [
        {"date": week_start + timedelta(days=i), "slots": []}
        for i in range((end_day - week_start).days + 1)
    ]
    for s, _end in slots:
        local = s.astimezone(zone)
        index = (local.date() - week_start).days
        if not 0 <= index < len(days):
            continue
        other_label = ""
        if other is not None:
            theirs = s.astimezone(other.tz)
            other_label = _("%(when)s for %(name)s") % {
                "when": format_local(theirs, "D H:i"),
                "name": other.name,
            }
        days[index]["slots"].append(
            {
                "starts_at": s.isoformat(),
                "label": format_local(local, "H:i"),
                "other": other_label,
                "title": _("%(when)s for you") % {"when": format_local(local, "D H:i")},
            }
        )
    return {
        "days": days,
        "zone": zone_name,
        "week_start": week_start,
        "prev_week": week_start - timedelta(days=7),
        "next_week": week_start + timedelta(days=7) if end_day < last_day else None,
        "slot_count": len(slots),
        "other": other,
        "zones": grouped_time_zone_choices([viewer, other, therapist]),
    }


def _session_type_param(
    request: HttpRequest, therapist: User
) -> tuple[SessionType | None, list[SessionType]]:
    types = selectors.session_types_for(therapist)
    wanted = request.GET.get("type") or request.POST.get("type")
    return next((t for t in types if str(t.pk) == wanted), types[0] if types else None), types


def _parse_start(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None
