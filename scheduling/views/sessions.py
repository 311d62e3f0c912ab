"""A couple's sessions, their attendance windows, and the private calendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.selectors import active_couple_for
from core.next_url import safe_next
from scheduling import selectors, services
from scheduling.forms import WeeklyForm
from scheduling.ics import calendar_for
from scheduling.models import Booking, CalendarFeed


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
    messages.success(request, _("New calendar link made. The old link no longer works."))
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
    with translation.override(user.language):  # the feed's owner reads it, not the fetcher
        body = calendar_for(bookings, zone=user.time_zone)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@role_required("client")
def windows(request: HttpRequest) -> HttpResponse:
    current: dict[int, list] = {}
    for w in request.user.attendance_windows.all():
        current.setdefault(w.weekday, []).append((w.start_time, w.end_time))
    form = WeeklyForm(request.POST or None, initial_weekly=current)
    if request.method == "POST" and form.is_valid():
        services.attendance_windows_set(user=request.user, weekly=form.cleaned_data["weekly"])
        messages.success(request, _("Your attendance windows are saved."))
        return redirect("scheduling:windows")
    return render(request, "scheduling/windows.html", {"form": form})
