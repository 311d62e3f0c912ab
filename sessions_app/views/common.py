from __future__ import annotations

from django import forms

from config.errors import DomainError


def form_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the field it names (or on top of the form)."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.detail)
