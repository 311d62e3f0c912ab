"""The therapist's calendar: the week, and one POST view per editing action."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from scheduling import selectors, services
from scheduling.forms import (
    DateForm,
    ObjectIdForm,
    OverrideForm,
    SessionTypeForm,
    TimeOffForm,
    WeeklyForm,
)
from scheduling.selectors import bookings_for_therapist_on_day
from scheduling.views._week import _week_start
from scheduling.views.sessions import _feed_url


def _week_context(request: HttpRequest) -> dict:
    therapist = request.user
    now = timezone.now()
    tz = therapist.tz
    week_start = _week_start(request, tz, now - timedelta(days=365))
    if "week" not in request.GET:
        today = now.astimezone(tz).date()
        week_start = today - timedelta(days=today.weekday())
    start = datetime.combine(week_start, time(0), tzinfo=tz)
    end = datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=tz)
    sessions = selectors.bookings_for_therapist_between(therapist, start, end)
    days = [{"date": week_start + timedelta(days=i), "sessions": []} for i in range(7)]
    for b in sessions:
        index = (b.starts_at.astimezone(tz).date() - week_start).days
        if 0 <= index < 7:
            days[index]["sessions"].append(b)
    schedule = selectors.therapist_schedule(therapist, start, end)
    for day in days:
        day["hours"] = schedule.ranges_on(day["date"])
        day["off"] = day["date"] in schedule.days_off
        day["override"] = day["date"] in schedule.overrides
    return {
        "days": days,
        "week_start": week_start,
        "prev_week": week_start - timedelta(days=7),
        "next_week": week_start + timedelta(days=7),
        "today": bookings_for_therapist_on_day(therapist, now=now),
        "overrides": therapist.date_overrides.filter(date__gte=now.astimezone(tz).date()),
        "time_off": therapist.time_off.filter(end_date__gte=now.astimezone(tz).date()),
        "session_types": selectors.session_types_for(therapist),
        "feed_url": _feed_url(request),
    }


def _current_hours(therapist) -> dict[int, list]:
    current: dict[int, list] = {}
    for wh in therapist.working_hours.all():
        current.setdefault(wh.weekday, []).append((wh.start_time, wh.end_time))
    return current


def _page(request: HttpRequest, bound: dict[str, Form] | None = None) -> HttpResponse:
    """The calendar page; ``bound`` replaces blank forms with ones that carry errors."""
    forms = {
        "hours_form": WeeklyForm(initial_weekly=_current_hours(request.user), prefix="hours"),
        "override_form": OverrideForm(prefix="override"),
        "time_off_form": TimeOffForm(prefix="off"),
        "type_form": SessionTypeForm(prefix="type"),
    }
    forms.update(bound or {})
    return render(request, "scheduling/calendar.html", {**_week_context(request), **forms})


def _refused(request: HttpRequest, form: Form) -> HttpResponse:
    """A button whose hidden input was tampered with: say so, keep the page."""
    messages.error(
        request, _("That change could not be made: %(error)s") % {"error": _first_error(form)}
    )
    return _page(request, {})


def _first_error(form: Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "the form was incomplete."


def _saved(request: HttpRequest, text: str | None = None) -> HttpResponse:
    if text:
        messages.success(request, text)
    return redirect("scheduling:calendar")


def hours_set(request: HttpRequest) -> HttpResponse:
    form = WeeklyForm(request.POST, initial_weekly=_current_hours(request.user), prefix="hours")
    if not form.is_valid():
        return _page(request, {"hours_form": form})
    services.working_hours_set(therapist=request.user, weekly=form.cleaned_data["weekly"])
    return _saved(request, "Working hours saved.")


def override_set(request: HttpRequest) -> HttpResponse:
    form = OverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        return _page(request, {"override_form": form})
    services.date_override_set(
        therapist=request.user, date=form.cleaned_data["date"], ranges=form.cleaned_data["hours"]
    )
    return _saved(request, "Date override saved.")


def override_clear(request: HttpRequest) -> HttpResponse:
    form = DateForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    services.date_override_clear(therapist=request.user, date=form.cleaned_data["date"])
    return _saved(request)


def time_off_add(request: HttpRequest) -> HttpResponse:
    form = TimeOffForm(request.POST, prefix="off")
    if not form.is_valid():
        return _page(request, {"time_off_form": form})
    services.time_off_add(therapist=request.user, **form.cleaned_data)
    return _saved(request, "Time off saved.")


def time_off_delete(request: HttpRequest) -> HttpResponse:
    form = ObjectIdForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    services.time_off_delete(therapist=request.user, time_off_id=form.cleaned_data["id"])
    return _saved(request)


def session_type_add(request: HttpRequest) -> HttpResponse:
    form = SessionTypeForm(request.POST, prefix="type")
    if not form.is_valid():
        return _page(request, {"type_form": form})
    services.session_type_save(therapist=request.user, **form.cleaned_data)
    return _saved(request, "Session type added.")


def session_type_retire(request: HttpRequest) -> HttpResponse:
    form = ObjectIdForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    services.session_type_retire(therapist=request.user, session_type_id=form.cleaned_data["id"])
    return _saved(request)


# The page's forms post to the calendar with an ``action``; each action has its view.
ACTIONS = {
    "hours": hours_set,
    "override": override_set,
    "clear_override": override_clear,
    "time_off": time_off_add,
    "delete_time_off": time_off_delete,
    "session_type": session_type_add,
    "retire_type": session_type_retire,
}


@role_required("therapist")
def calendar(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("That change is not one the calendar knows."))
        return _page(request, {})
    return action(request)
