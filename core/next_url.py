"""The one check for a ``next`` address a request asks to be sent to afterwards."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str | None = None) -> str | None:
    """``target`` (default: the request's ``next``) if it is a path on this site, else
    None. Refuses other hosts (``https://evil.example/``, ``//evil.example/``,
    ``https:evil.example``), other schemes (``javascript:``) and view names."""
    if target is None:
        target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None
