"""Pages for booking, sessions and calendars. Thin: parse, call a service or selector."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import User
from accounts.next_url import safe_next
from accounts.selectors import active_couple_for
from accounts.timezones import time_zone_choices
from config.errors import DomainError
from scheduling import selectors, services
from scheduling.forms import OverrideForm, SessionTypeForm, TimeOffForm, WeeklyForm
from scheduling.ics import calendar_for, office_address
from scheduling.models import Booking, CalendarFeed, SessionType
from scheduling.selectors import bookings_for_therapist_on_day


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
    slots = (
        selectors.available_slots(
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            start=start,
            end=end,
            now=now,
            exclude_booking_ids=exclude_ids,
        )
        if end_day >= week_start
        else []
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
            other_label = f"{theirs:%a %H:%M} for {other.name}"
        days[index]["slots"].append(
            {
                "starts_at": s.isoformat(),
                "label": f"{local:%H:%M}",
                "other": other_label,
                "title": f"{local:%a %H:%M} for you",
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
        "zones": time_zone_choices(),
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


# --- booking --------------------------------------------------------------------------------


@role_required("client")
def book(request: HttpRequest, therapist_id: int) -> HttpResponse:
    therapist = get_object_or_404(User, pk=therapist_id, role=User.Role.THERAPIST)
    couple = active_couple_for(request.user)
    bookable = selectors.is_bookable_therapist(therapist)
    session_type, types = _session_type_param(request, therapist)
    zone_name = _zone_param(request)
    now = timezone.now()
    context = {
        "therapist": therapist,
        "couple": couple,
        "bookable": bookable,
        "session_type": session_type,
        "types": types,
        "clinic": selectors.clinic_of(therapist),
    }
    if couple and bookable and session_type:
        context.update(
            _week(
                therapist=therapist,
                couple=couple,
                session_type=session_type,
                viewer=request.user,
                zone_name=zone_name,
                week_start=_week_start(request, ZoneInfo(zone_name), now),
                now=now,
            )
        )
    else:
        context["zone"] = zone_name
    return render(request, "scheduling/book.html", context)


@require_POST
@role_required("client")
def hold(request: HttpRequest, therapist_id: int) -> HttpResponse:
    therapist = get_object_or_404(User, pk=therapist_id, role=User.Role.THERAPIST)
    couple = active_couple_for(request.user)
    session_type, _types = _session_type_param(request, therapist)
    starts_at = _parse_start(request.POST.get("starts_at", ""))
    back = reverse("scheduling:book", args=[therapist.pk])
    if couple is None or session_type is None or starts_at is None:
        messages.error(request, "Pick a time from the list.")
        return redirect(back)
    try:
        booking = services.booking_hold(
            user=request.user,
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            starts_at=starts_at,
            now=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, exc.detail + _suggestion_text(exc, request.user))
        return redirect(back)
    return redirect("scheduling:confirm", pk=booking.pk)


def _suggestion_text(exc: DomainError, user: User) -> str:
    """The nearest free times from a conflict, in the viewer's zone."""
    times = []
    for item in exc.extra.get("suggestions", []):
        local = datetime.fromisoformat(item["starts_at"]).astimezone(user.tz)
        times.append(f"{local:%a %-d %b %H:%M}")
    return f" Nearest free: {', '.join(times)}." if times else ""


def _participant_times(booking: Booking) -> list[dict]:
    return [
        {
            "person": p,
            "start": booking.starts_at.astimezone(p.tz),
            "end": booking.ends_at.astimezone(p.tz),
        }
        for p in [*booking.couple.partners, booking.therapist]
    ]


