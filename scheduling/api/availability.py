"""Working hours (therapists) and attendance windows (partners)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Forbidden
from scheduling import services
from scheduling.api._helpers import _weekly_in
from scheduling.api.router import router
from scheduling.api.schemas import WeeklyIn, WeeklyOut


def _weekly_out(user: User, rows) -> dict:
    weekly: dict[int, list] = {}
    for row in rows:
        weekly.setdefault(row.weekday, []).append({"start": row.start_time, "end": row.end_time})
    return {"time_zone": user.time_zone, "weekly": weekly}


@router.get("/availability", response=WeeklyOut, summary="Your weekly working hours (therapists)")
def availability_get(request: HttpRequest):
    if not request.user.is_therapist:
        raise Forbidden(_("Only therapists have working hours."), code="forbidden")
    return _weekly_out(request.user, request.user.working_hours.all())


@router.put("/availability", response=WeeklyOut, summary="Replace your weekly working hours")
def availability_put(request: HttpRequest, payload: WeeklyIn):
    services.working_hours_set(therapist=request.user, weekly=_weekly_in(payload))
    return _weekly_out(request.user, request.user.working_hours.all())


@router.get("/windows", response=WeeklyOut, summary="Your attendance windows (partners)")
def windows_get(request: HttpRequest):
    return _weekly_out(request.user, request.user.attendance_windows.all())


@router.put("/windows", response=WeeklyOut, summary="Replace your attendance windows")
def windows_put(request: HttpRequest, payload: WeeklyIn):
    services.attendance_windows_set(user=request.user, weekly=_weekly_in(payload))
    return _weekly_out(request.user, request.user.attendance_windows.all())
