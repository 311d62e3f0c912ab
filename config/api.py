"""The JSON API (django-ninja): one NinjaAPI, each app adds a router.

Every error answers ``{"detail": ..., "code": ...}`` with a 4xx status;
validation errors name the field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from config.errors import DomainError

api = NinjaAPI(
    title="Duet API",
    version="1",
    urls_namespace="api",
    auth=SessionAuth(),  # session cookie + CSRF for unsafe methods
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, detail: str, code: str, status: int, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.detail, exc.code, exc.status, **exc.extra)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    first = fields[0] if fields else {"field": None, "message": "invalid input"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
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


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check")
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _register_routers() -> None:
    """Each app that has an API exposes ``router`` in ``<app>/api.py``."""
    from importlib import import_module

    for app in ("accounts", "therapists", "scheduling", "intake", "sessions_app", "signaling"):
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router(f"/{app.replace('_app', '')}", module.router)


_register_routers()