@role_required("client")
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_visible_to(request.user, pk)
    if booking is None:
        raise Http404
    if booking.status != Booking.Status.HELD:
        return redirect("scheduling:booking", pk=booking.pk)
    now = timezone.now()
    if request.method == "POST":
        if request.POST.get("action") == "series":
            query = f"frequency={request.POST.get('frequency', 'weekly')}"
            query += f"&count={request.POST.get('count', '6')}"
            return redirect(f"{reverse('scheduling:series', args=[booking.pk])}?{query}")
        if request.POST.get("action") == "release":
            services.hold_release(user=request.user, booking=booking)
            messages.info(request, "The time was released.")
            return redirect("scheduling:book", therapist_id=booking.therapist_id)
        try:
            services.booking_confirm(user=request.user, booking=booking, now=now)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("scheduling:book", therapist_id=booking.therapist_id)
        return redirect(f"{reverse('scheduling:booking', args=[booking.pk])}?booked=1")
    clinic = booking.clinic or selectors.clinic_of(booking.therapist)
    return render(
        request,
        "scheduling/confirm.html",
        {
            "booking": booking,
            "times": _participant_times(booking),
            "clinic": clinic,
            "expires_in": max(0, int((booking.hold_expires_at - now).total_seconds())),
            "where": office_address(booking),
        },
    )


def _series_params(data) -> tuple[str, int]:
    frequency = data.get("frequency", "weekly")
    if frequency not in ("weekly", "biweekly"):
        frequency = "weekly"
    try:
        count = min(max(int(data.get("count", 6)), 2), services.MAX_SERIES)
    except (TypeError, ValueError):
        count = 6
    return frequency, count


