"""The public directory and profile pages."""

from __future__ import annotations

from dataclasses import replace

from babel.lists import format_list
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.l10n import babel_locale
from therapists import catalog
from therapists.filters import (
    FREE_WITHIN,
    SORTS,
    DirectoryFilters,
    InvalidFilter,
    parse_filters,
)
from therapists.selectors import couple_languages, directory_page, public_profiles


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
        "languages": catalog.languages_display(),
        "jurisdictions": catalog.jurisdictions_display(),
        "formats": catalog.FORMATS,
        "currencies": ["USD", "EUR", "GBP", "PLN", "CAD", "AUD", "JPY", "CHF"],
        "sorts": SORTS,
        "free_within": FREE_WITHIN,
    }


# ``?language=any``: the couple chose every language (their own are the default).
ANY_LANGUAGE = "any"


def _language_query(data: QueryDict) -> tuple[QueryDict, bool]:
    """The query without ``language=any``, and whether a language choice was made (a
    language or ``any``): then the couple's default languages stay out of it."""
    values = data.getlist("language")
    chosen = [v for v in values if v.strip()]
    if any(v.strip().lower() == ANY_LANGUAGE for v in chosen):
        data = data.copy()
        rest = [v for v in values if v.strip().lower() != ANY_LANGUAGE]
        if rest:
            data.setlist("language", rest)
        else:
            data.pop("language")
    return data, bool(chosen)


def directory(request: HttpRequest) -> HttpResponse:
    error = None
    data, language_chosen = _language_query(request.GET)
    # Only looked up when it can matter (an explicit language keeps queries as they were).
    own = () if language_chosen else couple_languages(request.user)
    try:
        filters = parse_filters(data)
    except InvalidFilter as exc:
        error, filters = exc, DirectoryFilters()
    if own and not error:
        filters = replace(filters, any_languages=own)
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
        # "Any language" must then say so in the URL, or the default comes back.
        "any_language": ANY_LANGUAGE
        if request.user.is_authenticated and request.user.is_client
        else "",
    }
    if own:
        names = [catalog.language_name(code) for code in own]
        context["own_languages"] = format_list(names, style="or", locale=babel_locale())
    if filters.any_languages:
        everyone = query.copy()
        everyone.setlist("language", [ANY_LANGUAGE])
        context["default_languages"] = {
            "codes": filters.any_languages,
            "notice": _("Showing therapists who speak %(languages)s.")
            % {"languages": context["own_languages"]},
            "all_query": everyone.urlencode(),
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
