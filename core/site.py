"""This install's identity as other systems see it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, reverse


def site_host() -> str:
    """The host of ``SITE_URL``: it scopes Message-IDs and calendar UIDs to this install,
    so two installs never issue the same identifier."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def link_path(viewname: str, *args: object) -> str:
    """``reverse(viewname, args=args)``, remembered per process: the reminder dispatcher
    writes the same few links into thousands of emails and calendar files, and reverse()
    walks the URL resolver every time. The key holds the resolver and script prefix, so
    a changed URLconf (tests override it) gets fresh answers."""
    return _reversed(get_resolver(get_urlconf()), get_script_prefix(), viewname, args)


@lru_cache(maxsize=4096)
def _reversed(resolver: URLResolver, prefix: str, viewname: str, args: tuple) -> str:
    return reverse(viewname, args=args)
