"""The bell in the shared header: unread in-app notifications."""

from __future__ import annotations

from django.http import HttpRequest

from sessions_app.selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
