"""The JSON API (django-ninja): one NinjaAPI, each app adds a router.

Every error answers ``{"detail": ..., "code": ...}`` with a 4xx status
(``core.api_errors``); validation errors name the field.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import SessionAuth

from core.api_errors import install_error_handlers

api = NinjaAPI(
    title="Duet API",
    version="1",
    urls_namespace="api",
    auth=SessionAuth(),  # session cookie + CSRF for unsafe methods
    openapi_url="/openapi.json",
    docs_url="/docs",
)


install_error_handlers(api)


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check")
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _register_routers() -> None:
    """Each app that has an API exposes ``router`` in ``<app>/api.py``."""
    from importlib import import_module

    for app in ("accounts", "therapists", "scheduling", "sessions_app", "signaling", "measures"):
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router(f"/{app.replace('_app', '')}", module.router)


_register_routers()
