"""The public directory and profile pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from therapists import catalog
from therapists.filters import (
    FREE_WITHIN,
    SORTS,
    DirectoryFilters,
    InvalidFilter,
    parse_filters,
)
from therapists.selectors import directory_page, public_profiles


def booking_url(profile) -> str:
    """Where "Book a session" leads; the scheduling issue provides the page."""
    try:
        return reverse("scheduling:book", args=[profile.user_id])
    except NoReverseMatch:
        return "#book"


def _choices() -> dict:
    return {
        "specialties": catalog.SPECIALTIES,
        "approaches": catalog.APPROACHES,
        "languages": catalog.languages(),
        "jurisdictions": catalog.jurisdictions(),
        "formats": catalog.FORMATS,
        "currencies": ["USD", "EUR", "GBP", "PLN", "CAD", "AUD", "JPY", "CHF"],
        "sorts": SORTS,
        "free_within": FREE_WITHIN,
    }


def directory(request: HttpRequest) -> HttpResponse:
    error = None
    try:
        filters = parse_filters(request.GET)
    except InvalidFilter as exc:
        error, filters = exc, DirectoryFilters()
    page = None if error else directory_page(filters, now=timezone.now())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "error": error,
        "raw": request.GET,
        "query": query.urlencode(),
        "choices": _choices(),
    }
    return render(request, "therapists/directory.html", context, status=422 if error else 200)


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    therapist = get_object_or_404(public_profiles(), pk=pk)
    user = request.user
    can_edit = user.is_authenticated and (
        therapist.user_id == user.pk
        or (user.is_clinic_admin and _admin_of(user, therapist.clinic_id))
    )
    context = {"profile": therapist, "booking_url": booking_url(therapist), "can_edit": can_edit}
    return render(request, "therapists/profile.html", context)


def _admin_of(user, clinic_id) -> bool:
    from therapists.selectors import is_admin_of

    return is_admin_of(user, clinic_id)
