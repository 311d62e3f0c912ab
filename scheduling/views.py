from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.selectors import active_couple_for
from scheduling.selectors import bookings_for_therapist_on_day, upcoming_bookings_for_couple


@role_required("client")
def my_sessions(request: HttpRequest) -> HttpResponse:
    couple = active_couple_for(request.user)
    upcoming = upcoming_bookings_for_couple(couple, now=timezone.now(), limit=50) if couple else []
    return render(request, "scheduling/my_sessions.html", {"couple": couple, "upcoming": upcoming})


@role_required("therapist")
def calendar(request: HttpRequest) -> HttpResponse:
    today = bookings_for_therapist_on_day(request.user, now=timezone.now())
    return render(request, "scheduling/calendar.html", {"today": today})
