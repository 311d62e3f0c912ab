"""How the JSON API answers errors: ``{"detail": ..., "code": ...}`` with a 4xx status.

``detail`` is a sentence for people; ``code`` is stable for programs. Validation
errors add ``errors``: one ``{"field", "message"}`` per problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from core.errors import DomainError

API_PREFIX = "/api/"
# Answers a whole-site handler gives an /api/ URL (no route, wrong method, a crash),
# turned into the API's error shape by ApiErrorMiddleware.
PLAIN_ANSWERS = {
    404: (gettext_lazy("Not found."), "not_found"),
    405: (gettext_lazy("This method is not allowed here."), "method_not_allowed"),
    500: (gettext_lazy("Something went wrong on our side; please try again."), "server_error"),
}
# What every operation may answer besides its success (declared in the OpenAPI schema).
ERROR_RESPONSES = {
    "401": "Not signed in (`not_authenticated`).",
    "403": "Not allowed, or the CSRF token is missing (`forbidden`, `csrf_failed`, ...).",
    "404": "No such object, or not yours (`not_found`).",
    "405": "Method not allowed (`method_not_allowed`).",
    "409": "Conflicts with the current state (e.g. the slot was just taken).",
    "422": "Invalid input (`invalid`, with `errors`: one `{field, message}` per problem).",
}


class JsonSessionAuth(SessionAuth):
    """Django's session, like ninja's SessionAuth, with two differences: a request
    without a signed-in session is a 401 (ninja checked CSRF first and answered an
    anonymous POST with 403), and a failed CSRF check is ``{detail, code}`` JSON."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise DomainError(
                _("The CSRF token is missing or wrong; reload the page and try again."),
                code="csrf_failed",
                status=403,
            )
        return request.COOKIES.get(self.param_name)


def error_response(detail: str, code: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)


class ApiErrorMiddleware:
    """Under /api/, a 404/405/500 that did not come from the API's own handlers (no
    matching route, a method the route lacks, an unhandled crash) is JSON too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in PLAIN_ANSWERS
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail, code = PLAIN_ANSWERS[response.status_code]
            converted = error_response(str(detail), code, response.status_code)
            if response.has_header("Allow"):
                converted["Allow"] = response["Allow"]
            return converted
        return response


def add_error_responses(schema: dict) -> dict:
    """Declare the error answers of every operation, as one shared ``ApiError`` schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ApiError"] = {
        "title": "ApiError",
        "type": "object",
        "properties": {
            "detail": {"type": "string", "description": "A sentence for people."},
            "code": {"type": "string", "description": "Stable, for programs."},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                    },
                },
            },
        },
        "required": ["detail", "code"],
    }
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_RESPONSES.items():
                if status == "401" and not operation.get("security"):
                    continue
                operation["responses"].setdefault(status, {"description": description, **ref})
    return json.loads(json.dumps(schema))


def install_error_handlers(api: NinjaAPI) -> None:
    def _error(
        request: HttpRequest, detail: str, code: str, status: int, **extra: object
    ) -> HttpResponse:
        return api.create_response(
            request, {"detail": detail, "code": code, **extra}, status=status
        )

    @api.exception_handler(DomainError)
    def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(request, exc.detail, exc.code, exc.status, **exc.extra)

    # (pydantic's own messages are English only: each kind gets a sentence of ours, in the
    # request's language; ``type`` keeps pydantic's code for programs)
    @api.exception_handler(ValidationError)
    def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = []
        for err in exc.errors:
            loc = [
                str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")
            ]
            fields.append(
                {
                    "field": ".".join(loc) or None,
                    "message": _validation_message(err),
                    "type": err.get("type", "invalid"),
                }
            )
        first = fields[0] if fields else {"field": None, "message": _("The input is not valid.")}
        message = str(first["message"])
        detail = f"{first['field']}: {message}" if first["field"] else message
        return _error(request, detail, "invalid", 422, errors=fields)

    @api.exception_handler(OverflowError)
    def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # Date arithmetic past the calendar's ends: the input, not the server, is wrong.
        return _error(request, _("A date is out of the supported range."), "date_out_of_range", 422)

    @api.exception_handler(AuthenticationError)
    def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(request, _("Log in to use this endpoint."), "not_authenticated", 401)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(request, str(exc) or _("You may not do that."), "forbidden", 403)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(request, _("Not found."), "not_found", 404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            return _error(
                request,
                _("The CSRF token is missing or wrong; reload the page and try again."),
                "csrf_failed",
                403,
            )
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
        }.get(exc.status_code, "error")
        return _error(request, str(exc), code, exc.status_code)


def _validation_message(err: dict) -> str:
    kind = str(err.get("type", ""))
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time with a UTC offset (ISO 8601)."),
        "datetime_from_date_parsing": _("Enter a date and time with a UTC offset (ISO 8601)."),
        "uuid_parsing": _("Enter a valid id."),
        "string_too_long": _("This text is too long."),
        "string_too_short": _("This text is too short."),
        "string_type": _("Enter text."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "greater_than_equal": _("This number is too small."),
        "greater_than": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "less_than": _("This number is too large."),
        "json_invalid": _("The request body is not valid JSON."),
        "list_type": _("Send a list."),
        "dict_type": _("Send an object."),
        "model_attributes_type": _("Send an object."),
    }
    return str(messages.get(kind, _("This value is not valid.")))
