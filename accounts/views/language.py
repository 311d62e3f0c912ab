"""The footer's language switcher: for everyone a cookie, for an account its setting."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST

from accounts.services import user_set_language
from core.next_url import safe_next


def _back(request: HttpRequest) -> str | None:
    """The page the switcher was used on. The form carries no ``next``: a page never
    echoes its own address (ids in it included) into its HTML; same-origin requests
    send the Referer (SECURE_REFERRER_POLICY is same-origin)."""
    parts = urlsplit(request.headers.get("Referer", ""))
    if parts.netloc != request.get_host():
        return None
    return safe_next(request, parts.path + (f"?{parts.query}" if parts.query else ""))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = redirect(safe_next(request) or _back(request) or "/")
    if language not in dict(settings.LANGUAGES):
        return response  # an old form or a hand-made request: stay as we are
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=request.is_secure(),
        httponly=True,
    )
    return response
