"""The JSON API (django-ninja): one NinjaAPI, each app adds a router.

Every error answers ``{"detail": ..., "code": ...}`` with a 4xx status
(``core.api_errors``); validation errors name the field.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from core.api_errors import JsonSessionAuth, add_error_responses, install_error_handlers


class DuetAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return add_error_responses(super().get_openapi_schema(*args, **kwargs))


api = DuetAPI(
    title="Duet API",
    version="1",
    urls_namespace="api",
    auth=JsonSessionAuth(),  # session cookie + CSRF for unsafe methods; anonymous -> 401
    openapi_url="/openapi.json",
    docs_url="/docs",
)


install_error_handlers(api)


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check")
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    time_zone: str
    couple_id: int | None
    partner_ids: list[int]


@api.get("/me", response=MeOut, tags=["meta"], summary="Who I am, and my couple's id")
def me(request: HttpRequest) -> dict:
    """The signed-in person. ``couple_id`` (null when not in a couple) is what the
    scheduling endpoints take as ``couple_id``; ``partner_ids`` are its active partners."""
    from accounts.selectors import active_couple_for

    user = request.user
    couple = active_couple_for(user)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "time_zone": user.time_zone,
        "couple_id": couple.pk if couple else None,
        "partner_ids": [p.pk for p in couple.partners] if couple else [],
    }


def _register_routers() -> None:
    """Each app that has an API exposes ``router`` in ``<app>/api.py``."""
    from importlib import import_module

    for app in (
        "accounts",
        "therapists",
        "scheduling",
        "intake",
        "sessions_app",
        "signaling",
        "measures",
    ):
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router(f"/{app.replace('_app', '')}", module.router)


_register_routers()
