from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.selectors import active_couple_for, pending_invitation_for
from scheduling.selectors import (
    bookings_for_therapist_on_day,
    upcoming_bookings_for_couple,
)
from therapists.selectors import therapist_clients
from therapists.views.roster import roster_context


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:dashboard")
    return render(request, "landing.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    if user.is_therapist:
        context = {
            "today": bookings_for_therapist_on_day(user, now=now),
            "clients": therapist_clients(user),
        }
        return render(request, "dashboard/therapist.html", context)
    if user.is_clinic_admin:
        return render(request, "dashboard/clinic_admin.html", roster_context(user, now=now))
    couple = active_couple_for(user)
    context = {
        "couple": couple,
        "partner": couple.partner_of(user) if couple else None,
        "pending": pending_invitation_for(couple) if couple else None,
        "upcoming": upcoming_bookings_for_couple(couple, now=now) if couple else [],
    }
    return render(request, "dashboard/client.html", context)
