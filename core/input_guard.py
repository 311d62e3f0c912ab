"""Refuse input no person types before it reaches a view: a NUL character (PostgreSQL
cannot store or even compare it, so it used to surface as a 500 from wherever it was
first queried) and, in JSON, a lone UTF-16 surrogate (it cannot be encoded to UTF-8).

A path holding one names nothing: 404. A query, form field or JSON body holding one is a
bad request: 400 with a plain explanation (``{"detail", "code"}`` on the API).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DETAIL = gettext_lazy(
    "The request contains a character that can't be used (a NUL or an unpaired surrogate). "
    "Remove it and try again."
)
CODE = "bad_character"


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def request_has_bad_characters(request: HttpRequest) -> bool:
    for query in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in query.lists():
            if _bad(key) or any(_bad(v) for v in values):
                return True
    if request.content_type == "application/json" and b"\\u" in request.body:
        try:
            payload = json.loads(request.body)
        except ValueError:
            return False  # the API answers malformed JSON itself
        return any(_bad(s) for s in _json_strings(payload))
    return False


class InputGuardMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _bad(request.path_info):
            return self._refuse(request, 404)
        if request_has_bad_characters(request):
            return self._refuse(request, 400)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            detail = str(DETAIL) if status == 400 else _("Not found.")
            return JsonResponse(
                {"detail": detail, "code": CODE if status == 400 else "not_found"}, status=status
            )
        if status == 404:
            title, message = _("We couldn't find that page"), _("The link may be damaged.")
        else:
            title, message = _("That request was not understood"), str(DETAIL)
        context = {"status": status, "title": title, "message": message}
        return render(request, "errors/error.html", context, status=status)
