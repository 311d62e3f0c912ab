"""How the JSON API answers errors: ``{"detail": ..., "code": ...}`` with a 4xx status.

``detail`` is a sentence for people; ``code`` is stable for programs. Validation
errors add ``errors``: one ``{"field", "message"}`` per problem.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.errors import DomainError


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

    @api.exception_handler(ValidationError)
    def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = []
        for err in exc.errors:
            loc = [
                str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")
            ]
            fields.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
        first = fields[0] if fields else {"field": None, "message": "invalid input"}
        message = str(first["message"])
        detail = f"{first['field']}: {message}" if first["field"] else message
        return _error(request, detail, "invalid", 422, errors=fields)

    @api.exception_handler(AuthenticationError)
    def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(request, "Log in to use this endpoint.", "not_authenticated", 401)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(request, str(exc) or "You may not do that.", "forbidden", 403)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(request, "Not found.", "not_found", 404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
        }.get(exc.status_code, "error")
        return _error(request, str(exc), code, exc.status_code)
