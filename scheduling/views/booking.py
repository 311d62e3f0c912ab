"""Booking pages: the week of slots, holds, confirming, series, a session and its .ics."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import User
from accounts.selectors import active_couple_for
from core.errors import DomainError
from core.l10n import format_local
from scheduling import selectors, services
from scheduling.ics import calendar_for, office_address
from scheduling.models import Booking
from scheduling.views._week import (
    _parse_start,
    _session_type_param,
    _week,
    _week_start,
    _zone_param,
)
from therapists.selectors import is_bookable


@role_required("client")
def book(request: HttpRequest, therapist_id: int) -> HttpResponse:
    therapist = get_object_or_404(User, pk=therapist_id, role=User.Role.THERAPIST)
    couple = active_couple_for(request.user)
    bookable = is_bookable(therapist)
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
        messages.error(request, _("Pick a time from the list."))
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
        times.append(format_local(local, "D j M, H:i"))
    return " " + _("Nearest free: %(times)s.") % {"times": ", ".join(times)} if times else ""


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
            messages.info(request, _("The time was released."))
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
