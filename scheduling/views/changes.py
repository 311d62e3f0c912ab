"""Cancelling and rescheduling a session."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from scheduling import selectors, services
from scheduling.models import Booking
from scheduling.views._week import _parse_start, _week, _week_start, _zone_param
from scheduling.views.booking import _participant_times


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
            (
                ngettext(
                    "Cancelled %(count)s session (late cancellation).",
                    "Cancelled %(count)s sessions (late cancellation).",
                    len(done),
                )
                if late
                else ngettext(
                    "Cancelled %(count)s session.", "Cancelled %(count)s sessions.", len(done)
                )
            )
            % {"count": len(done)},
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
                raise DomainError(_("Pick a time from the list."), code="invalid")
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
        messages.success(request, _("Session moved. Everyone's calendar file is updated."))
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
        messages.error(request, _("This session can no longer be moved."))
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
        messages.error(
            request, _("This reschedule link was already used. Here is the session now.")
        )
        return redirect("scheduling:booking", pk=getattr(booking, "rescheduled_to", booking).pk)
    return _reschedule_page(request, booking, token)