@role_required("client")
def series(request: HttpRequest, pk: int) -> HttpResponse:
    """A held slot made recurring: every occurrence checked before anything is booked."""
    hold = selectors.booking_visible_to(request.user, pk)
    if hold is None or hold.status != Booking.Status.HELD:
        raise Http404
    now = timezone.now()
    frequency, count = _series_params(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        try:
            created, _occ = services.series_create_from_hold(
                user=request.user,
                hold=hold,
                frequency=frequency,
                count=count,
                now=now,
                skip_conflicts=request.POST.get("skip_conflicts") == "1",
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect(f"{request.path}?frequency={frequency}&count={count}")
        first = created.bookings.order_by("starts_at").first()
        return redirect(f"{reverse('scheduling:booking', args=[first.pk])}?booked=1")
    try:
        occurrences = services.series_preview(
            user=request.user,
            therapist=hold.therapist,
            couple=hold.couple,
            session_type=hold.session_type,
            first_start=hold.starts_at,
            frequency=frequency,
            now=now,
            count=count,
            exclude_ids=(hold.pk,),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("scheduling:confirm", pk=hold.pk)
    other = hold.couple.partner_of(request.user)
    rows = [
        {
            "occ": o,
            "mine": o.starts_at.astimezone(request.user.tz) if o.starts_at else None,
            "theirs": o.starts_at.astimezone(other.tz) if o.starts_at and other else None,
        }
        for o in occurrences
    ]
    return render(
        request,
        "scheduling/series.html",
        {
            "hold": hold,
            "rows": rows,
            "other": other,
            "frequency": frequency,
            "count": count,
            "conflicts": sum(1 for o in occurrences if not o.ok),
            "bookable": sum(1 for o in occurrences if o.ok),
        },
    )


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_visible_to(request.user, pk)
    if booking is None:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "scheduling/booking.html",
        {
            "booking": booking,
            "times": _participant_times(booking),
            "where": office_address(booking),
            "just_booked": request.GET.get("booked") == "1",
            "changeable": booking.status == Booking.Status.CONFIRMED and booking.starts_at > now,
            "terms": services.cancellation_terms(booking, user=request.user, now=now),
            "replacement": getattr(booking, "rescheduled_to", None),
        },
    )


@login_required
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_visible_to(request.user, pk)
    if booking is None:
        raise Http404
    response = HttpResponse(
        calendar_for([booking], zone=request.user.time_zone, method="PUBLISH"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="duet-session-{booking.pk}.ics"'
    return response


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_visible_to(request.user, pk)
    if booking is None:
        raise Http404
    now = timezone.now()
    if request.method == "POST":
        try:
            done = services.booking_cancel(
                user=request.user,
                booking=booking,
                now=now,
                scope=request.POST.get("scope", "one"),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("scheduling:booking", pk=booking.pk)
        late = any(b.status == Booking.Status.LATE_CANCELLED for b in done)
        messages.success(
            request,
            f"Cancelled {len(done)} session{'s' if len(done) > 1 else ''}"
            + (" (late cancellation)." if late else "."),
        )
        return redirect(
            "scheduling:my_sessions" if request.user.is_client else "scheduling:calendar"
        )
    return render(
        request,
        "scheduling/cancel.html",
        {
            "booking": booking,
            "times": _participant_times(booking),
            "terms": services.cancellation_terms(booking, user=request.user, now=now),
        },
    )


def _reschedule_page(request: HttpRequest, booking: Booking, token: str) -> HttpResponse:
    now = timezone.now()
    zone_name = _zone_param(request)
    session_type = booking.session_type
    if request.method == "POST":
        starts_at = _parse_start(request.POST.get("starts_at", ""))
        try:
            _id, version = services.read_reschedule_token(request.POST.get("token", ""))
            if _id != booking.pk or starts_at is None:
                raise DomainError("Pick a time from the list.", code="invalid")
            moved = services.booking_reschedule(
                user=request.user,
                booking=booking,
                starts_at=starts_at,
                now=now,
                scope=request.POST.get("scope", "one"),
                link_version=version,
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("scheduling:booking", pk=booking.pk)
        messages.success(request, "Session moved. Everyone's calendar file is updated.")
        return redirect("scheduling:booking", pk=moved.pk)
    context = {
        "booking": booking,
        "token": token,
        "terms": services.cancellation_terms(booking, user=request.user, now=now),
        "therapist": booking.therapist,
        "session_type": session_type,
        "scope": "following" if request.GET.get("scope") == "following" else "one",
    }
    if session_type is not None:
        context.update(
            _week(
                therapist=booking.therapist,
                couple=booking.couple,
                session_type=session_type,
                viewer=request.user,
                zone_name=zone_name,
                week_start=_week_start(request, ZoneInfo(zone_name), now),
                now=now,
                exclude_ids=(booking.pk,),
            )
        )
    return render(request, "scheduling/reschedule.html", context)


@login_required
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_visible_to(request.user, pk)
    if booking is None:
        raise Http404
    if booking.status != Booking.Status.CONFIRMED or booking.starts_at <= timezone.now():
        messages.error(request, "This session can no longer be moved.")
        return redirect("scheduling:booking", pk=booking.pk)
    return _reschedule_page(request, booking, services.reschedule_token(booking))


@login_required
def reschedule_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking_id, version = services.read_reschedule_token(token)
    except DomainError as exc:
        return render(
            request,
            "errors/error.html",
            {"title": "Link not valid", "message": exc.detail},
            status=404,
        )
    booking = selectors.booking_visible_to(request.user, booking_id)
    if booking is None:
        raise Http404
    if version != booking.reschedule_version or booking.status != Booking.Status.CONFIRMED:
        messages.error(request, "This reschedule link was already used. Here is the session now.")
        return redirect("scheduling:booking", pk=getattr(booking, "rescheduled_to", booking).pk)
    return _reschedule_page(request, booking, token)


# --- lists and calendars ----------------------------------------------------------------------


def _feed_url(request: HttpRequest) -> str | None:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return (
        request.build_absolute_uri(reverse("scheduling:feed", args=[feed.token])) if feed else None
    )


@role_required("client")
def my_sessions(request: HttpRequest) -> HttpResponse:
    couple = active_couple_for(request.user)
    upcoming, past = (
        selectors.bookings_for_couple(couple, now=timezone.now()) if couple else ([], [])
    )
    return render(
        request,
        "scheduling/my_sessions.html",
        {
            "couple": couple,
            "upcoming": upcoming,
            "past": past,
            "feed_url": _feed_url(request),
            "partner": couple.partner_of(request.user) if couple else None,
        },
    )


@require_POST
@login_required
def feed_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(user=request.user)
    messages.success(request, "New calendar link made. The old link no longer works.")
    return redirect(safe_next(request) or "scheduling:my_sessions")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private subscription feed: no login, the secret token is the key."""
    feed_row = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed_row is None or not feed_row.user.is_active:
        raise Http404
    user = feed_row.user
    since = timezone.now() - timedelta(days=90)
    qs = Booking.objects.filter(starts_at__gte=since).exclude(status=Booking.Status.HELD)
    if user.is_therapist:
        qs = qs.filter(therapist=user)
    else:
        qs = qs.filter(couple__memberships__user=user, couple__memberships__left_at__isnull=True)
    bookings = qs.select_related("therapist", "clinic").prefetch_related(
        "couple__memberships__user"
    )
    return HttpResponse(
        calendar_for(bookings, zone=user.time_zone), content_type="text/calendar; charset=utf-8"
    )


@role_required("client")
def windows(request: HttpRequest) -> HttpResponse:
    current: dict[int, list] = {}
    for w in request.user.attendance_windows.all():
        current.setdefault(w.weekday, []).append((w.start_time, w.end_time))
    form = WeeklyForm(request.POST or None, initial_weekly=current)
    if request.method == "POST" and form.is_valid():
        services.attendance_windows_set(user=request.user, weekly=form.cleaned_data["weekly"])
        messages.success(request, "Your attendance windows are saved.")
        return redirect("scheduling:windows")
    return render(request, "scheduling/windows.html", {"form": form})


@role_required("therapist")
def calendar(request: HttpRequest) -> HttpResponse:
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
    current: dict[int, list] = {}
    for wh in therapist.working_hours.all():
        current.setdefault(wh.weekday, []).append((wh.start_time, wh.end_time))
    schedule = selectors.therapist_schedule(therapist, start, end)
    for day in days:
        day["hours"] = schedule.ranges_on(day["date"])
        day["off"] = day["date"] in schedule.days_off
        day["override"] = day["date"] in schedule.overrides
    action = request.POST.get("action") if request.method == "POST" else None
    hours_form = WeeklyForm(
        request.POST if action == "hours" else None, initial_weekly=current, prefix="hours"
    )
    override_form = OverrideForm(request.POST if action == "override" else None, prefix="override")
    time_off_form = TimeOffForm(request.POST if action == "time_off" else None, prefix="off")
    type_form = SessionTypeForm(request.POST if action == "session_type" else None, prefix="type")
    if action == "hours" and hours_form.is_valid():
        services.working_hours_set(therapist=therapist, weekly=hours_form.cleaned_data["weekly"])
        messages.success(request, "Working hours saved.")
        return redirect("scheduling:calendar")
    if action == "override" and override_form.is_valid():
        services.date_override_set(
            therapist=therapist,
            date=override_form.cleaned_data["date"],
            ranges=override_form.cleaned_data["hours"],
        )
        messages.success(request, "Date override saved.")
        return redirect("scheduling:calendar")
    if action == "clear_override":
        services.date_override_clear(therapist=therapist, date=request.POST.get("date"))
        return redirect("scheduling:calendar")
    if action == "time_off" and time_off_form.is_valid():
        services.time_off_add(therapist=therapist, **time_off_form.cleaned_data)
        messages.success(request, "Time off saved.")
        return redirect("scheduling:calendar")
    if action == "delete_time_off":
        services.time_off_delete(therapist=therapist, time_off_id=int(request.POST.get("id", 0)))
        return redirect("scheduling:calendar")
    if action == "session_type" and type_form.is_valid():
        services.session_type_save(therapist=therapist, **type_form.cleaned_data)
        messages.success(request, "Session type added.")
        return redirect("scheduling:calendar")
    if action == "retire_type":
        SessionType.objects.filter(therapist=therapist, pk=request.POST.get("id")).update(
            is_active=False
        )
        return redirect("scheduling:calendar")
    return render(
        request,
        "scheduling/calendar.html",
        {
            "days": days,
            "week_start": week_start,
            "prev_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "today": bookings_for_therapist_on_day(therapist, now=now),
            "hours_form": hours_form,
            "override_form": override_form,
            "time_off_form": time_off_form,
            "type_form": type_form,
            "overrides": therapist.date_overrides.filter(date__gte=now.astimezone(tz).date()),
            "time_off": therapist.time_off.filter(end_date__gte=now.astimezone(tz).date()),
            "session_types": selectors.session_types_for(therapist),
            "feed_url": _feed_url(request),
        },
    )
