"""Turning a service's refusal (``DomainError``) into what a form shows."""

from __future__ import annotations

from django import forms

from core.errors import DomainError


def form_error(form: forms.Form, exc: DomainError, *, field: str | None = None) -> None:
    """Show the refusal next to the field it names (``exc.extra["field"]``, else
    ``field``), or on top of the form when the form has no such field."""
    name = exc.extra.get("field") or field
    form.add_error(name if name in form.fields else None, exc.detail)
