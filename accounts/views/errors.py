"""Error pages in the product's own look, with a next step."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.overload import busy_response, is_pool_timeout


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("That request was not understood"), _("Go back and try again."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You don't have access to this page"),
        str(exception)
        if exception and str(exception)
        else _(
            "It belongs to another account. If you think this is a mistake, contact your clinic."
        ),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("We couldn't find that page"),
        _("It may have moved, or the link may be incomplete."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its handler for the uncaught exception.
    if is_pool_timeout(sys.exc_info()[1]):
        return busy_response(request)
    return _page(
        request,
        500,
        _("Something went wrong on our side"),
        _("We have been notified. Please try again in a moment."),
    )
