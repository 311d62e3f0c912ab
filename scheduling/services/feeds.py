"""The private calendar feed link."""

from __future__ import annotations

import secrets

from accounts.models import User
from scheduling.models import (
    CalendarFeed,
)

# --- calendar feed -----------------------------------------------------------------------------


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Create the private feed URL, or replace it (the old URL stops working at once)."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": token})
    if not created:
        feed.token = token
        feed.save(update_fields=["token"])
    return feed
