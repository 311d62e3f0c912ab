"""Turning a service's refusal (``DomainError``) into what a page shows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.errors import DomainError


def form_error(form: forms.Form, exc: DomainError, *, field: str | None = None) -> None:
    """Show the refusal next to the field it names (``exc.extra["field"]``, else
    ``field``), or on top of the form when the form has no such field."""
    name = exc.extra.get("field") or field
    form.add_error(name if name in form.fields else None, exc.detail)


def raise_http(exc: DomainError) -> None:
    """For pages with no form to show it on: a 404 or 403 page with the reason."""
    if exc.status == 404:
        raise Http404(exc.detail) from exc
    raise PermissionDenied(exc.detail) from exc
