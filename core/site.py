"""This install's identity as other systems see it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_host() -> str:
    """The host of ``SITE_URL``: it scopes Message-IDs and calendar UIDs to this install,
    so two installs never issue the same identifier."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
