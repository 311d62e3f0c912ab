"""The therapist's working hours, overrides, time off and session types; the partners' windows."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, Forbidden
from scheduling.models import (
    AttendanceWindow,
    DateOverride,
    SessionType,
    TimeOff,
    WorkingHours,
)
from scheduling.services.versions import slots_versions_bump

# --- availability editing ------------------------------------------------------------------------


def _validate_ranges(ranges: list[tuple[time, time]], field: str) -> list[tuple[time, time]]:
    ranges = sorted(ranges)
    for i, (s, e) in enumerate(ranges):
        if e <= s:
            raise DomainError(
                _("%(start)s-%(end)s: the end must be after the start.")
                % {"start": f"{s:%H:%M}", "end": f"{e:%H:%M}"},
                code="invalid",
                field=field,
            )
        if i and s < ranges[i - 1][1]:
            raise DomainError(_("Ranges on one day must not overlap."), code="invalid", field=field)
    return ranges


@transaction.atomic
def working_hours_set(*, therapist: User, weekly: dict[int, list[tuple[time, time]]]) -> None:
    """Replace the therapist's weekly hours (wall-clock, in their own zone)."""
    if not therapist.is_therapist:
        raise Forbidden(_("Only therapists have working hours."), code="forbidden")
    rows = []
    for weekday, ranges in weekly.items():
        for s, e in _validate_ranges(ranges, f"weekday_{weekday}"):
            rows.append(
                WorkingHours(therapist=therapist, weekday=weekday, start_time=s, end_time=e)
            )
    WorkingHours.objects.filter(therapist=therapist).delete()
    WorkingHours.objects.bulk_create(rows)
    slots_versions_bump(therapist_id=therapist.pk)


@transaction.atomic
def attendance_windows_set(*, user: User, weekly: dict[int, list[tuple[time, time]]]) -> None:
    """Replace a partner's attendance windows (in their zone). None at all = always free."""
    rows = []
    for weekday, ranges in weekly.items():
        for s, e in _validate_ranges(ranges, f"weekday_{weekday}"):
            rows.append(AttendanceWindow(user=user, weekday=weekday, start_time=s, end_time=e))
    AttendanceWindow.objects.filter(user=user).delete()
    AttendanceWindow.objects.bulk_create(rows)
    slots_versions_bump(partner_id=user.pk)


@transaction.atomic
def date_override_set(
    *, therapist: User, date: date, ranges: list[tuple[time, time]]
) -> list[DateOverride]:
    """Other hours on ``date``; an empty list makes the therapist unavailable that day."""
    DateOverride.objects.filter(therapist=therapist, date=date).delete()
    slots_versions_bump(therapist_id=therapist.pk)
    if not ranges:
        return [DateOverride.objects.create(therapist=therapist, date=date)]
    return [
        DateOverride.objects.create(therapist=therapist, date=date, start_time=s, end_time=e)
        for s, e in _validate_ranges(ranges, "ranges")
    ]


@transaction.atomic
def date_override_clear(*, therapist: User, date: date) -> None:
    DateOverride.objects.filter(therapist=therapist, date=date).delete()
    slots_versions_bump(therapist_id=therapist.pk)


@transaction.atomic
def time_off_add(*, therapist: User, start_date: date, end_date: date, note: str = "") -> TimeOff:
    if end_date < start_date:
        raise DomainError(
            _("The last day must not be before the first."), code="invalid", field="end_date"
        )
    slots_versions_bump(therapist_id=therapist.pk)
    return TimeOff.objects.create(
        therapist=therapist, start_date=start_date, end_date=end_date, note=note
    )


@transaction.atomic
def time_off_delete(*, therapist: User, time_off_id: int) -> None:
    TimeOff.objects.filter(therapist=therapist, pk=time_off_id).delete()
    slots_versions_bump(therapist_id=therapist.pk)


@transaction.atomic
def session_type_save(
    *, therapist: User, session_type: SessionType | None = None, **fields: Any
) -> SessionType:
    st = session_type or SessionType(therapist=therapist)
    if st.therapist_id != therapist.pk:
        raise Forbidden(_("Not your session type."), code="forbidden")
    for key, value in fields.items():
        setattr(st, key, value)
    st.full_clean()
    st.save()
    slots_versions_bump(therapist_id=therapist.pk)
    return st


@transaction.atomic
def session_type_retire(*, therapist: User, session_type_id: int) -> None:
    """Couples can no longer book it; booked sessions of this type keep it."""
    SessionType.objects.filter(therapist=therapist, pk=session_type_id).update(is_active=False)
    slots_versions_bump(therapist_id=therapist.pk)
