"""A database pool with no free connection is overload, not a bug: answer 503 with
Retry-After so clients and proxies back off, instead of a 500 that looks like a crash."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from core.api_errors import API_PREFIX, error_response

RETRY_AFTER_SECONDS = 5
DETAIL = _("Duet is very busy right now. Please try again in a few seconds.")


def is_pool_timeout(exc: BaseException | None) -> bool:
    """True when ``exc`` (Django wraps driver errors) was caused by the psycopg pool
    timing out; walks the cause chain without importing psycopg on SQLite."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__name__ == "PoolTimeout" and type(exc).__module__.startswith("psycopg_pool"):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """Built without the database (the pool is what ran out): a standalone template
    rendered with no request, so no context processor reads the user or their
    notifications."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = error_response(str(DETAIL), "busy", 503)
    else:
        response = HttpResponse(
            render_to_string("errors/busy.html"),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
