"""One error type for business rules, shared by services, views and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``code`` is stable for clients; ``detail`` is for people.

    The API answers it as ``{"detail": ..., "code": ..., **extra}`` with
    ``status``; views show ``detail`` next to the form.
    """

    status = 400

    def __init__(self, detail: str, code: str, status: int | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        if status is not None:
            self.status = status
        self.extra = extra


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403
